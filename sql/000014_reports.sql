-- The salon's numbers (GET /api/admin/reports/summary): when a booking was cancelled, and the audit
-- log looked up by target (who cancelled a booking; the audit log's names and links).
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- When the booking became cancelled (how late a cancellation was). Set by the trigger below on the
-- change to `cancelled`, whoever writes it; a row inserted as cancelled may give it, else it is the
-- row's updated_at. Bookings cancelled before this migration take their last update, which was the
-- cancellation (a cancelled booking cannot change status again). Changing only this column records
-- no outbox event (kb_bookings_event ignores it).
alter table bookings add column cancelled_at timestamptz;
update bookings set cancelled_at = updated_at where status = 'cancelled';

create function kb_bookings_cancelled_at() returns trigger language plpgsql as $$
begin
  if new.status = 'cancelled' then
    if tg_op = 'INSERT' then
      new.cancelled_at := coalesce(new.cancelled_at, new.updated_at);
    elsif old.status <> 'cancelled' then
      new.cancelled_at := coalesce(new.cancelled_at, now());
    end if;
  else
    new.cancelled_at := null;
  end if;
  return new;
end
$$;
create trigger _050_cancelled_at before insert or update of status on bookings
  for each row execute function kb_bookings_cancelled_at();

-- Entries about one thing (`booking:<id>`), newest first.
create index audit_log_target_idx on audit_log (target, id desc);
