// GET /api/desk/calendar: one salon-local day of every active stylist, for the front desk only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deskCalendar } from '../../server/desk/calendar.ts';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, DAY, fakeClock, ZONE } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let bina: Awaited<ReturnType<typeof createStylist>>;
let inactive: Awaited<ReturnType<typeof createStylist>>;
const clients = {} as Record<'anon' | 'customer' | 'stylist' | 'reception' | 'admin', HttpClient>;
const clock = fakeClock();
const ids = {} as Record<'a11' | 'a13' | 'aNext' | 'b10' | 'holdB' | 'holdExpired' | 'blockB' | 'salonOther', string>;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { displayName: 'Asha' });
  bina = await createStylist(db.pool, { displayName: 'Bina', serviceIds: [salon.service.id] });
  inactive = await createStylist(db.pool, { displayName: 'Aaron', serviceIds: [salon.service.id] });
  await db.pool.query('update stylists set active = false where id = $1', [inactive.id]);
  await db.pool.query(`update users set phone = '+977 9841-000111' where id = $1`, [salon.customer.id]);
  const other = await createUser(db.pool);
  const base = { customerId: salon.customer.id, serviceId: salon.service.id };
  ids.a11 = await insertBooking(db.pool, { ...base, stylistId: salon.stylist.id, startUtc: at('11:00') });
  ids.a13 = await insertBooking(db.pool, { ...base, stylistId: salon.stylist.id, startUtc: at('13:00'), status: 'cancelled' });
  ids.aNext = await insertBooking(db.pool, { ...base, stylistId: salon.stylist.id, startUtc: at('11:00', '2027-03-11') });
  ids.b10 = await insertBooking(db.pool, { ...base, customerId: other.id, stylistId: bina.id, startUtc: at('10:00') });
  await insertBooking(db.pool, { ...base, stylistId: inactive.id, startUtc: at('15:00') });
  const hold = (customerId: string, stylistId: string, hhmm: string, expiresMs: number) =>
    db.pool
      .query<{ id: string }>(
        `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at)
         values ($1, $2, $3, $4, $4::timestamptz + interval '60 minutes', $4::timestamptz + interval '75 minutes', $5) returning id`,
        [customerId, stylistId, salon.service.id, new Date(at(hhmm)), new Date(expiresMs)],
      )
      .then((r) => r.rows[0].id);
  ids.holdB = await hold(other.id, bina.id, '14:00', clock.t + 600_000);
  ids.holdExpired = await hold(salon.customer.id, salon.stylist.id, '15:00', clock.t - 1);
  const override = (stylistId: string | null, date: string, kind: string, start: string | null, end: string | null) =>
    db.pool
      .query<{ id: string }>(
        `insert into overrides (scope, stylist_id, start_date, end_date, kind, start_time, end_time, reason)
         values ($1, $2, $3, $3, $4, $5, $6, 'test') returning id`,
        [stylistId ? 'stylist' : 'salon', stylistId, date, kind, start, end],
      )
      .then((r) => r.rows[0].id);
  ids.blockB = await override(bina.id, DAY, 'blocked', '12:00', '13:00');
  ids.salonOther = await override(null, '2027-03-12', 'closed', null, null);
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

const window = (from: string, to: string, date = DAY) => ({ startUtc: at(from, date), endUtc: at(to, date) });

