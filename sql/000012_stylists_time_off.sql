-- Stylist time off (docs/domain.md, "Time off"): a stylist asks for days off themselves; each
-- granted request is a `closed` stylist override (so slots, attention and pushes work as for an
-- admin's closure) within a monthly budget the admin sets per stylist.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- Requests a stylist may make per calendar month (in their zone), ordinary and emergency.
alter table stylists
  add column time_off_budget int not null default 3 check (time_off_budget between 0 and 31),
  add column emergency_budget int not null default 1 check (emergency_budget between 0 and 31);

-- A request outlives its override: revoking deletes the override and keeps the request (revoked,
-- still counted against its month). `override_id` has no foreign key for that reason; the request
-- is active exactly while that override exists.
create table time_off_requests (
  id uuid primary key default gen_random_uuid(),
  stylist_id uuid not null references stylists (id) on delete cascade,
  override_id uuid not null unique,
  start_date date not null,
  end_date date not null,
  reason text not null default '' check (length(reason) <= 200),
  emergency boolean not null default false,
  -- First day of the stylist-local month the request was made in: the budget it counts against.
  budget_month date not null check (extract(day from budget_month) = 1),
  requested_by uuid references users (id) on delete set null,
  created_at timestamptz not null default clock_timestamp(),
  revoked_at timestamptz,
  revoked_by uuid references users (id) on delete set null,
  check (end_date >= start_date)
);
create index time_off_requests_budget_idx on time_off_requests (stylist_id, budget_month);

-- Every override answer and event says whether it is a stylist's time off, and who asked. The
-- request row is written before its override, so the override's own `override.created` event
-- carries it too.
create or replace function kb_override_json(r overrides) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'id', r.id, 'scope', r.scope, 'stylistId', r.stylist_id,
    'startDate', to_char(r.start_date, 'YYYY-MM-DD'), 'endDate', to_char(r.end_date, 'YYYY-MM-DD'),
    'kind', r.kind, 'start', to_char(r.start_time, 'HH24:MI'), 'end', to_char(r.end_time, 'HH24:MI'),
    'priority', r.priority, 'reason', r.reason, 'createdBy', r.created_by,
    'createdAt', to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'timeOff', (select jsonb_build_object('requestId', t.id, 'emergency', t.emergency,
                                          'requestedBy', t.requested_by, 'requestedByName', u.display_name)
                  from time_off_requests t left join users u on u.id = t.requested_by
                 where t.override_id = r.id))
$$;
