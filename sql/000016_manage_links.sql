-- Manage links and calendars (docs/domain.md "Manage links and calendars").
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- A booking's revision number: the SEQUENCE of its calendar event (RFC 5545 §3.8.7.4). Raised by
-- one on every change a calendar shows (time, stylist, service, status, notes), by whatever writer.
alter table bookings add column sequence int not null default 0 check (sequence >= 0);

create function kb_bookings_sequence() returns trigger language plpgsql as $$
begin
  if (old.start_at, old.end_at, old.stylist_id, old.service_id, old.status, old.notes)
     is distinct from (new.start_at, new.end_at, new.stylist_id, new.service_id, new.status, new.notes) then
    new.sequence := old.sequence + 1;
  else
    new.sequence := old.sequence;
  end if;
  return new;
end
$$;
create trigger _010_sequence before update on bookings
  for each row execute function kb_bookings_sequence();

-- The destructive use of a manage link (cancel or reschedule), once per link: the link's nonce is
-- recorded in the transaction of the change it made, so a second use (or a concurrent one) is refused.
create table manage_link_uses (
  nonce text primary key check (length(nonce) between 8 and 64),
  booking_id uuid not null references bookings (id) on delete cascade,
  action text not null check (action in ('cancel', 'reschedule')),
  used_at timestamptz not null default now()
);
create index manage_link_uses_booking_idx on manage_link_uses (booking_id);

-- A stylist's calendar subscription token, stored as its SHA-256 only: one per stylist, replaced
-- on rotation, deleted on revocation.
create table stylist_calendar_tokens (
  stylist_id uuid primary key references stylists (id) on delete cascade,
  token_hash text not null unique check (length(token_hash) = 43),
  created_at timestamptz not null default now()
);
