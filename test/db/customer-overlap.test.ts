// bookings_customer_no_overlap (sql/000009_customer_overlap.sql): the database itself refuses two
// active bookings of one customer at overlapping times, whatever the stylists; the migration
// exempts overlaps made before the rule; the demo seed loads under it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDatabase } from '../../server/db/embedded.ts';
import { migrate, readMigrations } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';

let db: TestDb;
let service: { id: string };
let s1: { id: string };
let s2: { id: string };
let customer: { id: string };

beforeAll(async () => {
  db = await freshDatabase();
  service = await createService(db.pool);
  s1 = await createStylist(db.pool, { serviceIds: [service.id] });
  s2 = await createStylist(db.pool, { serviceIds: [service.id] });
  customer = await createUser(db.pool);
});
afterAll(async () => db?.drop());

const book = (stylistId: string, startUtc: string, o: { status?: string; customerId?: string } = {}) =>
  insertBooking(db.pool, { customerId: o.customerId ?? customer.id, stylistId, serviceId: service.id, startUtc, status: o.status });

describe('bookings_customer_no_overlap', () => {
  it('refuses a second active booking of one customer overlapping the first, with another stylist', async () => {
    await book(s1.id, '2027-06-01T04:00:00Z'); // 04:00–05:00
    await expect(book(s2.id, '2027-06-01T04:30:00Z')).rejects.toMatchObject({ code: '23P01', constraint: 'bookings_customer_no_overlap' });
    await expect(book(s2.id, '2027-06-01T03:30:00Z')).rejects.toMatchObject({ code: '23P01', constraint: 'bookings_customer_no_overlap' });
  });

  it('counts the appointment only: a booking starting when the other ends (inside its stylist’s buffer) is fine', async () => {
    await book(s1.id, '2027-06-02T04:00:00Z');
    await expect(book(s2.id, '2027-06-02T05:00:00Z')).resolves.toBeTypeOf('string');
  });

  it('ignores inactive bookings and other customers, and refuses reactivating a cancelled overlap', async () => {
    const cancelled = await book(s1.id, '2027-06-03T04:00:00Z', { status: 'cancelled' });
    await book(s1.id, '2027-06-03T04:00:00Z', { status: 'completed' });
    await book(s2.id, '2027-06-03T04:00:00Z');
    const someoneElse = await createUser(db.pool);
    await expect(book(s1.id, '2027-06-03T04:00:00Z', { customerId: someoneElse.id })).resolves.toBeTypeOf('string');
    await expect(db.pool.query(`update bookings set status = 'confirmed' where id = $1`, [cancelled])).rejects.toMatchObject({
      code: '23P01',
    });
  });

  it('refuses moving a booking onto another of the customer’s', async () => {
    await book(s1.id, '2027-06-04T04:00:00Z');
    const later = await book(s2.id, '2027-06-04T08:00:00Z');
    await expect(
      db.pool.query(`update bookings set start_at = '2027-06-04T04:15:00Z', end_at = '2027-06-04T05:15:00Z' where id = $1`, [later]),
    ).rejects.toMatchObject({ code: '23P01', constraint: 'bookings_customer_no_overlap' });
  });
});

