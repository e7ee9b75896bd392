// Dates and instants far from now: every one the API accepts is bounded to a real calendar window
// (2000-01-01 … 2099-12-31 for dates, 2000 … 2100 for instants), and nothing loops over days
// without a bound. The override cases run against a server in a child process: on a server that
// loops forever the request times out and /healthz stops answering, instead of the test runner hanging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { fromPgError } from '../../server/errors.ts';
import { startChildServer, type ChildServer } from './child-server.ts';

/** A request that must answer within 2 s: a server stuck in a loop fails it instead of hanging the test. */
async function quick(c: HttpClient, method: string, path: string, body?: unknown) {
  const r = await Promise.race([
    c.request(method, path, body),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${method} ${path}: no answer within 2 s`)), 2000)),
  ]);
  return r;
}

async function healthy(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
  return res.status;
}

describe('admin overrides and schedules with far dates (a server in a child process)', () => {
  let db: TestDb;
  let child: ChildServer;
  let salon: Awaited<ReturnType<typeof createSalon>>;
  let admin: HttpClient;
  let legacyId: string;

  beforeAll(async () => {
    db = await freshDatabase();
    salon = await createSalon(db.pool);
    // An override written before dates were bounded (or by hand in psql): the server must start
    // with it in place and be able to delete it (the day after 9999-12-31 is +010000-01-01).
    ({
      rows: [{ id: legacyId }],
    } = await db.pool.query<{ id: string }>(
      `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason)
       values ('stylist', $1, '9999-12-31', '9999-12-31', 'closed', 'legacy far closure') returning id`,
      [salon.stylist.id],
    ));
    child = await startChildServer(db.url, NO_LIMITS);
    const a = await createUser(db.pool, { role: 'admin' });
    admin = await loginAs(child.baseUrl, a.email, a.password);
  });
  afterAll(async () => {
    await child?.stop();
    await db?.drop();
  });

  const override = (o: Record<string, unknown>) => ({
    scope: 'stylist',
    stylistId: salon.stylist.id,
    kind: 'closed',
    reason: 'far date',
    ...o,
  });

  it.each([
    ['a stylist override on 9999-12-31', () => override({ startDate: '9999-12-31', endDate: '9999-12-31' })],
    [
      'a salon override on 9999-12-31',
      () => ({ scope: 'salon', kind: 'closed', reason: 'far', startDate: '9999-12-31', endDate: '9999-12-31' }),
    ],
    ['an override from 2099-12-31 to 2100-01-01', () => override({ startDate: '2099-12-31', endDate: '2100-01-01' })],
    ['an override on 1999-12-31', () => override({ startDate: '1999-12-31', endDate: '1999-12-31' })],
    ['an override on 0001-01-01', () => override({ startDate: '0001-01-01', endDate: '0001-01-01' })],
  ])('refuses %s with 400 at once, writes nothing, and stays responsive', async (_name, body) => {
    const before = (await db.pool.query('select count(*)::int as n from overrides')).rows[0].n;
    for (const path of ['/api/admin/overrides', '/api/admin/overrides/preview']) {
      const r = await quick(admin, 'POST', path, body());
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(r.body.error.details)).toMatch(/2000-01-01.*2099-12-31/);
    }
    expect(await healthy(child.baseUrl)).toBe(200);
    expect((await db.pool.query('select count(*)::int as n from overrides')).rows[0].n).toBe(before);
  });

  it('accepts the edges of the window', async () => {
    for (const date of ['2000-01-01', '2099-12-31']) {
      const r = await quick(admin, 'POST', '/api/admin/overrides', override({ startDate: date, endDate: date }));
      expect(r.status).toBe(201);
      expect(r.body.override.startDate).toBe(date);
    }
    expect(await healthy(child.baseUrl)).toBe(200);
  });

  it('deletes an override ending in 9999 that is already stored, and stays responsive', async () => {
    const r = await quick(admin, 'DELETE', `/api/admin/overrides/${legacyId}`);
    expect(r.status).toBe(204);
    expect(await healthy(child.baseUrl)).toBe(200);
    expect((await db.pool.query('select count(*)::int as n from overrides where id = $1', [legacyId])).rows[0].n).toBe(0);
  });

  it.each([
    ['GET', '/api/admin/overrides?from=9999-01-01'],
    ['GET', '/api/admin/overrides?to=1999-12-31'],
    ['GET', 'SCHEDULE?date=9999-12-31'],
    ['PUT', 'SCHEDULE'],
  ])('refuses %s %s outside the window with 400', async (method, path) => {
    const p = path.replace('SCHEDULE', `/api/admin/stylists/${salon.stylist.id}/schedule`);
    const r = await quick(admin, method, p, method === 'PUT' ? { effectiveFrom: '9999-12-31', days: [] } : undefined);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect(await healthy(child.baseUrl)).toBe(200);
  });
});

describe('instants and dates of year 10000 on the booking and stylist routes', () => {
  let db: TestDb;
  let srv: TestServer;
  let salon: Awaited<ReturnType<typeof createSalon>>;
  let customer: HttpClient;
  let stylist: HttpClient;
  let bookingId: string;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await freshDatabase();
    salon = await createSalon(db.pool);
    srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
    customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
    stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    bookingId = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('11:00'),
    });
  });
  afterAll(async () => {
    await srv?.close();
    await db?.drop();
  });

  const ids = () => ({ stylistId: salon.stylist.id, serviceId: salon.service.id });
  // 18:15Z on 9999-12-31 is 00:00 on 10000-01-01 in Kathmandu: Postgres cannot place it.
  const FAR = ['9999-12-31T18:15:00Z', '9999-12-31T09:00:00Z', '2100-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '0001-01-01T09:00:00Z'];

  it.each(FAR)('refuses a hold, a booking and a reschedule at %s with 400 INVALID_INPUT', async (startUtc) => {
    const writes = [
      await customer.post('/api/holds', { ...ids(), startUtc }),
      await customer.post('/api/bookings', { ...ids(), startUtc }),
      await customer.post(`/api/bookings/${bookingId}/reschedule`, { startUtc }),
    ];
    for (const r of writes) {
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
      expect(r.body.error.details.fields[0].field).toBe('startUtc');
    }
    expect((await db.pool.query('select count(*)::int as n from holds')).rows[0].n).toBe(0);
    expect((await db.pool.query('select count(*)::int as n from bookings')).rows[0].n).toBe(1);
  });

  it('answers OUTSIDE_HOURS for the last instant the window accepts: the horizon rule applies', async () => {
    // 23:59Z on 2099-12-31 is 05:44 on 2100-01-01 in Kathmandu: a local date past the window's end.
    for (const startUtc of ['2099-12-31T18:15:00Z', '2099-12-31T23:59:00Z']) {
      const r = await customer.post('/api/holds', { ...ids(), startUtc });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('OUTSIDE_HOURS');
    }
  });

  it.each([
    '/api/stylist/bookings?from=9999-12-26',
    '/api/stylist/bookings?from=9999-12-26&to=9999-12-31',
    '/api/stylist/bookings?to=2100-01-01',
    '/api/stylist/day?date=9999-12-31',
    '/api/stylist/day?date=1999-12-31',
  ])('refuses GET %s with 400 INVALID_INPUT', async (path) => {
    const r = await stylist.get(path);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
  });

  it('maps any Postgres data exception (class 22) to 400 INVALID_INPUT as a last line', () => {
    for (const code of ['22009', '22003', '22012', '22008', '2200G']) {
      const e = fromPgError(Object.assign(new Error('data exception'), { code }));
      expect(e?.code).toBe('INVALID_INPUT');
      expect(e?.status).toBe(400);
    }
    expect(fromPgError(Object.assign(new Error('undefined table'), { code: '42P01' }))).toBeNull();
  });
});
