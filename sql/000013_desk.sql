-- The front desk (docs/domain.md §7): customers made at the desk without a password (walk-ins,
-- callers), customer search by name, e-mail or phone, and the desk's replay of calendar changes.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- A walk-in customer has no password (nobody can log in as them) and may have no e-mail. Registering
-- with the walk-in's e-mail claims the record: it gets the password and stops being a walk-in.
alter table users alter column password_hash drop not null;
alter table users alter column email drop not null;
alter table users add column walk_in boolean not null default false;
alter table users add constraint users_walk_in_check check (
  (walk_in and role = 'customer' and password_hash is null)
  or (not walk_in and password_hash is not null and email is not null)
);

-- Customer search: substring matches (lower(...) like '%q%') served by trigram indexes, customers only.
create extension if not exists pg_trgm;
create index users_search_name_idx on users using gin (lower(display_name) gin_trgm_ops) where role = 'customer';
create index users_search_email_idx on users using gin (email gin_trgm_ops) where role = 'customer';
create index users_search_phone_idx on users using gin (regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') gin_trgm_ops)
  where role = 'customer';

-- A desk socket replays every change to a stylist's day: holds, schedules and stylists too (bookings
-- and overrides have their own replay indexes, sql/000008).
create index events_replay_desk_idx on events (id)
  where kind in ('hold.created', 'hold.deleted', 'schedule.changed', 'stylist.changed');
