-- Outbox: every change that affects availability, bookings or announcements appends an event row,
-- whoever writes it (the API, psql, a batch job). Triggers are named _100_… (record) so that their
-- firing order is explicit; the commit-time trigger _900_… seals and notifies.
--
-- Ordering: a bigserial id is taken before commit, so ids become visible out of order and a reader
-- using "id > last" could skip an event for good. Instead the public id is assigned by a deferred
-- constraint trigger at commit time under a transaction-level advisory lock: ids are then handed
-- out in commit order, and once id N is visible every id below it is too. The lock is held only
-- from the pre-commit point to the commit, so writers serialise for microseconds, not for their
-- whole transaction.

create table events (
  row_id bigserial primary key,
  -- Public, gap-tolerant, commit-ordered id; null until the writing transaction commits.
  id bigint unique,
  kind text not null check (kind in (
    'booking.created', 'booking.updated',
    'hold.created', 'hold.deleted',
    'override.created', 'override.deleted',
    'schedule.changed', 'stylist.changed',
    'announcement.created'
  )),
  -- null: salon-wide (an override for everyone) or not about a stylist (announcement)
  stylist_id uuid,
  -- Stylist-local dates whose slots change; null means every date.
  dates date[],
  entity_id uuid,
  data jsonb not null default '{}'::jsonb,
  txid xid8 not null default pg_current_xact_id(),
  created_at timestamptz not null default clock_timestamp(),
  committed_at timestamptz
);
create sequence events_id_seq as bigint;
create index events_created_at_idx on events (created_at);

-- Highest event id that changed the slots of (stylist, day). The salon row uses the nil uuid and a
-- change to every date uses day = '-infinity'; a day's version is the max over those four rows.
create table availability_versions (
  stylist_id uuid not null,
  day date not null,
  version bigint not null,
  primary key (stylist_id, day)
);

-- Retention bookkeeping: replay from before this id is impossible (pruned), so clients get resync.
create table events_retention (
  singleton boolean primary key default true check (singleton),
  pruned_through bigint not null default 0
);
insert into events_retention default values;

create function kb_local_dates(p_stylist uuid, p_from timestamptz, p_until timestamptz)
returns date[] language sql stable as $$
  select coalesce(array_agg(d::date order by d), '{}')
  from stylists s,
       generate_series(
         (p_from at time zone s.timezone)::date,
         -- the occupied range is half-open: an appointment ending at midnight does not touch the next day
         ((p_until - interval '1 microsecond') at time zone s.timezone)::date,
         interval '1 day') as d
  where s.id = p_stylist
$$;

create function kb_date_range(p_from date, p_until date) returns date[]
language sql immutable as $$
  select coalesce(array_agg(d::date order by d), '{}')
  from generate_series(p_from, p_until, interval '1 day') as d
$$;

create function kb_record_event(p_kind text, p_stylist uuid, p_dates date[], p_entity uuid, p_data jsonb)
returns void language plpgsql as $$
begin
  insert into events (kind, stylist_id, dates, entity_id, data)
  values (p_kind, p_stylist, p_dates, p_entity, coalesce(p_data, '{}'::jsonb));
end
$$;

create function kb_seal_event() returns trigger language plpgsql as $$
declare
  v_id bigint;
  v_day date;
begin
  -- Serialise only the commit point, so ids follow commit order.
  perform pg_advisory_xact_lock(7412001);
  v_id := nextval('events_id_seq');
  update events set id = v_id, committed_at = clock_timestamp() where row_id = new.row_id;
  if new.kind not in ('announcement.created') then
    foreach v_day in array coalesce(new.dates, array['-infinity'::date]) loop
      insert into availability_versions (stylist_id, day, version)
      values (coalesce(new.stylist_id, '00000000-0000-0000-0000-000000000000'::uuid), v_day, v_id)
      on conflict (stylist_id, day) do update set version = excluded.version;
    end loop;
  end if;
  -- A nudge carrying ids only, far below the 8000-byte limit; the relay reads the row.
  perform pg_notify('kb_events', json_build_object('id', v_id, 'kind', new.kind)::text);
  return null;
