-- Fix forward three outbox gaps found in review:
-- 1. A booking deleted outright (psql, a batch job) recorded no event, so its slot stayed `booked`
--    in every cache until the TTL. Deletes now record `booking.updated` (status 'deleted').
-- 2. A change to a service (duration, active) recorded nothing; it now records `stylist.changed`
--    for every stylist offering it.
-- 3. A booking that starts within the buffer after local midnight also changes the previous day
--    (that day's last candidate plus its buffer reaches it); the touched dates now start at
--    start - buffer.

create or replace function kb_local_dates(p_stylist uuid, p_from timestamptz, p_until timestamptz)
returns date[] language sql stable as $$
  select coalesce(array_agg(d::date order by d), '{}')
  from stylists s,
       generate_series(
         ((p_from - make_interval(mins => s.buffer_minutes)) at time zone s.timezone)::date,
         -- the occupied range is half-open: an appointment ending at midnight does not touch the next day
         ((p_until - interval '1 microsecond') at time zone s.timezone)::date,
         interval '1 day') as d
  where s.id = p_stylist
$$;

create or replace function kb_bookings_event() returns trigger language plpgsql as $$
declare
  v_dates date[];
begin
  if tg_op = 'INSERT' then
    perform kb_record_event('booking.created', new.stylist_id,
      kb_local_dates(new.stylist_id, new.start_at, new.occupied_until), new.id,
      jsonb_build_object('status', new.status));
  elsif tg_op = 'DELETE' then
    perform kb_record_event('booking.updated', old.stylist_id,
      kb_local_dates(old.stylist_id, old.start_at, old.occupied_until), old.id,
      jsonb_build_object('status', 'deleted', 'previousStatus', old.status, 'previousStartAt', old.start_at));
  else
    if old.start_at is not distinct from new.start_at and old.occupied_until is not distinct from new.occupied_until
       and old.status is not distinct from new.status and old.stylist_id is not distinct from new.stylist_id
       and old.notes is not distinct from new.notes then
      return null;
    end if;
    v_dates := array(select distinct unnest(
      kb_local_dates(old.stylist_id, old.start_at, old.occupied_until)
      || kb_local_dates(new.stylist_id, new.start_at, new.occupied_until)) order by 1);
    perform kb_record_event('booking.updated', new.stylist_id, v_dates, new.id,
      jsonb_build_object('status', new.status, 'previousStatus', old.status,
                         'previousStartAt', old.start_at));
    if old.stylist_id <> new.stylist_id then
      perform kb_record_event('booking.updated', old.stylist_id,
        kb_local_dates(old.stylist_id, old.start_at, old.occupied_until), new.id,
        jsonb_build_object('status', new.status, 'movedAway', true));
    end if;
  end if;
  return null;
end
$$;
create trigger _100_record_event_delete after delete on bookings
  for each row execute function kb_bookings_event();

create function kb_services_event() returns trigger language plpgsql as $$
declare
  v_stylist uuid;
begin
  if old.duration_minutes is not distinct from new.duration_minutes
     and old.active is not distinct from new.active
     and old.price_cents is not distinct from new.price_cents then
    return null;
  end if;
  for v_stylist in select stylist_id from stylist_services where service_id = new.id loop
    if not exists (select 1 from events e where e.txid = pg_current_xact_id() and e.kind = 'stylist.changed'
                   and e.stylist_id = v_stylist) then
      perform kb_record_event('stylist.changed', v_stylist, null, v_stylist, '{}'::jsonb);
    end if;
  end loop;
  return null;
end
$$;
create trigger _100_record_event after update on services
  for each row execute function kb_services_event();
