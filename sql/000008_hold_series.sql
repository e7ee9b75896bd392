-- Holds cannot be renewed forever, and replays read only what a socket may receive.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- Hold series ------------------------------------------------------------------------------------
-- A customer's holds on one time (stylist + start) form a series, opened by their first hold on it.
-- Every hold of the series expires at the first one's expiry while that is ahead, else at most one
-- hold length after it; once that too has passed, holding the time again is refused until the
-- series ends (the renewal window after its first hold). The row outlives the holds themselves
-- (released, replaced, expired, swept), which is what stops "hold A, hold B, hold A" and "release,
-- re-hold" from starting the clock again. POST /api/holds upserts it in its transaction: the upsert
-- locks the row, so concurrent holds of one series are decided one after the other.
create table hold_series (
  customer_id uuid not null references users (id) on delete cascade,
  stylist_id uuid not null references stylists (id) on delete cascade,
  start_at timestamptz not null,
  -- The expiry the series' first hold was given.
  first_expires_at timestamptz not null,
  -- No hold of the series expires after this (first_expires_at plus one hold length).
  expires_by timestamptz not null,
  -- From here on a hold of this time opens a new series.
  ends_at timestamptz not null,
  primary key (customer_id, stylist_id, start_at),
  check (expires_by >= first_expires_at and ends_at >= expires_by)
);
create index hold_series_ends_idx on hold_series (ends_at);

-- Replay -----------------------------------------------------------------------------------------
-- A reconnecting socket replays only the event kinds its rooms may receive: announcements for
-- everyone, overrides for staff, bookings for their stylist (or admins). These partial indexes keep
-- that read proportional to what is sent, not to the whole history since the client's last id.
create index events_replay_announcements_idx on events (id) where kind = 'announcement.created';
create index events_replay_overrides_idx on events (id) where kind in ('override.created', 'override.deleted');
create index events_replay_bookings_idx on events (stylist_id, id) where kind in ('booking.created', 'booking.updated');
