// GET /api/desk/customers?q=: customers (never staff) by name, e-mail or phone, with the last visit
// and the next bookings; LIKE wildcards in the query are literal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCustomers } from '../../server/desk/customers.ts';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const clients = {} as Record<'anon' | 'customer' | 'stylist' | 'reception' | 'admin', HttpClient>;
const clock = fakeClock();
const ids = {} as Record<'sita' | 'ram' | 'rama' | 'sale' | 'walkIn', string>;
const upcoming: string[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { horizonDays: 365 });
  const user = async (displayName: string, email: string, phone: string | null) => {
    const u = await createUser(db.pool, { displayName, email });
    await db.pool.query('update users set phone = $2 where id = $1', [u.id, phone]);
    return u.id;
  };
  ids.sita = await user('Sita Sharma', 'sita@example.test', '+977 984-1234567');
  ids.ram = await user('Ram Thapa', 'ram_1@example.test', null);
  ids.rama = await user('Rama One', 'rama1@example.test', null);
  ids.sale = await user('50% Off Fan', 'fan@example.test', null);
  ids.walkIn = (
    await db.pool.query<{ id: string }>(
      `insert into users (email, password_hash, display_name, phone, role, walk_in) values (null, null, 'Walk Inn', '01-555-777', 'customer', true) returning id`,
    )
  ).rows[0].id;
  // Staff named like a customer are never found.
  await createUser(db.pool, { role: 'reception', displayName: 'Sita Desk', email: 'sita.desk@example.test' });
  await createStylist(db.pool, { displayName: 'Sita Stylist' });
  for (let i = 0; i < 25; i++) await createUser(db.pool, { displayName: `Zed ${String(i).padStart(2, '0')}` });
  // Sita: two completed visits (the last on Feb 20), one cancelled and six active bookings ahead.
  const base = { customerId: ids.sita, stylistId: salon.stylist.id, serviceId: salon.service.id };
  await insertBooking(db.pool, { ...base, startUtc: at('10:00', '2027-02-10'), status: 'completed' });
  await insertBooking(db.pool, { ...base, startUtc: at('10:00', '2027-02-20'), status: 'completed' });
  await insertBooking(db.pool, { ...base, startUtc: at('10:00', '2027-03-02'), status: 'cancelled' });
  for (let d = 3; d <= 8; d++) upcoming.push(await insertBooking(db.pool, { ...base, startUtc: at('10:00', `2027-03-0${d}`) }));
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const reception = await createUser(db.pool, { role: 'reception' });
  const admin = await createUser(db.pool, { role: 'admin' });
  clients.anon = new HttpClient(srv.baseUrl);
  clients.customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  clients.stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  clients.reception = await loginAs(srv.baseUrl, reception.email, reception.password);
  clients.admin = await loginAs(srv.baseUrl, admin.email, admin.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const search = (q: string, c = clients.reception) => c.get(`/api/desk/customers?${new URLSearchParams({ q })}`);
const idsOf = (body: { id: string }[]) => body.map((c) => c.id);

describe('GET /api/desk/customers', () => {
  it('finds by part of the name, any case, customers only, with the last visit and at most five next bookings', async () => {
    const r = await search('SITA');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      {
        id: ids.sita,
        displayName: 'Sita Sharma',
        email: 'sita@example.test',
        phone: '+977 984-1234567',
        walkIn: false,
        lastVisitAt: at('10:00', '2027-02-20'),
        upcoming: upcoming.slice(0, 5).map((id, i) => ({
          id,
          stylistId: salon.stylist.id,
          serviceId: salon.service.id,
          startUtc: at('10:00', `2027-03-0${i + 3}`),
          status: 'confirmed',
        })),
      },
    ]);
    expect(idsOf((await search('harm')).body)).toEqual([ids.sita]);
  });

  it('finds by e-mail, with _ and % taken literally', async () => {
    expect(idsOf((await search('ram_1')).body)).toEqual([ids.ram]);
    expect(idsOf((await search('ram')).body)).toEqual([ids.ram, ids.rama]);
    expect(idsOf((await search('0%')).body)).toEqual([ids.sale]);
    expect(idsOf((await search('%%')).body)).toEqual([]);
  });

  it('finds by the digits of a phone number, however it is written', async () => {
    expect(idsOf((await search('1234567')).body)).toEqual([ids.sita]);
    expect(idsOf((await search('984 123')).body)).toEqual([ids.sita]);
    expect((await search('555777')).body).toEqual([
      { id: ids.walkIn, displayName: 'Walk Inn', email: null, phone: '01-555-777', walkIn: true, lastVisitAt: null, upcoming: [] },
    ]);
  });

  it('answers at most 20, by name', async () => {
    const r = await search('zed', clients.admin);
    expect(r.status).toBe(200);
    expect(r.body.map((c: { displayName: string }) => c.displayName)).toEqual(
      Array.from({ length: 20 }, (_, i) => `Zed ${String(i).padStart(2, '0')}`),
    );
  });

  it.each(['sita', '984123'])('for %s, the plan can use the trigram indexes instead of reading every user', async (q) => {
    const seen: { text: string; values: unknown[] }[] = [];
    const recorder = {
      query: (text: string, values: unknown[]) => {
        seen.push({ text, values });
        return db.pool.query(text, values);
      },
    } as unknown as Parameters<typeof searchCustomers>[0];
    await searchCustomers(recorder, q, clock.t);
    const c = await db.pool.connect();
    try {
      await c.query('begin');
      // The test table is tiny: without this a sequential scan is cheapest and says nothing.
      await c.query('set local enable_seqscan = off');
      const plan = (await c.query(`explain ${seen[0].text}`, seen[0].values)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      expect(plan).toContain(q === 'sita' ? 'users_search_name_idx' : 'users_search_phone_idx');
      expect(plan).not.toMatch(/Seq Scan on users/);
    } finally {
      await c.query('rollback');
      c.release();
    }
  });

  it('only the front desk: 401 without a login, 403 for customers and stylists', async () => {
    expect((await search('sita', clients.anon)).status).toBe(401);
    for (const c of [clients.customer, clients.stylist]) {
      const r = await search('sita', c);
      expect([r.status, r.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
  });

  it.each(['', 'q=', 'q=a', 'q=%20a%20', `q=${'x'.repeat(101)}`, 'q=sita&limit=5', 'q=sita&q=ram'])(
    'refuses ?%s with 400 INVALID_INPUT',
    async (qs) => {
      const r = await clients.reception.get(`/api/desk/customers?${qs}`);
      expect([r.status, r.body.error.code]).toEqual([400, 'INVALID_INPUT']);
    },
  );
});