describe('GET /api/desk/calendar', () => {
  it('every active stylist by name, with windows after overrides, the day’s bookings with contact details, live holds and overrides', async () => {
    const r = await clients.reception.get(`/api/desk/calendar?date=${DAY}`);
    expect(r.status).toBe(200);
    expect(r.body.date).toBe(DAY);
    expect(r.body.timezone).toBe(ZONE);
    expect(r.body.truncated).toBe(false);
    expect(r.body.stylists.map((s: { stylistId: string }) => s.stylistId)).toEqual([salon.stylist.id, bina.id]);
    const [asha, binaCol] = r.body.stylists;
    expect(asha.displayName).toBe('Asha');
    expect(asha.timezone).toBe(ZONE);
    expect(asha.windows).toEqual([window('09:00', '17:00')]);
    expect(asha.bookings.map((b: { id: string; status: string }) => [b.id, b.status])).toEqual([
      [ids.a11, 'confirmed'],
      [ids.a13, 'cancelled'],
    ]);
    expect(asha.bookings[0].customer).toMatchObject({
      id: salon.customer.id,
      phone: '+977 9841-000111',
      email: salon.customer.email,
      walkIn: false,
      hasSafetyNotes: false,
    });
    expect(asha.bookings[0].customer).not.toHaveProperty('safetyNotes');
    expect(asha.holds).toEqual([]);
    expect(asha.overrides).toEqual([]);
    expect(binaCol.windows).toEqual([window('09:00', '12:00'), window('13:00', '17:00')]);
    expect(binaCol.bookings.map((b: { id: string }) => b.id)).toEqual([ids.b10]);
    expect(binaCol.holds).toEqual([
      {
        id: ids.holdB,
        serviceId: salon.service.id,
        startUtc: at('14:00'),
        endUtc: at('15:00'),
        expiresAt: new Date(clock.t + 600_000).toISOString(),
      },
    ]);
    expect(binaCol.overrides.map((o: { id: string }) => o.id)).toEqual([ids.blockB]);
  });

  it('a salon-wide override shows in every column; the default date is today in the salon’s zone', async () => {
    const closed = await clients.admin.get('/api/desk/calendar?date=2027-03-12');
    expect(closed.status).toBe(200);
    for (const col of closed.body.stylists) {
      expect(col.windows).toEqual([]);
      expect(col.overrides.map((o: { id: string }) => o.id)).toEqual([ids.salonOther]);
    }
    const today = await clients.reception.get('/api/desk/calendar');
    expect(today.status).toBe(200);
    // 2027-03-01T00:00Z is 05:45 on 2027-03-01 in Kathmandu.
    expect(today.body.date).toBe('2027-03-01');
    clock.set('2027-03-01T20:00:00Z');
    try {
      expect((await clients.reception.get('/api/desk/calendar')).body.date).toBe('2027-03-02');
    } finally {
      clock.set('2027-03-01T00:00:00Z');
    }
  });

  it('only the front desk: 401 without a login, 403 for customers and stylists', async () => {
    expect((await clients.anon.get(`/api/desk/calendar?date=${DAY}`)).status).toBe(401);
    for (const c of [clients.customer, clients.stylist]) {
      const r = await c.get(`/api/desk/calendar?date=${DAY}`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
  });

  it.each(['date=2027-02-30', 'date=tomorrow', 'date=1999-12-31', 'date=2027-03-10&stylistId=x', 'date=2027-03-10&date=2027-03-11'])(
    'refuses %s with 400 INVALID_INPUT',
    async (qs) => {
      const r = await clients.reception.get(`/api/desk/calendar?${qs}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
    },
  );

  it('reads a fixed number of queries, whatever the number of stylists', async () => {
    const counted = async () => {
      let n = 0;
      const db2 = { query: ((...a: Parameters<typeof db.pool.query>) => (n++, db.pool.query(...a))) as typeof db.pool.query };
      const cal = await deskCalendar(db2, { date: DAY, salonZone: ZONE, nowMs: clock.t });
      return { n, columns: cal.stylists.length };
    };
    const before = await counted();
    for (let i = 0; i < 4; i++) {
      const s = await createStylist(db.pool, { serviceIds: [salon.service.id] });
      const c = await createUser(db.pool);
      await insertBooking(db.pool, { customerId: c.id, stylistId: s.id, serviceId: salon.service.id, startUtc: at('16:00') });
    }
    const after = await counted();
    expect(after.columns).toBe(before.columns + 4);
    expect(after.n).toBe(before.n);
  });
});
