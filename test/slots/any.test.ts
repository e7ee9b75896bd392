// "Any stylist" and the month at a glance over real HTTP on a real Postgres: the union of the
// stylists who offer a service, holds and bookings assigned to one free stylist (fewest bookings that
// day, then name) under races, and available-days with its statuses and bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../auth/client.ts';
import { at, countRows, fakeClock, loggedInUsers, overlappingPairs, type LoggedIn } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking, type StylistFixture } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const clock = fakeClock(); // 2027-03-01T00:00Z, a Monday (05:45 in Kathmandu)
let db: TestDb;
let srv: TestServer;
let service: { id: string };
let other: { id: string };
/** Ana, Bina, Chandra: Monday to Saturday 09:00–17:00 in Kathmandu, 60 min service, 30 min step, 15 min buffer. */
let ana: StylistFixture;
let bina: StylistFixture;
let chandra: StylistFixture;
let customers: LoggedIn[];

const MON_SAT = [1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, start: '09:00', end: '17:00' }));

beforeAll(async () => {
  db = await freshDatabase();
  service = await createService(db.pool, { durationMinutes: 60 });
  other = await createService(db.pool, { durationMinutes: 60 });
  const mk = (displayName: string) =>
    createStylist(db.pool, { displayName, serviceIds: [service.id], windows: MON_SAT, slotStepMinutes: 30, bufferMinutes: 15 });
  // Created out of name order: the order of assignment must come from the names, not insertion.
  chandra = await mk('Chandra');
  ana = await mk('Ana');
  bina = await mk('Bina');
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  customers = await loggedInUsers(db.pool, srv.baseUrl, 4);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

/**
 * A booking written straight into Postgres (as another program would), each for a customer of its
 * own (one customer is in one chair at a time); the relay invalidates the cache.
 */
async function book(s: StylistFixture, hhmm: string, date: string) {
  const customerId = (await createUser(db.pool)).id;
  await insertBooking(db.pool, { customerId, stylistId: s.id, serviceId: service.id, startUtc: at(hhmm, date) });
  await srv.app.realtime.relay.drain();
}

async function slotsOf(stylistId: string, date: string, extra: Record<string, string> = {}) {
  const res = await fetch(
    `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId, serviceId: service.id, targetDate: date, ...extra })}`,
  );
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function days(q: Record<string, string>, base = srv.baseUrl) {
  const res = await fetch(`${base}/api/bookings/available-days?${new URLSearchParams({ serviceId: service.id, ...q })}`);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('GET available-slots?stylistId=any', () => {
  it('answers the union of the three stylists, each start with the stylists free for it (one busy)', async () => {
    const date = '2027-03-10';
    await book(bina, '11:00', date);
    for (const s of [ana, bina, chandra]) await book(s, '14:00', date);
    const union = await slotsOf('any', date);
    expect(union.status).toBe(200);
    expect(union.headers.get('x-cache-hit')).toBe('false');
    const singles = await Promise.all([ana, bina, chandra].map((s) => slotsOf(s.id, date)));
    // Every start of any stylist, once, in order; stylistIds = exactly those whose own answer says available, in name order.
    const starts = [...new Set(singles.flatMap((s) => s.body.map((x: any) => x.startUtc)))].sort();
    expect(union.body.map((s: any) => s.startUtc)).toEqual(starts);
    for (const slot of union.body) {
      const free = [ana, bina, chandra].filter(
        (_, i) => singles[i].body.find((x: any) => x.startUtc === slot.startUtc)?.status === 'available',
      );
      expect(slot.stylistIds).toEqual(free.map((s) => s.id));
      expect(slot.status).toBe(free.length ? 'available' : 'booked');
    }
    const byLocal = Object.fromEntries(union.body.map((s: any) => [s.startLocal.slice(11, 16), s]));
    expect(byLocal['11:00'].stylistIds).toEqual([ana.id, chandra.id]);
    expect(byLocal['09:00'].stylistIds).toEqual([ana.id, bina.id, chandra.id]);
    expect(byLocal['14:00']).toMatchObject({ status: 'booked', stylistIds: [] });
    expect(byLocal['09:00'].display).toBe('9:00 AM');
    // Composed from the per-stylist cache: now every part is cached.
    const again = await slotsOf('any', date);
    expect(again.headers.get('x-cache-hit')).toBe('true');
    expect(again.body).toEqual(union.body);
    expect(again.headers.get('etag')).toBe(union.headers.get('etag'));
  });

  it('is invalidated by the same events: a booking on one stylist changes the union and its version', async () => {
    const date = '2027-03-11';
    const before = await slotsOf('any', date);
    await customers[3].http.post('/api/bookings', { stylistId: ana.id, serviceId: service.id, startUtc: at('09:00', date) });
    const after = await slotsOf('any', date);
    expect(Number(after.headers.get('x-availability-version'))).toBeGreaterThan(Number(before.headers.get('x-availability-version')));
    expect(after.body[0].stylistIds).toEqual([bina.id, chandra.id]);
    expect(before.body[0].stylistIds).toEqual([ana.id, bina.id, chandra.id]);
  });

  it('with CACHE=off answers the same union, computed every time', async () => {
    const off = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, CACHE: 'off' } });
    try {
      const url = `${off.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: 'any', serviceId: service.id, targetDate: '2027-03-10' })}`;
      const [a, b] = [await fetch(url), await fetch(url)];
      expect([a.headers.get('x-cache-hit'), b.headers.get('x-cache-hit')]).toEqual(['false', 'false']);
      expect(await a.json()).toEqual((await slotsOf('any', '2027-03-10')).body);
      await b.arrayBuffer();
    } finally {
      await off.close();
    }
  });

  it('404 for a service no active stylist offers; 400 for a bad zone', async () => {
    const none = await fetch(
      `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: 'any', serviceId: other.id, targetDate: '2027-03-10' })}`,
    );
    expect(none.status).toBe(404);
    expect((await slotsOf('any', '2027-03-10', { customerTimezone: 'Mars/Olympus' })).body.error.code).toBe('UNKNOWN_TIMEZONE');
    expect((await slotsOf('anyone', '2027-03-10')).status).toBe(400);
  });
});

describe('holds and bookings with stylistId "any"', () => {
  it('a hold goes to the stylist with the fewest bookings that day, then by name', async () => {
    const date = '2027-03-15';
    await book(ana, '13:00', date);
    await book(ana, '15:00', date);
    await book(chandra, '15:00', date);
    const c = customers[0];
    const h = await c.http.post('/api/holds', { stylistId: 'any', serviceId: service.id, startUtc: at('10:00', date) });
    expect(h.status).toBe(201);
    expect(h.body.stylistId).toBe(bina.id);
    // Nobody booked on this day: the first by name.
    const tie = await c.http.post('/api/holds', { stylistId: 'any', serviceId: service.id, startUtc: at('10:00', '2027-03-16') });
    expect(tie.body.stylistId).toBe(ana.id);
    // Booking from the hold keeps the assigned stylist.
    const b = await c.http.post('/api/bookings', { holdId: tie.body.id });
    expect(b.status).toBe(201);
    expect(b.body.stylistId).toBe(ana.id);
  });

  it('passes over a stylist who is not free: the next by bookings, then name', async () => {
    const date = '2027-03-17';
    await book(bina, '10:00', date); // Bina busy at 10:00 (one booking)
    const h = await customers[1].http.post('/api/holds', { stylistId: 'any', serviceId: service.id, startUtc: at('10:00', date) });
    expect(h.status).toBe(201);
    expect(h.body.stylistId).toBe(ana.id);
  });

  it('two concurrent any-bookings for a time only one stylist has free: one wins, the other 409 SLOT_TAKEN', async () => {
    // Two different customers: one racing themself is CUSTOMER_BUSY instead (the test below).
    const date = '2027-03-18';
    await book(ana, '10:00', date);
    await book(bina, '10:00', date);
    const body = { stylistId: 'any', serviceId: service.id, startUtc: at('10:00', date) };
    const answers = await Promise.all([customers[0].http.post('/api/bookings', body), customers[1].http.post('/api/bookings', body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 201)!.body.stylistId).toBe(chandra.id);
    const lost = answers.find((a) => a.status === 409)!;
    expect(lost.body.error.code).toBe('SLOT_TAKEN');
    expect(Array.isArray(lost.body.error.details.alternatives)).toBe(true);
    expect(lost.body.error.details.alternatives.length).toBeGreaterThan(0);
    expect(await overlappingPairs(db.pool)).toBe(0);
    // The union now has nobody free at 10:00.
    const union = await slotsOf('any', date);
    expect(union.body.find((s: any) => s.startUtc === body.startUtc)).toMatchObject({ status: 'booked', stylistIds: [] });
  });

  it('one customer racing themself for "any" while two stylists are free: one booking, the other 409 CUSTOMER_BUSY', async () => {
    const date = '2027-03-22';
    await book(ana, '10:00', date);
    const body = { stylistId: 'any', serviceId: service.id, startUtc: at('10:00', date) };
    const c = customers[2];
    const answers = await Promise.all([c.http.post('/api/bookings', body), c.http.post('/api/bookings', body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const won = answers.find((a) => a.status === 201)!;
    const lost = answers.find((a) => a.status === 409)!;
    expect(lost.body.error.code).toBe('CUSTOMER_BUSY');
    expect(lost.body.error.details.booking.id).toBe(won.body.id);
    expect(await countRows(db.pool, 'bookings', `customer_id = $1 and status in ('pending', 'confirmed')`, [c.id])).toBe(1);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it('two concurrent any-bookings when two stylists are free: both win, on different stylists', async () => {
    const date = '2027-03-19';
    await book(ana, '10:00', date);
    const body = { stylistId: 'any', serviceId: service.id, startUtc: at('10:00', date) };
    const answers = await Promise.all([customers[2].http.post('/api/bookings', body), customers[3].http.post('/api/bookings', body)]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(new Set(answers.map((a) => a.body.stylistId))).toEqual(new Set([bina.id, chandra.id]));
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it('an Idempotency-Key replays the assigned booking; "any" is refused where a stylist id is malformed', async () => {
    const body = { stylistId: 'any', serviceId: service.id, startUtc: at('12:00', '2027-03-20') };
    const key = { 'Idempotency-Key': 'any-retry-1' };
    const first = await customers[0].http.post('/api/bookings', body, key);
    const retry = await customers[0].http.post('/api/bookings', body, key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    const bad = await customers[0].http.post('/api/holds', { ...body, stylistId: 'ANY' });
    expect(bad.status).toBe(400);
    const none = await customers[0].http.post('/api/holds', { ...body, serviceId: other.id });
    expect(none.status).toBe(404);
  });
});

describe('GET /api/bookings/available-days', () => {
  it('answers each date with its status: open, full, closed (a salon closure), off (a day off, outside the window)', async () => {
    // Friday 2027-03-26: closed salon-wide. Saturday 27th: Chandra fully booked. Sunday 28th: nobody works.
    await db.pool.query(
      `insert into overrides (scope, start_date, end_date, kind, reason) values ('salon', '2027-03-26', '2027-03-26', 'closed', 'Holiday')`,
    );
    for (const t of ['09:00', '10:15', '11:30', '12:45', '14:00', '15:15']) await book(chandra, t, '2027-03-27');
    const single = await days({ stylistId: chandra.id, from: '2027-03-25', to: '2027-03-29' });
    expect(single.status).toBe(200);
    expect(single.body.map((d: any) => [d.date, d.status])).toEqual([
      ['2027-03-25', 'open'],
      ['2027-03-26', 'closed'],
      ['2027-03-27', 'full'],
      ['2027-03-28', 'off'],
      ['2027-03-29', 'open'],
    ]);
    expect(single.body[0].available).toBe(15);
    expect(single.body[2].available).toBe(0);
    const any = await days({ stylistId: 'any', from: '2027-03-25', to: '2027-03-29' });
    expect(any.body.map((d: any) => d.status)).toEqual(['open', 'closed', 'open', 'off', 'open']);
    // Saturday: Ana's and Bina's 15 starts each, unioned: 15 starts available.
    expect(any.body[2].available).toBe(15);
    // Before yesterday: outside the window, never computed.
    const past = await days({ stylistId: 'any', from: '2027-02-20', to: '2027-02-21' });
    expect(past.body).toEqual([
      { date: '2027-02-20', available: 0, status: 'off', version: null },
      { date: '2027-02-21', available: 0, status: 'off', version: null },
    ]);
  });

  it('agrees with the slot grid: available counts what available-slots says, and changes with it', async () => {
    const date = '2027-03-23';
    const [d0] = (await days({ stylistId: 'any', from: date, to: date })).body;
    const grid = await slotsOf('any', date);
    expect(d0.available).toBe(grid.body.filter((s: any) => s.status === 'available').length);
    for (const s of [ana, bina, chandra]) await book(s, '09:00', date);
    const [d1] = (await days({ stylistId: 'any', from: date, to: date })).body;
    // [09:00, 10:15) is taken for everyone: 09:00, 09:30 and 10:00 (which would end its buffer in it) go.
    expect(d1.available).toBe(d0.available - 3);
    expect(d1.version).toBeGreaterThan(d0.version);
  });

  it('accepts at most 62 days: 63 → 400, to before from → 400, 62 → 62 dates', async () => {
    const over = await days({ stylistId: 'any', from: '2027-03-01', to: '2027-05-02' });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('INVALID_INPUT');
    const backwards = await days({ stylistId: 'any', from: '2027-03-10', to: '2027-03-09' });
    expect(backwards.status).toBe(400);
    const outside = await days({ stylistId: 'any', from: '2099-12-30', to: '2100-01-02' });
    expect(outside.status).toBe(400);
    const ok = await days({ stylistId: ana.id, from: '2027-03-01', to: '2027-05-01' });
    expect(ok.status).toBe(200);
    expect(ok.body).toHaveLength(62);
    expect(ok.body[61].date).toBe('2027-05-01');
  });

  it('charges what it computes to the slot-miss budget (one per stylist-day); cached days are free', async () => {
    const limited = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, RATE_LIMIT_SLOT_MISSES: '20' } });
    try {
      // 5 days × 3 stylists = 15 units: within 20.
      const first = await days({ stylistId: 'any', from: '2027-04-05', to: '2027-04-09' }, limited.baseUrl);
      expect(first.status).toBe(200);
      // 5 more days (15 units) would pass the budget: refused before anything is computed.
      const second = await days({ stylistId: 'any', from: '2027-04-12', to: '2027-04-16' }, limited.baseUrl);
      expect(second.status).toBe(429);
      expect(second.body.error.code).toBe('RATE_LIMITED');
      expect(second.headers.get('retry-after')).toBeTruthy();
      expect(limited.app.slots.cache.size).toBe(15);
      // What is cached costs nothing, even over budget.
      const again = await days({ stylistId: 'any', from: '2027-04-05', to: '2027-04-09' }, limited.baseUrl);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    } finally {
      await limited.close();
    }
  });
});
