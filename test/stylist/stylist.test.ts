import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBookingsWithCustomerContext } from '../../server/bookings/present.ts';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, countRows, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let stylist: HttpClient;
let regular: Awaited<ReturnType<typeof createUser>>;
let newcomer: Awaited<ReturnType<typeof createUser>>;
let stranger: Awaited<ReturnType<typeof createUser>>;
let upcoming: string;
let newcomerBooking: string;
const clock = fakeClock(Date.parse('2027-03-10T00:00:00Z'));

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  const colour = await createService(db.pool, { name: 'Colour', durationMinutes: 90, priceCents: 9000 });
  const other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  regular = await createUser(db.pool, { displayName: 'Regular Rita', notes: 'Likes tea', safetyNotes: 'Allergic to PPD' });
  newcomer = await createUser(db.pool, { displayName: 'New Nima' });
  stranger = await createUser(db.pool, { displayName: 'Never Booked Here', safetyNotes: 'Secret' });
  const b = (customerId: string, stylistId: string, serviceId: string, startUtc: string, status: string, priceCents: number) =>
    insertBooking(db.pool, { customerId, stylistId, serviceId, startUtc, status, priceCents });
  // History: three completed visits (two with another stylist), one no-show, one cancellation.
  await b(regular.id, salon.stylist.id, salon.service.id, at('10:00', '2027-01-05'), 'completed', 5000);
  await b(regular.id, other.id, salon.service.id, at('10:00', '2027-02-01'), 'completed', 4000);
  await b(regular.id, other.id, colour.id, at('12:00', '2027-02-20'), 'completed', 9000);
  await b(regular.id, salon.stylist.id, salon.service.id, at('10:00', '2027-02-25'), 'no_show', 5000);
  await b(regular.id, salon.stylist.id, salon.service.id, at('10:00', '2027-03-01'), 'cancelled', 5000);
  upcoming = await b(regular.id, salon.stylist.id, salon.service.id, at('11:00', '2027-03-12'), 'confirmed', 5000);
  newcomerBooking = await b(newcomer.id, salon.stylist.id, salon.service.id, at('14:00', '2027-03-12'), 'pending', 5000);
  await b(stranger.id, other.id, salon.service.id, at('14:00', '2027-03-12'), 'confirmed', 5000);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

describe('GET /api/stylist/bookings', () => {
  it('lists the stylist\u2019s bookings of the range with customer context from history', async () => {
    const r = await stylist.get('/api/stylist/bookings?from=2027-03-12&to=2027-03-12');
    expect(r.status).toBe(200);
    expect(r.body.map((b: { id: string }) => b.id)).toEqual([upcoming, newcomerBooking]);
    expect(r.body[0]).toMatchObject({
      id: upcoming,
      customerId: regular.id,
      stylistId: salon.stylist.id,
      status: 'confirmed',
      startUtc: at('11:00', '2027-03-12'),
      customer: {
        id: regular.id,
        displayName: 'Regular Rita',
        visitCount: 3,
        lastVisitAt: at('12:00', '2027-02-20'),
        lastServiceName: 'Colour',
        totalSpentCents: 18000,
        notes: 'Likes tea',
        hasSafetyNotes: true,
      },
    });
    expect(r.body[1].customer).toEqual({
      id: newcomer.id,
      displayName: 'New Nima',
      visitCount: 0,
      lastVisitAt: null,
      lastServiceName: null,
      totalSpentCents: 0,
      notes: '',
      hasSafetyNotes: false,
    });
    // Safety notes themselves never appear in the list.
    expect(JSON.stringify(r.body)).not.toContain('PPD');
  });

  it('defaults to a week from today in the stylist\u2019s zone and includes every status', async () => {
    const r = await stylist.get('/api/stylist/bookings');
    expect(r.body.map((b: { id: string }) => b.id)).toEqual([upcoming, newcomerBooking]);
    const past = await stylist.get('/api/stylist/bookings?from=2027-01-01&to=2027-03-09');
    expect(past.body.map((b: { status: string }) => b.status)).toEqual(['completed', 'no_show', 'cancelled']);
  });

  it.each([
    ['from=2027-13-01', 'INVALID_INPUT'],
    ['from=2027-02-30', 'INVALID_INPUT'],
    ['from=2027-03-10&to=2027-03-01', 'INVALID_INPUT'],
    ['from=2027-01-01&to=2027-12-31', 'INVALID_INPUT'],
    ['from=yesterday', 'INVALID_INPUT'],
    ['stylistId=nope', 'INVALID_INPUT'],
    ['page=2', 'INVALID_INPUT'],
    ['from=2027-03-01&from=2027-03-02', 'INVALID_INPUT'],
  ])('refuses ?%s with 400 %s', async (q, code) => {
    const r = await stylist.get(`/api/stylist/bookings?${q}`);
    expect([r.status, r.body.error.code]).toEqual([400, code]);
  });

  it('loadBookingsWithCustomerContext answers the same objects for the realtime relay', async () => {
    const [b] = await loadBookingsWithCustomerContext(db.pool, [upcoming]);
    const r = await stylist.get('/api/stylist/bookings?from=2027-03-12&to=2027-03-12');
    expect(b).toEqual(r.body[0]);
    expect(await loadBookingsWithCustomerContext(db.pool, [])).toEqual([]);
  });
});

describe('POST /api/stylist/customers/:id/safety-notes', () => {
  const path = (id: string) => `/api/stylist/customers/${id}/safety-notes`;
  const audits = () => countRows(db.pool, 'audit_log', `action = 'customer.safety_notes.read'`);

  it('answers the notes with a reason and writes one audit row per access', async () => {
    const before = await audits();
    for (let i = 0; i < 2; i++) {
      const r = await stylist.post(path(regular.id), { reason: 'Colour booked: checking allergies' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ customerId: regular.id, safetyNotes: 'Allergic to PPD' });
    }
    expect(await audits()).toBe(before + 2);
    const { rows } = await db.pool.query(
      `select actor_id, target, details from audit_log where action = 'customer.safety_notes.read' order by id desc limit 1`,
    );
    expect(rows[0]).toEqual({
      actor_id: salon.stylist.userId,
      target: `user:${regular.id}`,
      details: { reason: 'Colour booked: checking allergies', stylistId: salon.stylist.id },
    });
  });

  it.each([
    ['no reason', {}],
    ['a short reason', { reason: 'because' }],
    ['a padded short reason', { reason: '   short    ' }],
    ['a reason that is not text', { reason: 1234567890123 }],
    ['an extra field', { reason: 'a long enough reason', all: true }],
  ])('refuses %s with 400 and audits nothing', async (_n, body) => {
    const before = await audits();
    const r = await stylist.post(path(regular.id), body);
    expect([r.status, r.body.error.code]).toEqual([400, 'INVALID_INPUT']);
    expect(await audits()).toBe(before);
  });

  it('answers 404 for a customer who never booked this stylist, or nobody, and audits nothing', async () => {
    const before = await audits();
    for (const id of [stranger.id, '00000000-0000-4000-8000-000000000000']) {
      const r = await stylist.post(path(id), { reason: 'Just curious about them' });
      expect([r.status, r.body.error.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect((await stylist.post(path('not-a-uuid'), { reason: 'Just curious about them' })).status).toBe(400);
    expect(await audits()).toBe(before);
  });
});
