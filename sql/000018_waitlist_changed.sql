-- `waitlist.changed`: the outbox event of a change to who waits for a date (docs/domain.md §12), so
-- the front desk's waitlist counts are live like the rest of its calendar, whoever writes the entry
-- (the API, the booking that fulfils it, psql), and a reconnecting desk replays it.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

alter table events drop constraint events_kind_check;
alter table events add constraint events_kind_check check (kind in (
  'booking.created', 'booking.updated',
  'hold.created', 'hold.deleted',
  'override.created', 'override.deleted',
  'schedule.changed', 'stylist.changed',
  'announcement.created',
  'waitlist.offered', 'waitlist.changed'
));

-- The latest body (sql/000004) with the kinds that change no slots listed: a waitlist change names a
-- stylist (null: any stylist) and a date, but frees or takes no time, so it bumps no availability
-- version (slot answers and their versions stay valid). `waitlist.offered` names no dates already;
-- listing it keeps a hand-written row with null dates from bumping every date.
create or replace function kb_seal_event() returns trigger language plpgsql as $$
declare
  v_id bigint;
  v_day date;
  v_payload jsonb;
begin
  -- Serialise only the commit point, so ids follow commit order.
  perform pg_advisory_xact_lock(7412001);
  v_id := nextval('events_id_seq');
  update events set id = v_id, committed_at = clock_timestamp() where row_id = new.row_id;
  if new.kind not in ('announcement.created', 'waitlist.offered', 'waitlist.changed') then
    foreach v_day in array coalesce(new.dates, array['-infinity'::date]) loop
      insert into availability_versions (stylist_id, day, version)
      values (coalesce(new.stylist_id, '00000000-0000-0000-0000-000000000000'::uuid), v_day, v_id)
      on conflict (stylist_id, day) do update set version = excluded.version;
    end loop;
  end if;
  v_payload := jsonb_build_object('id', v_id, 'kind', new.kind);
  if coalesce(cardinality(new.dates), 0) <= 31 then
    v_payload := v_payload || jsonb_build_object('stylistId', new.stylist_id, 'dates', new.dates);
  end if;
  perform pg_notify('kb_events', v_payload::text);
  return null;
end
$$;

-- One event per (stylist or any, date) a transaction changes the waiting entries of: a join (insert),
-- a leave or fulfilment (status change), a moved or deleted entry (psql, cascades) on both sides.
-- Deduplicated within the transaction (a cascade may end many entries of one day at once).
create function kb_waitlist_record(p_stylist uuid, p_date date, p_entry uuid, p_status text) returns void
language plpgsql as $$
begin
  if not exists (select 1 from events e where e.txid = pg_current_xact_id() and e.kind = 'waitlist.changed'
                 and e.stylist_id is not distinct from p_stylist and e.dates = array[p_date]) then
    perform kb_record_event('waitlist.changed', p_stylist, array[p_date], p_entry,
      jsonb_build_object('status', p_status));
  end if;
end
$$;

create function kb_waitlist_entries_event() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.status is not distinct from new.status and old.date is not distinct from new.date
     and old.stylist_id is not distinct from new.stylist_id then
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') and (tg_op = 'DELETE' or old.date <> new.date
                                        or old.stylist_id is distinct from new.stylist_id) then
    perform kb_waitlist_record(old.stylist_id, old.date, old.id, case when tg_op = 'DELETE' then 'deleted' else old.status end);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    perform kb_waitlist_record(new.stylist_id, new.date, new.id, new.status);
  end if;
  return null;
end
$$;
create trigger _100_record_event after insert or update or delete on waitlist_entries
  for each row execute function kb_waitlist_entries_event();

-- A desk socket's replay reads these through their own index (like sql/000013's kinds).
create index events_replay_waitlist_idx on events (id) where kind = 'waitlist.changed';