end
$$;

create constraint trigger _900_seal_and_notify
  after insert on events
  deferrable initially deferred
  for each row execute function kb_seal_event();

-- bookings ---------------------------------------------------------------------------------------
create function kb_bookings_event() returns trigger language plpgsql as $$
declare
  v_dates date[];
begin
  if tg_op = 'INSERT' then
    perform kb_record_event('booking.created', new.stylist_id,
      kb_local_dates(new.stylist_id, new.start_at, new.occupied_until), new.id,
      jsonb_build_object('status', new.status));
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
create trigger _100_record_event after insert or update on bookings
  for each row execute function kb_bookings_event();

-- holds ------------------------------------------------------------------------------------------
create function kb_holds_event() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform kb_record_event('hold.deleted', old.stylist_id,
      kb_local_dates(old.stylist_id, old.start_at, old.occupied_until), old.id,
      jsonb_build_object('customerId', old.customer_id));
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    perform kb_record_event('hold.created', new.stylist_id,
      kb_local_dates(new.stylist_id, new.start_at, new.occupied_until), new.id,
      jsonb_build_object('customerId', new.customer_id, 'expiresAt', new.expires_at));
  end if;
  return null;
end
$$;
create trigger _100_record_event after insert or update or delete on holds
  for each row execute function kb_holds_event();

-- overrides --------------------------------------------------------------------------------------
create function kb_overrides_event() returns trigger language plpgsql as $$
declare
  r overrides%rowtype;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    r := old;
    perform kb_record_event('override.deleted', r.stylist_id, kb_date_range(r.start_date, r.end_date), r.id,
      jsonb_build_object('kind', r.kind, 'scope', r.scope));
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    r := new;
    perform kb_record_event('override.created', r.stylist_id, kb_date_range(r.start_date, r.end_date), r.id,
      jsonb_build_object('kind', r.kind, 'scope', r.scope));
  end if;
  return null;
end
$$;
create trigger _100_record_event after insert or update or delete on overrides
  for each row execute function kb_overrides_event();

-- schedules, stylist settings and services: one event per stylist per transaction ----------------
create index events_txid_idx on events (txid);

create function kb_stylist_wide_event() returns trigger language plpgsql as $$
declare
  v_kind text := tg_argv[0];
  v_stylist uuid;
begin
  if tg_table_name = 'stylists' then
    v_stylist := coalesce(new.id, old.id);
    if tg_op = 'UPDATE' and old is not distinct from new then
      return null;
    end if;
  elsif tg_op = 'DELETE' then
    v_stylist := old.stylist_id;
  else
    v_stylist := new.stylist_id;
  end if;
  -- Deduplicate within the transaction: replacing a schedule touches many rows.
  if not exists (select 1 from events e where e.txid = pg_current_xact_id() and e.kind = v_kind
                 and e.stylist_id = v_stylist) then
    perform kb_record_event(v_kind, v_stylist, null, v_stylist, '{}'::jsonb);
  end if;
  return null;
end
$$;

create trigger _100_record_event after insert or update or delete on schedule_windows
  for each row execute function kb_stylist_wide_event('schedule.changed');
create trigger _100_record_event after insert or update or delete on stylist_services
  for each row execute function kb_stylist_wide_event('stylist.changed');
create trigger _100_record_event after update on stylists
  for each row execute function kb_stylist_wide_event('stylist.changed');

-- announcements ----------------------------------------------------------------------------------
create function kb_announcements_event() returns trigger language plpgsql as $$
begin
  perform kb_record_event('announcement.created', null, null, new.id,
    jsonb_build_object('audience', new.audience));
  return null;
end
$$;
create trigger _100_record_event after insert on announcements
  for each row execute function kb_announcements_event();
