-- Core schema: people, catalogue, schedules, overrides, holds, bookings, audit.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

create extension if not exists btree_gist;

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text not null,
  display_name text not null check (length(display_name) between 1 and 120),
  phone text check (phone is null or length(phone) <= 40),
  role text not null default 'customer' check (role in ('customer', 'stylist', 'admin')),
  -- Customer context that stylists see; safety notes (allergies, conditions) only with a reason.
  notes text not null default '',
  safety_notes text not null default '',
  created_at timestamptz not null default now(),
  check (email = lower(email) and length(email) between 3 and 254)
);
create unique index users_email_key on users (email);

create table stylists (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null unique references users (id) on delete restrict,
  display_name text not null check (length(display_name) between 1 and 120),
  timezone text not null check (length(timezone) between 1 and 64),
  bio text not null default '',
  slot_step_minutes int not null default 30 check (slot_step_minutes between 5 and 240),
  buffer_minutes int not null default 15 check (buffer_minutes between 0 and 240),
  min_notice_minutes int not null default 60 check (min_notice_minutes between 0 and 43200),
  horizon_days int not null default 60 check (horizon_days between 1 and 730),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table services (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 120),
  category text not null default '' check (length(category) <= 60),
  duration_minutes int not null check (duration_minutes between 5 and 720),
  price_cents int not null check (price_cents >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table stylist_services (
  stylist_id uuid not null references stylists (id) on delete cascade,
  service_id uuid not null references services (id) on delete restrict,
  duration_minutes int check (duration_minutes is null or duration_minutes between 5 and 720),
  price_cents int check (price_cents is null or price_cents >= 0),
  primary key (stylist_id, service_id)
);
create index stylist_services_service_idx on stylist_services (service_id);

-- Weekly working windows in the stylist's local wall time. A break is the gap between two windows
-- of one day. A schedule version is the set of rows sharing effective_from.
create table schedule_windows (
  id bigserial primary key,
  stylist_id uuid not null references stylists (id) on delete cascade,
  day_of_week smallint not null check (day_of_week between 0 and 6),
  start_time time not null,
  end_time time not null,
  effective_from date not null,
  effective_until date,
  -- '24:00' is a valid end: a window may run to midnight.
  check (end_time > start_time),
  check (effective_until is null or effective_until >= effective_from)
);
create index schedule_windows_stylist_idx on schedule_windows (stylist_id, day_of_week);

create table overrides (
  id uuid primary key default gen_random_uuid(),
  scope text not null check (scope in ('salon', 'stylist')),
  stylist_id uuid references stylists (id) on delete cascade,
  start_date date not null,
  end_date date not null,
  kind text not null check (kind in ('closed', 'hours', 'blocked')),
  start_time time,
  end_time time,
  priority int not null default 0 check (priority between -1000 and 1000),
  reason text not null check (length(reason) between 1 and 500),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default clock_timestamp(),
  check ((scope = 'salon') = (stylist_id is null)),
  check (end_date >= start_date),
  check (
    (kind = 'closed' and start_time is null and end_time is null)
    or (kind <> 'closed' and start_time is not null and end_time is not null
        and end_time > start_time)
  )
);
create index overrides_dates_idx on overrides (start_date, end_date);
create index overrides_stylist_idx on overrides (stylist_id);

create table holds (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references users (id) on delete cascade,
  stylist_id uuid not null references stylists (id) on delete cascade,
  service_id uuid not null references services (id) on delete restrict,
  start_at timestamptz not null,
  end_at timestamptz not null,
  -- end_at plus the stylist's buffer, fixed when the hold is made.
  occupied_until timestamptz not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  check (end_at > start_at and occupied_until >= end_at)
);
-- One live hold per customer: a new hold replaces the old one in the same transaction.
create unique index holds_customer_key on holds (customer_id);
create index holds_stylist_idx on holds (stylist_id, start_at);
create index holds_expiry_idx on holds (expires_at);

create table bookings (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references users (id) on delete restrict,
  stylist_id uuid not null references stylists (id) on delete restrict,
  service_id uuid not null references services (id) on delete restrict,
  start_at timestamptz not null,
  end_at timestamptz not null,
  -- end_at plus the stylist's buffer at booking time: the appointment occupies [start_at, occupied_until).
  occupied_until timestamptz not null,
  status text not null default 'confirmed'
    check (status in ('pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show')),
  price_cents int not null check (price_cents >= 0),
  notes text not null default '' check (length(notes) <= 2000),
  cancel_reason text,
  idempotency_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_at > start_at and occupied_until >= end_at),
  -- The last line against double booking: no two active bookings of one stylist overlap,
  -- buffer included. Back-to-back ([) ranges) is allowed.
  constraint bookings_no_overlap exclude using gist (
    stylist_id with =,
    tstzrange(start_at, occupied_until, '[)') with &&
  ) where (status in ('pending', 'confirmed', 'in_progress'))
);
create index bookings_stylist_start_idx on bookings (stylist_id, start_at);
create index bookings_customer_idx on bookings (customer_id, created_at desc);
create unique index bookings_idempotency_key on bookings (customer_id, idempotency_key)
  where idempotency_key is not null;

create table announcements (
  id uuid primary key default gen_random_uuid(),
  message text not null check (length(message) between 1 and 1000),
  audience text not null check (audience in ('all', 'stylists', 'customers')),
  level text not null check (level in ('info', 'warning')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_id uuid references users (id) on delete set null,
  action text not null,
  target text not null,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_at_idx on audit_log (id desc);
create index audit_log_actor_idx on audit_log (actor_id, id desc);
