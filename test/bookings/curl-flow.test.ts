// The "done when", end to end over HTTP with a cookie jar only (what a curl script does with
// -c/-b): register, read slots, hold, book, see the slot booked in the very next answer (cache on),
// be refused a second booking, the stylist sees the booking with its customer context, an admin
// closes the day and sees the booking it affects.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { DAY, fakeClock } from './fixture.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 45 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  expect(srv.config.cacheEnabled).toBe(true);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

it('register → slots → hold → book → booked at once → second refused → stylist sees it → admin closure lists it', async () => {
  const me = new HttpClient(srv.baseUrl);
  const reg = await me.post('/api/auth/register', { email: 'curl@example.test', password: 'curl-flow-pw', displayName: 'Curl Customer' });
  expect(reg.status).toBe(201);
  expect(me.cookie).toMatch(/^kb\.sid=/);

  const slotsUrl = `/api/bookings/available-slots?stylistId=${salon.stylist.id}&serviceId=${salon.service.id}&targetDate=${DAY}`;
  const before = await me.get(slotsUrl);
  expect(before.status).toBe(200);
  const pick = before.body.find((s: { status: string }) => s.status === 'available');
  expect(pick).toBeDefined();
  // Warm: the next answer comes from the cache.
  expect((await me.get(slotsUrl)).headers.get('x-cache-hit')).toBe('true');

  const hold = await me.post('/api/holds', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: pick.startUtc });
  expect(hold.status).toBe(201);
  const booking = await me.post('/api/bookings', { holdId: hold.body.id, notes: 'First visit' }, { 'Idempotency-Key': 'curl-1' });
  expect(booking.status).toBe(201);
  expect(booking.body).toMatchObject({ customerId: reg.body.id, startUtc: pick.startUtc, status: 'confirmed' });

  const after = await me.get(slotsUrl);
  expect(after.body.find((s: { startUtc: string }) => s.startUtc === pick.startUtc).status).toBe('booked');
  expect(Number(after.headers.get('x-availability-version'))).toBeGreaterThan(Number(before.headers.get('x-availability-version')));

  const second = await me.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: pick.startUtc });
  expect(second.status).toBe(409);
  // The time is taken by this customer's own booking: CUSTOMER_BUSY names it (docs/domain.md §5).
  expect(second.body.error.code).toBe('CUSTOMER_BUSY');
  expect(second.body.error.details.booking.id).toBe(booking.body.id);

  const stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  const day = await stylist.get(`/api/stylist/bookings?from=${DAY}&to=${DAY}`);
  expect(day.status).toBe(200);
  expect(day.body).toEqual([
    expect.objectContaining({
      id: booking.body.id,
      notes: 'First visit',
      customer: {
        id: reg.body.id,
        displayName: 'Curl Customer',
        visitCount: 0,
        lastVisitAt: null,
        lastServiceName: null,
        totalSpentCents: 0,
        notes: '',
        hasSafetyNotes: false,
      },
    }),
  ]);

  const a = await createUser(db.pool, { role: 'admin' });
  const admin = await loginAs(srv.baseUrl, a.email, a.password);
  const closure = await admin.post('/api/admin/overrides', {
    scope: 'salon',
    startDate: DAY,
    endDate: DAY,
    kind: 'closed',
    reason: 'Water leak',
  });
  expect(closure.status).toBe(201);
  // Flagged by the closure, with how to reach the customer.
  expect(closure.body.affectedBookings).toEqual([
    {
      ...booking.body,
      attention: { reason: 'closed', overrideId: closure.body.override.id },
      customer: { id: booking.body.customerId, displayName: expect.any(String), phone: null, email: expect.any(String) },
    },
  ]);
  expect((await me.get(slotsUrl)).body).toEqual([]);
  // Reported, not cancelled.
  expect((await me.get('/api/bookings/mine')).body[0].status).toBe('confirmed');

  expect((await me.post('/api/auth/logout')).status).toBe(204);
  expect((await me.get('/api/bookings/mine')).status).toBe(401);
});
