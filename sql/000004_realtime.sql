-- Live pipeline support: event pruning, the hold-expiry sweeper, and richer override events.
-- Forward-only: 000002 (the outbox) is shipped; what it lacks is added or replaced here.

-- Pruning ----------------------------------------------------------------------------------------
-- Committed ids and committed_at both grow in commit order (assigned together under the commit
-- lock), so "the newest event older than the cutoff" is found through this index and everything up
-- to its id can go: the table always keeps a contiguous suffix of the history, and
-- events_retention.pruned_through says where it starts (a client asking to replay from before it
-- gets `resync`).
create index events_committed_at_idx on events (committed_at) where id is not null;

create function kb_prune_events(p_retention interval) returns bigint
language plpgsql as $$
declare
  v_through bigint;
  v_deleted bigint;
begin
  -- Every process runs the pruner; one at a time is enough, the others skip.
  if not pg_try_advisory_xact_lock(7412003) then
    return 0;
  end if;
  select e.id into v_through from events e
   where e.id is not null and e.committed_at < now() - p_retention
   order by e.committed_at desc limit 1;
  if v_through is null then
    return 0;
  end if;
  -- Raise the mark first: a replay that reads it after this commit never expects a deleted row.
  update events_retention set pruned_through = greatest(pruned_through, v_through);
  delete from events where id <= v_through;
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

-- Hold expiry ------------------------------------------------------------------------------------
-- Deleting an expired hold fires the holds trigger, which records `hold.deleted`: expiry becomes an
-- event like any other. Cheap enough to run from every process: an index range scan on
-- holds_expiry_idx, and SKIP LOCKED so concurrent sweepers split the work instead of queueing.
create function kb_sweep_expired_holds(p_limit int) returns int
language sql as $$
  with doomed as (
    select id from holds where expires_at <= now() order by expires_at limit p_limit for update skip locked
  ), gone as (
    delete from holds h using doomed where h.id = doomed.id returning 1
  )
  select count(*)::int from gone
$$;

-- Overrides: carry the whole override in the event, so `override:changed` can describe a deleted
-- override (whose row is gone) and a replay shows the override as it was when it changed.
create function kb_override_json(r overrides) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'id', r.id, 'scope', r.scope, 'stylistId', r.stylist_id,
    'startDate', to_char(r.start_date, 'YYYY-MM-DD'), 'endDate', to_char(r.end_date, 'YYYY-MM-DD'),
    'kind', r.kind, 'start', to_char(r.start_time, 'HH24:MI'), 'end', to_char(r.end_time, 'HH24:MI'),
    'priority', r.priority, 'reason', r.reason, 'createdBy', r.created_by,
    'createdAt', to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

create or replace function kb_overrides_event() returns trigger language plpgsql as $$
declare
  r overrides%rowtype;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    r := old;
    perform kb_record_event('override.deleted', r.stylist_id, kb_date_range(r.start_date, r.end_date), r.id,
      kb_override_json(r));
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    r := new;
    perform kb_record_event('override.created', r.stylist_id, kb_date_range(r.start_date, r.end_date), r.id,
      kb_override_json(r));
  end if;
  return null;
end
$$;

-- The notification names what changed (the stylist and up to 31 local dates), so a relay can
-- invalidate and refresh watchers as soon as it hears of a commit, before it reads the row. Still
-- a few hundred bytes at most, far below the 8000-byte limit; a longer range (a long override)
-- sends only id and kind, and the relay learns the rest from the events table as before.
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
  if new.kind not in ('announcement.created') then
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
