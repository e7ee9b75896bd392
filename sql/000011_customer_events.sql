-- Each customer's own booking events: a socket of a logged-in customer receives `booking:created`
-- and `booking:updated` for their own bookings, live and replayed on reconnect. The replay reads
-- only that customer's booking events, so each booking event records whose booking it is.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

alter table events add column customer_id uuid;

-- Filled on insert from the booking, whatever trigger records the event (the bookings trigger is
-- left as it is). Not for the second event of a booking moved to another stylist (`movedAway`,
-- which tells the old stylist only), nor for a deleted booking (its row is gone: there is nothing
-- to show the customer).
create function kb_events_customer() returns trigger language plpgsql as $$
begin
  if new.kind in ('booking.created', 'booking.updated') and new.entity_id is not null
     and not (new.data ? 'movedAway') then
    select b.customer_id into new.customer_id from bookings b where b.id = new.entity_id;
  end if;
  return new;
end
$$;
create trigger _050_customer before insert on events
  for each row execute function kb_events_customer();

-- The events kept for replay, as they would have been recorded.
update events e set customer_id = b.customer_id
  from bookings b
 where b.id = e.entity_id and e.kind in ('booking.created', 'booking.updated') and not (e.data ? 'movedAway');

-- A customer's replay is an index range scan over their own booking events (like the stylist's,
-- sql/000008), proportional to what it sends.
create index events_replay_customer_bookings_idx on events (customer_id, id)
  where kind in ('booking.created', 'booking.updated') and customer_id is not null;
