// Which bookings an override affects: POST /api/admin/overrides/preview (writes nothing) and the
// answer of POST /api/admin/overrides, both listing only bookings the override itself puts outside
// the working hours.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, countRows, fakeClock, slotStatuses } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const DATE = '2027-03-20';
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let admin: HttpClient;
let ids: Record<string, string>;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

beforeEach(async () => {
  await db.pool.query('delete from overrides');
  await db.pool.query(`update bookings set status = 'cancelled' where status in ('pending', 'confirmed', 'in_progress')`);
  srv.app.slots.invalidateAll();
  const book = (stylistId: string, hhmm: string, status = 'confirmed', date = DATE, customerId = salon.customer.id) =>
    insertBooking(db.pool, { customerId, stylistId, serviceId: salon.service.id, startUtc: at(hhmm, date), status });
  // The stylists work 09:00–17:00. `early` was put outside those hours by someone (psql, an old schedule).
  ids = {
    early: await book(salon.stylist.id, '07:00'),
    nine: await book(salon.stylist.id, '09:00'),
    eleven: await book(salon.stylist.id, '11:00', 'pending'),
    two: await book(salon.stylist.id, '14:00'),
    late: await book(salon.stylist.id, '17:30'),
    // Another customer: one customer cannot be with two stylists at 11:00 (bookings_customer_no_overlap).
    otherStylist: await book(other.id, '11:00', 'confirmed', DATE, (await createUser(db.pool)).id),
  };
});

const body = (o: Record<string, unknown>) => ({
  scope: 'stylist',
  stylistId: salon.stylist.id,
  startDate: DATE,
  endDate: DATE,
  reason: 'Test',
  ...o,
});
const idsOf = (r: { body: { affectedBookings: { id: string }[] } }) => r.body.affectedBookings.map((b) => b.id);
const writes = async () => [
  await countRows(db.pool, 'overrides'),
  await countRows(db.pool, 'audit_log'),
  await countRows(db.pool, 'events'),
];

describe('POST /api/admin/overrides/preview', () => {
  it('answers the bookings a closure would put outside the hours, without the ones already outside, and writes nothing', async () => {
    const before = await writes();
    const r = await admin.post('/api/admin/overrides/preview', body({ kind: 'closed' }));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['affectedBookings']);
    expect(idsOf(r)).toEqual([ids.nine, ids.eleven, ids.two]);
    expect(r.body.affectedBookings[1]).toEqual({
      id: ids.eleven,
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('11:00', DATE),
      endUtc: at('12:00', DATE),
      status: 'pending',
      priceCents: 5000,
      notes: '',
      createdAt: expect.any(String),
      // Not flagged yet: nothing was written.
      attention: null,
      // How to reach the customer: the admin calls them.
      customer: { id: salon.customer.id, displayName: expect.stringMatching(/^User /), phone: null, email: salon.customer.email },
    });
    // No override, no audit row, no event; the day keeps its slots.
    expect(await writes()).toEqual(before);
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE))['16:00']).toBe('available');
  });

  it.each([
    ['a closure', { kind: 'closed' }],
    ['a block', { kind: 'blocked', start: '06:30', end: '11:30' }],
    ['special hours', { kind: 'hours', start: '07:00', end: '12:00' }],
    ['special hours that extend the day', { kind: 'hours', start: '06:00', end: '20:00' }],
    ['a salon-wide closure', { scope: 'salon', stylistId: undefined, kind: 'closed' }],
  ])('answers what creating %s then answers', async (_n, patch) => {
    const preview = await admin.post('/api/admin/overrides/preview', body(patch));
    const created = await admin.post('/api/admin/overrides', body(patch));
    expect([preview.status, created.status]).toEqual([200, 201]);
    // The same bookings; once created, each is flagged by the new override.
    const flagged = { reason: patch.kind, overrideId: created.body.override.id };
    expect(created.body.affectedBookings).toEqual(
      preview.body.affectedBookings.map((b: Record<string, unknown>) => ({ ...b, attention: flagged })),
    );
  });

  it('judges special hours against the ones already in force: the newest wins a tie', async () => {
    const first = await admin.post('/api/admin/overrides', body({ kind: 'hours', start: '10:00', end: '15:00' }));
    // Without it nine was already outside (kept out), two is inside 10:00–15:00.
    expect(idsOf(first)).toEqual([ids.nine]);
    const tie = body({ kind: 'hours', start: '09:00', end: '12:00' });
    const preview = await admin.post('/api/admin/overrides/preview', tie);
    expect(idsOf(preview)).toEqual([ids.two]);
    // A lower priority loses to the hours in force and changes nothing.
    expect(idsOf(await admin.post('/api/admin/overrides/preview', { ...tie, priority: -1 }))).toEqual([]);
    expect(idsOf(await admin.post('/api/admin/overrides', tie))).toEqual([ids.two]);
  });

  it('a block on top of a closure affects nobody: the day was already closed', async () => {
    await admin.post('/api/admin/overrides', body({ kind: 'closed' }));
    expect(idsOf(await admin.post('/api/admin/overrides/preview', body({ kind: 'blocked', start: '09:00', end: '17:00' })))).toEqual([]);
    expect(idsOf(await admin.post('/api/admin/overrides', body({ kind: 'blocked', start: '09:00', end: '17:00' })))).toEqual([]);
  });

  it('a salon-wide closure previews every stylist\u2019s bookings on its days', async () => {
    const r = await admin.post('/api/admin/overrides/preview', {
      scope: 'salon',
      startDate: DATE,
      endDate: DATE,
      kind: 'closed',
      reason: 'Holiday',
    });
    expect(new Set(idsOf(r))).toEqual(new Set([ids.nine, ids.eleven, ids.two, ids.otherStylist]));
  });

  it.each([
    ['stylist scope without a stylist', { stylistId: undefined, kind: 'closed' }, 400, 'INVALID_INPUT'],
    ['hours without times', { kind: 'hours' }, 400, 'INVALID_INPUT'],
    ['endDate before startDate', { kind: 'closed', endDate: '2027-03-19' }, 400, 'INVALID_INPUT'],
    ['an extra field', { kind: 'closed', dryRun: true }, 400, 'INVALID_INPUT'],
    ['an unknown stylist', { kind: 'closed', stylistId: '00000000-0000-4000-8000-000000000000' }, 404, 'NOT_FOUND'],
  ])('refuses %s like create, writing nothing', async (_n, patch, status, code) => {
    const before = await writes();
    const r = await admin.post('/api/admin/overrides/preview', body(patch));
    expect([r.status, r.body.error.code]).toEqual([status, code]);
    expect(await writes()).toEqual(before);
  });

  it('is for admins only', async () => {
    const anonymous = await new HttpClient(srv.baseUrl).post('/api/admin/overrides/preview', body({ kind: 'closed' }));
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const r = await stylist.post('/api/admin/overrides/preview', body({ kind: 'closed' }));
    expect([r.status, r.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });
});
