// The demo seed gives the front desk and the reports something to show: a receptionist, walk-in
// customers without accounts, today's finished and under-way appointments, and a history with
// completions, no-shows and cancellations (some late) timed as they happened, and the last two days'
// visits not all marked yet.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../server/db/seed.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';

let db: TestDb;
// Mid-afternoon in Kathmandu on a Wednesday: today has appointments behind, under way and ahead.
const NOW = new Date('2027-03-10T08:55:00Z');

beforeAll(async () => {
  db = await freshDatabase();
  const client = await db.pool.connect();
  try {
    expect(await seedDemo(client, { password: 'kbstylish-demo', timezone: 'Asia/Kathmandu', now: NOW })).toBe(true);
  } finally {
    client.release();
  }
});
afterAll(() => db?.drop());

it('has a receptionist who can sign in', async () => {
  const { rows } = await db.pool.query(
    `select role, password_hash is not null as has_password from users where email = 'desk@kbstylish.test'`,
  );
  expect(rows).toEqual([{ role: 'reception', has_password: true }]);
});

it('has walk-in customers without an account, with visits of their own', async () => {
  const { rows } = await db.pool.query<{
    display_name: string;
    email: string | null;
    password_hash: string | null;
    phone: string;
    visits: number;
  }>(
    `select u.display_name, u.email, u.password_hash, u.phone,
            (select count(*)::int from bookings b where b.customer_id = u.id and b.status = 'completed') as visits
       from users u where u.walk_in order by u.display_name`,
  );
  expect(rows.length).toBeGreaterThanOrEqual(3);
  for (const r of rows) {
    expect(r.email).toBeNull();
    expect(r.password_hash).toBeNull();
    expect(r.phone).toMatch(/\d/);
  }
  expect(rows.some((r) => r.visits > 0)).toBe(true);
});

it('has today behind and under way, and a history the reports can count', async () => {
  const { rows: today } = await db.pool.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from bookings
      where (start_at at time zone 'Asia/Kathmandu')::date = (($1::timestamptz) at time zone 'Asia/Kathmandu')::date
        and end_at <= $1 group by status`,
    [NOW],
  );
  expect(today.length).toBeGreaterThan(0);
  // What has ended is history; some of the last two days' visits are not marked yet (still confirmed),
  // for the stylist or the desk to mark; nothing older is.
  expect(today.filter((r) => r.status === 'pending')).toEqual([]);
  const unmarked = await db.pool.query<{ recent: number; older: number }>(
    `select count(*) filter (where start_at >= $1::timestamptz - interval '2 days')::int as recent,
            count(*) filter (where start_at < $1::timestamptz - interval '2 days')::int as older
       from bookings where status in ('pending', 'confirmed') and end_at <= $1`,
    [NOW],
  );
  expect(unmarked.rows[0].recent).toBeGreaterThan(0);
  expect(unmarked.rows[0].older).toBe(0);
  // What is under way now is in progress (none still waiting to start).
  const underway = await db.pool.query<{ status: string }>(`select status from bookings where start_at < $1 and end_at > $1`, [NOW]);
  expect(underway.rows.map((r) => r.status)).toContain('in_progress');
  expect(underway.rows.filter((r) => r.status === 'pending' || r.status === 'confirmed')).toEqual([]);

  const { rows: past } = await db.pool.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from bookings where end_at <= $1 group by status`,
    [NOW],
  );
  const count = Object.fromEntries(past.map((r) => [r.status, r.n]));
  expect(count.completed).toBeGreaterThan(100);
  expect(count.no_show).toBeGreaterThan(5);
  expect(count.cancelled).toBeGreaterThan(5);
  const { rows: cancel } = await db.pool.query<{ late: number; early: number; untimed: number }>(
    `select count(*) filter (where cancelled_at > start_at - interval '24 hours')::int as late,
            count(*) filter (where cancelled_at <= start_at - interval '24 hours')::int as early,
            count(*) filter (where cancelled_at is null or cancelled_at >= start_at or cancelled_at < created_at)::int as untimed
       from bookings where status = 'cancelled'`,
  );
  expect(cancel[0].untimed).toBe(0);
  expect(cancel[0].late).toBeGreaterThan(0);
  expect(cancel[0].early).toBeGreaterThan(0);
});