describe('migration 000009 on a database with overlaps made before the rule', () => {
  const name = `m9_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  let dir: string;
  let c: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    c = new pg.Client({ connectionString: withDatabase(inject('pgUrl'), name) });
    await c.connect();
    dir = await mkdtemp(path.join(tmpdir(), 'kb-m9-'));
  });
  afterAll(async () => {
    await c?.end();
    await rm(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('keeps the earliest-made booking under the rule, exempts the later overlapping one, and checks it again once moved', async () => {
    const all = await readMigrations();
    for (const f of all.filter((m) => m.version < 9)) await writeFile(path.join(dir, f.name), f.sql);
    await migrate(c, dir);
    const ids = async (sql: string, params: unknown[]) => (await c.query<{ id: string }>(sql, params)).rows[0].id;
    const cust = await ids(`insert into users (email, password_hash, display_name) values ('m9@example.test', 'x', 'M9') returning id`, []);
    const svc = await ids(`insert into services (name, duration_minutes, price_cents) values ('Cut', 60, 100) returning id`, []);
    const stylist = async (email: string) => {
      const u = await ids(`insert into users (email, password_hash, display_name, role) values ($1, 'x', 'S', 'stylist') returning id`, [
        email,
      ]);
      return ids(`insert into stylists (user_id, display_name, timezone) values ($1, 'S', 'Asia/Kathmandu') returning id`, [u]);
    };
    const [a, b] = [await stylist('m9a@example.test'), await stylist('m9b@example.test')];
    const insert = (st: string, start: string, created: string) =>
      ids(
        `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents, created_at)
         values ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '60 minutes', $4::timestamptz + interval '75 minutes', 100, $5)
         returning id`,
        [cust, st, svc, start, created],
      );
    const first = await insert(a, '2027-07-01T04:00:00Z', '2027-01-01T00:00:00Z');
    const second = await insert(b, '2027-07-01T04:30:00Z', '2027-01-02T00:00:00Z');

    expect(await migrate(c)).toEqual(all.filter((m) => m.version >= 9).map((m) => m.name));
    const { rows } = await c.query<{ id: string; customer_overlap_exempt: boolean }>(
      'select id, customer_overlap_exempt from bookings order by created_at',
    );
    expect(rows).toEqual([
      { id: first, customer_overlap_exempt: false },
      { id: second, customer_overlap_exempt: true },
    ]);
    // New overlaps are refused from now on, against the booking that stayed under the rule.
    await expect(insert(b, '2027-07-01T03:30:00Z', '2027-01-03T00:00:00Z')).rejects.toMatchObject({ code: '23P01' });
    // Moving the exempt booking (as reschedule does) puts it under the rule at its new time.
    await expect(
      c.query(
        `update bookings set start_at = '2027-07-01T04:15:00Z', end_at = '2027-07-01T05:15:00Z', customer_overlap_exempt = false where id = $1`,
        [second],
      ),
    ).rejects.toMatchObject({ code: '23P01' });
  });
});

describe('the demo seed', () => {
  it('loads under the rule, with bookings ahead for several customers and no customer in two chairs at once', async () => {
    const fresh = await freshDatabase();
    try {
      const client = await fresh.pool.connect();
      try {
        expect(await seedDemo(client, { password: 'kbstylish-demo', timezone: 'Asia/Kathmandu' })).toBe(true);
      } finally {
        client.release();
      }
      const active = `status in ('pending', 'confirmed', 'in_progress')`;
      const { rows } = await fresh.pool.query<{ n: number; customers: number }>(
        `select count(*)::int as n, count(distinct customer_id)::int as customers from bookings where ${active}`,
      );
      expect(rows[0].n).toBeGreaterThan(20);
      expect(rows[0].customers).toBeGreaterThan(5);
      const overlaps = await fresh.pool.query(
        `select 1 from bookings x join bookings y on x.customer_id = y.customer_id and x.id < y.id
          and tstzrange(x.start_at, x.end_at) && tstzrange(y.start_at, y.end_at)
         where x.${active} and y.${active}`,
      );
      expect(overlaps.rowCount).toBe(0);
      // The first demo customers have history but a free diary ahead (the e2e scenarios book as them).
      const free = await fresh.pool.query<{ email: string; past: number; ahead: number }>(
        `select u.email, count(*) filter (where not b.${active})::int as past, count(*) filter (where b.${active})::int as ahead
           from users u join bookings b on b.customer_id = u.id
          where u.email in ('customer@kbstylish.test', 'anita@kbstylish.test', 'rohan@kbstylish.test', 'maya@kbstylish.test')
          group by u.email order by u.email`,
      );
      expect(free.rows).toHaveLength(4);
      for (const r of free.rows) expect([r.email, r.past > 0, r.ahead]).toEqual([r.email, true, 0]);
    } finally {
      await fresh.drop();
    }
  });
});
