// A stylist's own time off: a `closed` override of that stylist within the monthly budgets
// (ordinary and emergency, counted by the stylist-local month the request is made in), never
// overspent by parallel requests; listed with what is left; shown to admins as time off in the
// overrides list; revoked by an admin (the override goes, the request stays, no refund).
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, countRows, fakeClock, slotStatuses } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let admin: HttpClient;
let serviceId: string;
let customerId: string;
let customer: HttpClient;
// 2027-03-10 12:00 in Kathmandu (UTC+05:45).
const NOON = '2027-03-10T06:15:00Z';
const clock = fakeClock(Date.parse(NOON));

beforeAll(async () => {
  db = await freshDatabase();
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  serviceId = (await createService(db.pool, { durationMinutes: 60 })).id;
  const a = await createUser(db.pool, { role: 'admin', displayName: 'Salon Boss' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  const c = await createUser(db.pool);
  customerId = c.id;
  customer = await loginAs(srv.baseUrl, c.email, c.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

/** A stylist of their own for each test (budgets are per stylist), logged in. */
async function newStylist(o: { timezone?: string } = {}) {
  const st = await createStylist(db.pool, { serviceIds: [serviceId], displayName: `Stylist ${Math.random()}`, ...o });
  return { ...st, http: await loginAs(srv.baseUrl, st.email, st.password) };
}

const ask = (c: HttpClient, startDate: string, endDate = startDate, extra: Record<string, unknown> = {}) =>
  c.post('/api/stylist/time-off', { startDate, endDate, ...extra });

describe('POST /api/stylist/time-off', () => {
  it('closes the stylist’s days, flags the bookings on them and answers them; audited; slots closed', async () => {
    clock.set(NOON);
    const st = await newStylist();
    const booked = await insertBooking(db.pool, { customerId, stylistId: st.id, serviceId, startUtc: at('10:00', '2027-03-12') });
    expect(Object.keys(await slotStatuses(srv.baseUrl, st.id, serviceId, '2027-03-12')).length).toBeGreaterThan(0);
    const r = await ask(st.http, '2027-03-12', '2027-03-13', { reason: 'Wedding' });
    expect(r.status).toBe(201);
    expect(r.body.request).toMatchObject({
      stylistId: st.id,
      startDate: '2027-03-12',
      endDate: '2027-03-13',
      reason: 'Wedding',
      emergency: false,
      status: 'active',
      month: '2027-03',
      revokedAt: null,
    });
    expect(r.body.override).toMatchObject({
      id: r.body.request.overrideId,
      scope: 'stylist',
      stylistId: st.id,
      kind: 'closed',
      reason: 'Time off: Wedding',
      createdBy: st.userId,
      timeOff: { requestId: r.body.request.id, emergency: false, requestedBy: st.userId, requestedByName: expect.any(String) },
    });
    expect(r.body.affectedBookings.map((b: { id: string }) => b.id)).toEqual([booked]);
    expect(r.body.affectedBookings[0].attention).toEqual({ reason: 'closed', overrideId: r.body.override.id });
    // The customer sees the flag; the slots of the day are gone at once.
    const mine = (await customer.get('/api/bookings/mine')).body as { id: string; attention: unknown }[];
    expect(mine.find((b) => b.id === booked)?.attention).toEqual({ reason: 'closed', overrideId: r.body.override.id });
    expect(await slotStatuses(srv.baseUrl, st.id, serviceId, '2027-03-12')).toEqual({});
    // The override's own event says it is time off (the relay pushes it to the admins as such).
    const { rows: ev } = await db.pool.query(`select data->'timeOff' as t from events where kind = 'override.created' and entity_id = $1`, [
      r.body.override.id,
    ]);
    expect(ev[0].t).toMatchObject({ requestId: r.body.request.id });
    const { rows: audits } = await db.pool.query(`select action from audit_log where actor_id = $1 order by id`, [st.userId]);
    expect(audits.map((a) => a.action)).toEqual(['override.create', 'time_off.request']);
  });

  it('refuses today unless emergency, more than 14 days, dates beyond a year, and bad bodies; writes nothing', async () => {
    clock.set(NOON);
    const st = await newStylist();
    const cases: [Record<string, unknown>, string][] = [
      [{ startDate: '2027-03-10', endDate: '2027-03-10' }, 'startDate'],
      [{ startDate: '2027-03-09', endDate: '2027-03-09', emergency: true }, 'startDate'],
      [{ startDate: '2027-03-12', endDate: '2027-03-26' }, 'endDate'],
      [{ startDate: '2027-03-12', endDate: '2027-03-11' }, 'endDate'],
      [{ startDate: '2028-03-12', endDate: '2028-03-12' }, 'startDate'],
      [{ startDate: '2027-03-12', endDate: '2027-03-12', reason: 'x'.repeat(201) }, 'reason'],
      [{ startDate: '2027-03-12', endDate: '2027-03-12', kind: 'hours' }, 'kind'],
    ];
    for (const [body, field] of cases) {
      const r = await st.http.post('/api/stylist/time-off', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
      expect(r.body.error.details.fields.map((f: { field: string }) => f.field).join(',')).toContain(field);
    }
    expect(await countRows(db.pool, 'time_off_requests', 'stylist_id = $1', [st.id])).toBe(0);
    // 14 days exactly, and the last day of the year ahead, are fine.
    expect((await ask(st.http, '2027-03-12', '2027-03-25')).status).toBe(201);
    expect((await ask(st.http, '2028-03-09')).status).toBe(201);
  });

  it('ordinary budget: 3 a month, then 429 BUDGET_EXHAUSTED naming the budget; a new local month starts afresh', async () => {
    // 23:40 on 31 March in Kathmandu is still 18:00 UTC on 31 March; 00:00 on 1 April local is 18:15 UTC.
    clock.set('2027-03-31T17:55:00Z');
    const st = await newStylist();
    for (const d of ['2027-04-05', '2027-04-06', '2027-04-07']) expect((await ask(st.http, d)).status).toBe(201);
    const over = await ask(st.http, '2027-04-08');
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({
      code: 'BUDGET_EXHAUSTED',
      details: { budget: 3, used: 3, month: '2027-03', emergency: false },
    });
    expect(over.headers.get('retry-after')).toBeNull();
    // An emergency is its own budget.
    expect((await ask(st.http, '2027-04-01', '2027-04-01', { emergency: true })).status).toBe(201);
    clock.set('2027-03-31T18:15:00Z');
    const april = await ask(st.http, '2027-04-08');
    expect(april.status).toBe(201);
    expect(april.body.request.month).toBe('2027-04');
    const list = await st.http.get('/api/stylist/time-off');
    expect(list.body).toMatchObject({
      month: '2027-04',
      ordinary: { budget: 3, used: 1, left: 2 },
      emergency: { budget: 1, used: 0, left: 1 },
    });
    expect(list.body.requests).toHaveLength(5);
  });

  it('the month is the stylist’s own: a stylist in New York is still in March when Kathmandu is in April', async () => {
    clock.set('2027-03-31T20:00:00Z'); // 16:00 in New York, 01:45 on 1 April in Kathmandu
    const ny = await newStylist({ timezone: 'America/New_York' });
    const r = await ask(ny.http, '2027-04-02');
    expect(r.body.request.month).toBe('2027-03');
  });

  it('emergency: may start today, one a month, then 429 with emergency true', async () => {
    clock.set(NOON);
    const st = await newStylist();
    const today = await ask(st.http, '2027-03-10', '2027-03-10', { emergency: true, reason: 'Flu' });
    expect(today.status).toBe(201);
    expect(today.body.request).toMatchObject({ emergency: true });
    expect(today.body.override.timeOff.emergency).toBe(true);
    const again = await ask(st.http, '2027-03-11', '2027-03-11', { emergency: true });
    expect(again.status).toBe(429);
    expect(again.body.error.details).toEqual({ budget: 1, used: 1, month: '2027-03', emergency: true });
  });

  it('parallel requests never overspend: of 10 at once exactly the budget (3) succeed', async () => {
    clock.set(NOON);
    const st = await newStylist();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ask(st.http, DateTime.fromISO('2027-03-15').plus({ days: i }).toISODate()!)),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);
    for (const a of answers.filter((x) => x.status === 429)) expect(a.body.error.details).toMatchObject({ budget: 3, used: 3 });
    expect(await countRows(db.pool, 'time_off_requests', 'stylist_id = $1', [st.id])).toBe(3);
    expect(await countRows(db.pool, 'overrides', 'stylist_id = $1', [st.id])).toBe(3);
  });

  it('an admin sets the budgets per stylist (PATCH), and a budget of 0 refuses at once', async () => {
    clock.set(NOON);
    const st = await newStylist();
    expect((await admin.patch(`/api/admin/stylists/${st.id}`, { timeOffBudget: 0, emergencyBudget: 2 })).status).toBe(200);
    expect((await ask(st.http, '2027-03-20')).body.error).toMatchObject({ code: 'BUDGET_EXHAUSTED', details: { budget: 0, used: 0 } });
    expect((await ask(st.http, '2027-03-10', '2027-03-10', { emergency: true })).status).toBe(201);
    expect((await ask(st.http, '2027-03-11', '2027-03-11', { emergency: true })).status).toBe(201);
    expect((await st.http.get('/api/stylist/time-off')).body.emergency).toEqual({ budget: 2, used: 2, left: 0 });
  });
});

describe('admins and time off', () => {
  it('lists time off among the overrides with who asked; revoking deletes the override, keeps the request, refunds nothing', async () => {
    clock.set(NOON);
    const st = await newStylist();
    const booked = await insertBooking(db.pool, { customerId, stylistId: st.id, serviceId, startUtc: at('10:00', '2027-03-22') });
    const r = await ask(st.http, '2027-03-22');
    const overrides = (await admin.get(`/api/admin/overrides?stylistId=${st.id}`)).body as { id: string; timeOff: unknown }[];
    const listed = overrides.find((o) => o.id === r.body.override.id);
    expect(listed?.timeOff).toMatchObject({ requestId: r.body.request.id, requestedBy: st.userId });
    const revoked = await admin.delete(`/api/admin/time-off/${r.body.request.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: r.body.request.id, status: 'revoked', revokedAt: expect.any(String) });
    expect(await countRows(db.pool, 'overrides', 'id = $1', [r.body.override.id])).toBe(0);
    // The booking's flag is cleared; the slots are back; the budget used stays used.
    const mine = (await customer.get('/api/bookings/mine')).body as { id: string; attention: unknown }[];
    expect(mine.find((b) => b.id === booked)?.attention).toBeNull();
    expect(Object.values(await slotStatuses(srv.baseUrl, st.id, serviceId, '2027-03-22'))).toContain('available');
    const list = await st.http.get('/api/stylist/time-off');
    expect(list.body.ordinary).toMatchObject({ used: 1, left: 2 });
    expect(list.body.requests[0]).toMatchObject({ id: r.body.request.id, status: 'revoked' });
    const { rows: audits } = await db.pool.query(`select action, details from audit_log where target = $1`, [
      `time_off:${r.body.request.id}`,
    ]);
    expect(audits.map((a) => a.action)).toEqual(['time_off.request', 'time_off.revoke']);
    expect((await admin.delete(`/api/admin/time-off/${r.body.request.id}`)).status).toBe(409);
    expect((await admin.delete(`/api/admin/time-off/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  it('deleting the time-off override as an override revokes the request too', async () => {
    clock.set(NOON);
    const st = await newStylist();
    const r = await ask(st.http, '2027-03-23');
    expect((await admin.delete(`/api/admin/overrides/${r.body.override.id}`)).status).toBe(204);
    const list = await st.http.get('/api/stylist/time-off');
    expect(list.body.requests[0]).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
  });

  it('reception, customers and admins cannot ask for time off; stylists and reception cannot revoke', async () => {
    const rec = await createUser(db.pool, { role: 'reception' });
    const desk = await loginAs(srv.baseUrl, rec.email, rec.password);
    expect((await desk.get('/api/stylist/time-off')).status).toBe(403);
    expect((await ask(desk, '2027-03-25')).status).toBe(403);
    expect((await ask(customer, '2027-03-25')).status).toBe(403);
    expect((await ask(admin, '2027-03-25')).status).toBe(403);
    const st = await newStylist();
    expect((await st.http.delete(`/api/admin/time-off/00000000-0000-4000-8000-000000000000`)).status).toBe(403);
    expect((await desk.delete(`/api/admin/time-off/00000000-0000-4000-8000-000000000000`)).status).toBe(403);
  });

  it('an inactive stylist cannot ask (409)', async () => {
    clock.set(NOON);
    const st = await newStylist();
    await admin.patch(`/api/admin/stylists/${st.id}`, { active: false });
    expect((await ask(st.http, '2027-03-25')).status).toBe(409);
  });
});
