-- Accounts and bookings API: the session store, idempotency fingerprints, history index.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- Sessions of express-session, kept by connect-pg-simple (its table layout, with timestamptz so
-- the expiry does not depend on the connection's TimeZone setting).
create table session (
  sid varchar primary key,
  sess json not null,
  expire timestamptz not null
);
create index session_expire_idx on session (expire);

-- What a booking request with an Idempotency-Key asked for (a hash of the normalised request), so a
-- retry with the same key but a different request is refused instead of answered with the
-- first booking.
alter table bookings add column idempotency_fingerprint text;

-- Customer context for stylists: completed visits of one customer, newest first.
create index bookings_customer_completed_idx on bookings (customer_id, start_at desc)
  where status = 'completed';
