-- Settings of the installation, one row per key (the salon's own settings will live here too).
-- The first is the session secret: generated once by the first process that starts
-- (`insert ... on conflict do nothing`, then read), so restarts and every process share it.

create table settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_.]{0,62}$'),
  value jsonb not null,
  updated_at timestamptz not null default now()
);

-- Nothing in this table is for the public; only the server's own role should read it.
comment on table settings is 'Installation settings by key; session_secret signs session cookies';
