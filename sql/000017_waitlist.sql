-- The live waitlist (docs/domain.md §10): customers waiting for a service on a date (a stylist or any,
-- optionally a time range), and the offers made to them: an exclusive hold on a freed time for one
-- waiter at a time, in the order they joined.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

create table waitlist_entries (
  id uuid primary key default gen_random_uuid(),
  -- Join order: the first matching waiter is the lowest seq.
  seq bigint generated always as identity,
  customer_id uuid not null references users (id) on delete cascade,
  -- null: any stylist offering the service.
  stylist_id uuid references stylists (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  -- The salon-local date, and optionally the salon-local range the appointment must start in, [from, to).
  date date not null,
  from_time time,
  to_time time,
  -- waiting: active (offers come to it); fulfilled: an offer was booked; left: the customer left.
  status text not null default 'waiting' check (status in ('waiting', 'fulfilled', 'left')),
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  check (from_time is null or to_time is null or to_time > from_time)
);
-- Duplicates are refused: one waiting entry per (customer, stylist or any, service, date, range).
create unique index waitlist_entries_unique_waiting on waitlist_entries (
  customer_id, coalesce(stylist_id, '00000000-0000-0000-0000-000000000000'::uuid), service_id, date,
  coalesce(from_time, '00:00'::time), coalesce(to_time, '24:00'::time)
) where status = 'waiting';
create index waitlist_entries_customer_idx on waitlist_entries (customer_id, seq) where status = 'waiting';
create index waitlist_entries_date_idx on waitlist_entries (date, seq) where status = 'waiting';

create table waitlist_offers (
  id uuid primary key default gen_random_uuid(),
  entry_id uuid not null references waitlist_entries (id) on delete cascade,
  customer_id uuid not null references users (id) on delete cascade,
  -- The hold made for the offer (holds.id); the hold row itself goes when the offer ends.
  hold_id uuid not null,
  stylist_id uuid not null references stylists (id) on delete cascade,
  service_id uuid not null references services (id) on delete cascade,
  start_at timestamptz not null,
  end_at timestamptz not null,
  expires_at timestamptz not null,
  -- live: the hold is theirs; accepted: booked; declined: "No thanks" (or left the waitlist);
  -- expired: the hold ended otherwise (its time ran out, released, replaced by another hold).
  status text not null default 'live' check (status in ('live', 'accepted', 'declined', 'expired')),
  created_at timestamptz not null default now(),
  ended_at timestamptz
);
-- Exactly one live offer per freed time, and one live offer per entry, however many processes decide.
create unique index waitlist_offers_live_slot on waitlist_offers (stylist_id, start_at) where status = 'live';
create unique index waitlist_offers_live_entry on waitlist_offers (entry_id) where status = 'live';
create unique index waitlist_offers_hold on waitlist_offers (hold_id);
-- An entry is never offered the same time twice (declined or let expire: the next waiter's turn).
create index waitlist_offers_entry_idx on waitlist_offers (entry_id, stylist_id, start_at);

-- An offer's hold ending (deleted by the sweeper, released, replaced by another hold of the
-- customer) ends a live offer as expired; "No thanks" marks it declined before deleting the hold.
create function kb_waitlist_hold_gone() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.id = new.id then
    return null;
  end if;
  update waitlist_offers set status = 'expired', ended_at = now() where hold_id = old.id and status = 'live';
  return null;
end
$$;
create trigger _200_waitlist_offer after update or delete on holds
  for each row execute function kb_waitlist_hold_gone();

-- A booking of the offered time by the waiter (from the offer's hold, or directly) accepts the offer
-- and fulfils the entry, whoever writes it.
create function kb_waitlist_booked() returns trigger language plpgsql as $$
declare
  v_entry uuid;
begin
  update waitlist_offers set status = 'accepted', ended_at = now()
   where status = 'live' and customer_id = new.customer_id and stylist_id = new.stylist_id and start_at = new.start_at
  returning entry_id into v_entry;
  if v_entry is not null then
    update waitlist_entries set status = 'fulfilled', ended_at = now() where id = v_entry and status = 'waiting';
  end if;
  return null;
end
$$;
create trigger _200_waitlist_offer after insert on bookings
  for each row execute function kb_waitlist_booked();

-- `waitlist.offered`: the outbox event of an offer (to the waiter's sockets; the seam for e-mail). It
-- names no stylist dates (its hold's `hold.created` does), so it changes no availability version.
alter table events drop constraint events_kind_check;
alter table events add constraint events_kind_check check (kind in (
  'booking.created', 'booking.updated',
  'hold.created', 'hold.deleted',
  'override.created', 'override.deleted',
  'schedule.changed', 'stylist.changed',
  'announcement.created',
  'waitlist.offered'
));

-- The sweeper judges expiry by the server's clock (the one that wrote expires_at), passed in.
create function kb_sweep_expired_holds(p_limit int, p_now timestamptz) returns int
language sql as $$
  with doomed as (
    select id from holds where expires_at <= p_now order by expires_at limit p_limit for update skip locked
  ), gone as (
    delete from holds h using doomed where h.id = doomed.id returning 1
  )
  select count(*)::int from gone
$$;
