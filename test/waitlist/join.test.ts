// Joining and leaving the waitlist: the rules (bookable window, a free time answers SLOTS_AVAILABLE,
// at most five entries, no duplicates, own entries only) and bad input answered 4xx with nothing
// written. Real HTTP on a real Postgres; fake clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let customer: HttpClient;
let other: HttpClient;
const clock = fakeClock();
const DAY = '2027-03-10';

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60, horizonDays: 30 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  const u = await createUser(db.pool);
  other = await loginAs(srv.baseUrl, u.email, u.password);
  // 10:00 is booked on DAY and the following days used below.
  for (const d of ['2027-03-10', '2027-03-11', '2027-03-12', '2027-03-13', '2027-03-14', '2027-03-15', '2027-03-16'])
    await insertBooking(db.pool, { customerId: u.id, stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('10:00', d) });
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const body = (o: Record<string, unknown> = {}) => ({
  stylistId: salon.stylist.id,
  serviceId: salon.service.id,
  date: DAY,
  from: '10:00',
  to: '10:30',
  ...o,
});
const count = async () => Number((await db.pool.query('select count(*) as n from waitlist_entries')).rows[0].n);

describe('joining the waitlist', () => {
  it('bad input answers 400 INVALID_INPUT and writes nothing', async () => {
    const before = await count();
    const bad: unknown[] = [
      {},
      body({ stylistId: 'nobody' }),
      body({ serviceId: 'x' }),
      body({ date: '2027-02-30' }),
      body({ date: '10/03/2027' }),
      body({ from: '25:00' }),
      body({ from: '10:00', to: '09:00' }),
      body({ from: '10:00', to: '10:00' }),
      body({ from: '24:00', to: undefined }),
      body({ to: '00:00', from: undefined }),
      body({ extra: 1 }),
      body({ date: 20270310 }),
      'not json',
    ];
    for (const b of bad) {
      const r = await customer.post('/api/waitlist', b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
    }
    expect(await count()).toBe(before);
  });

  it('a date outside the bookable window, an unknown service or a stylist not offering it is refused; nothing written', async () => {
    const before = await count();
    expect((await customer.post('/api/waitlist', body({ date: '2027-02-27' }))).body.error.code).toBe('IN_PAST');
    expect((await customer.post('/api/waitlist', body({ date: '2027-04-20' }))).body.error.code).toBe('OUTSIDE_HOURS');
    const unoffered = await createService(db.pool);
    expect((await customer.post('/api/waitlist', body({ serviceId: unoffered.id }))).status).toBe(404);
    expect((await customer.post('/api/waitlist', body({ stylistId: 'any', serviceId: unoffered.id }))).status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('a range with a free time answers 409 SLOTS_AVAILABLE naming the free times', async () => {
    const r = await customer.post('/api/waitlist', body({ from: '10:00', to: '12:00' }));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('SLOTS_AVAILABLE');
    expect(r.body.error.details.slots[0]).toEqual({ stylistId: salon.stylist.id, startUtc: at('11:30', DAY) });
    // The whole day has free times too, with this stylist or any.
    expect((await customer.post('/api/waitlist', body({ from: undefined, to: undefined }))).body.error.code).toBe('SLOTS_AVAILABLE');
    expect((await customer.post('/api/waitlist', body({ stylistId: 'any', from: undefined, to: undefined }))).body.error.code).toBe(
      'SLOTS_AVAILABLE',
    );
  });

  it('joins a full range (201), refuses a duplicate, allows five entries and refuses the sixth with WAITLIST_FULL', async () => {
    const first = await customer.post('/api/waitlist', body());
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      date: DAY,
      from: '10:00',
      to: '10:30',
      status: 'waiting',
      createdAt: expect.any(String),
      offer: null,
    });
    const dup = await customer.post('/api/waitlist', body());
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('WAITLIST_DUPLICATE');
    // The same time with "any" stylist is another entry.
    expect((await customer.post('/api/waitlist', body({ stylistId: 'any' }))).status).toBe(201);
    for (const d of ['2027-03-11', '2027-03-12', '2027-03-13'])
      expect((await customer.post('/api/waitlist', body({ date: d }))).status).toBe(201);
    const before = await count();
    const sixth = await customer.post('/api/waitlist', body({ date: '2027-03-14' }));
    expect(sixth.status).toBe(409);
    expect(sixth.body.error.code).toBe('WAITLIST_FULL');
    expect(await count()).toBe(before);

    const mine = await customer.get('/api/waitlist/mine');
    expect(mine.body.map((e: { date: string; stylistId: string }) => `${e.date}/${e.stylistId === 'any' ? 'any' : 's'}`)).toEqual([
      '2027-03-10/s',
      '2027-03-10/any',
      '2027-03-11/s',
      '2027-03-12/s',
      '2027-03-13/s',
    ]);
    // Another customer sees none of them, and cannot leave them.
    expect((await other.get('/api/waitlist/mine')).body).toEqual([]);
    expect((await other.delete(`/api/waitlist/${first.body.id}`)).status).toBe(404);
    expect((await other.post(`/api/waitlist/${first.body.id}/decline`)).status).toBe(404);
    // Leaving frees a place; leaving twice is 404; a bad id is 400.
    expect((await customer.delete(`/api/waitlist/${first.body.id}`)).status).toBe(204);
    expect((await customer.delete(`/api/waitlist/${first.body.id}`)).status).toBe(404);
    expect((await customer.delete('/api/waitlist/not-a-uuid')).status).toBe(400);
    expect((await customer.post(`/api/waitlist/${mine.body[1].id}/decline`, { why: 1 })).status).toBe(400);
    // Without a live offer there is nothing to decline.
    expect((await customer.post(`/api/waitlist/${mine.body[1].id}/decline`)).status).toBe(404);
    expect((await customer.post('/api/waitlist', body({ date: '2027-03-14' }))).status).toBe(201);
    // Once its date has passed, an entry no longer counts or shows.
    clock.set('2027-03-11T00:00:00Z');
    expect((await customer.get('/api/waitlist/mine')).body.map((e: { date: string }) => e.date)).not.toContain('2027-03-10');
    expect((await customer.post('/api/waitlist', body({ date: '2027-03-15' }))).status).toBe(201);
  });
});
