import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { at, countRows, fakeClock, loggedInUsers, overlappingPairs, slotStatuses, type LoggedIn } from './fixture.ts';

// 50 different customers, each with their own session, hitting one slot at the same moment.
const N = 50;
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let customers: LoggedIn[];
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { slotStepMinutes: 30, bufferMinutes: 15, durationMinutes: 60 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  customers = await loggedInUsers(db.pool, srv.baseUrl, N);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const slot = (hhmm: string, date = '2027-03-10') => ({
  stylistId: salon.stylist.id,
  serviceId: salon.service.id,
  startUtc: at(hhmm, date),
});
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});

describe('races', () => {
  it(`${N} customers booking one slot at once: exactly one 201 and ${N - 1} × 409 SLOT_TAKEN, no overlap`, async () => {
    const answers = await Promise.all(customers.map((c) => c.http.post('/api/bookings', slot('11:00'))));
    expect(tally(answers.map((a) => a.status))).toEqual({ 201: 1, 409: N - 1 });
    expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.body.error.code))).toEqual(new Set(['SLOT_TAKEN']));
    expect(await countRows(db.pool, 'bookings', 'stylist_id = $1 and start_at = $2', [salon.stylist.id, at('11:00')])).toBe(1);
    expect(await overlappingPairs(db.pool)).toBe(0);
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id))['11:00']).toBe('booked');
  });

  it(`${N} customers booking overlapping starts at once: the winners never overlap`, async () => {
    // Starts every 30 min from 13:00 for a 60 min service + 15 min buffer: neighbours collide.
    const starts = ['13:00', '13:30', '14:00', '14:30', '15:00'];
    const answers = await Promise.all(customers.map((c, i) => c.http.post('/api/bookings', slot(starts[i % starts.length]))));
    // Whatever wins first, at most two of these fit side by side (and at least one wins).
    const won = answers.filter((a) => a.status === 201);
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(won.length).toBeLessThanOrEqual(2);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it(`${N} customers holding one slot at once: exactly one 201 and ${N - 1} × 409 SLOT_HELD`, async () => {
    const answers = await Promise.all(customers.map((c) => c.http.post('/api/holds', slot('11:00', '2027-03-11'))));
    expect(tally(answers.map((a) => a.status))).toEqual({ 201: 1, 409: N - 1 });
    expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.body.error.code))).toEqual(new Set(['SLOT_HELD']));
    expect(await countRows(db.pool, 'holds', 'start_at = $1', [at('11:00', '2027-03-11')])).toBe(1);
  });

  it('holds and bookings racing for one slot: exactly one wins', async () => {
    const answers = await Promise.all(
      customers.map((c, i) => c.http.post(i % 2 ? '/api/holds' : '/api/bookings', slot('15:00', '2027-03-11'))),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const holds = await countRows(db.pool, 'holds', 'start_at = $1', [at('15:00', '2027-03-11')]);
    const bookings = await countRows(db.pool, 'bookings', `start_at = $1 and status = 'confirmed'`, [at('15:00', '2027-03-11')]);
    expect(holds + bookings).toBe(1);
  });

  it('reschedules racing for one free time: exactly one moves, every booking still exists, none overlap', async () => {
    const date = '2027-03-12';
    const movers = customers.slice(0, 5);
    const ids: string[] = [];
    for (const [i, c] of movers.entries()) {
      // Each on a day of its own, all moving to 16:00 on `date`.
      ids.push(
        await insertBooking(db.pool, {
          customerId: c.id,
          stylistId: salon.stylist.id,
          serviceId: salon.service.id,
          startUtc: at('11:00', `2027-03-2${i}`),
        }),
      );
    }
    srv.app.slots.invalidateAll();
    const answers = await Promise.all(
      movers.map((c, i) => c.http.post(`/api/bookings/${ids[i]}/reschedule`, { startUtc: at('16:00', date) })),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 1, 409: 4 });
    expect(await countRows(db.pool, 'bookings', `id = any($1) and status = 'confirmed'`, [ids])).toBe(5);
    expect(await countRows(db.pool, 'bookings', 'start_at = $1', [at('16:00', date)])).toBe(1);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it('reschedules and new bookings racing for one time: exactly one succeeds', async () => {
    const date = '2027-03-13';
    const movers = customers.slice(0, 10);
    const ids: string[] = [];
    for (const [i, c] of movers.entries()) {
      // Each on a day of its own in April, so none collides with 12:00 on `date`.
      ids.push(
        await insertBooking(db.pool, {
          customerId: c.id,
          stylistId: salon.stylist.id,
          serviceId: salon.service.id,
          startUtc: at('09:00', `2027-04-${String(i + 1).padStart(2, '0')}`),
        }),
      );
    }
    srv.app.slots.invalidateAll();
    const answers = await Promise.all([
      ...movers.map((c, i) => c.http.post(`/api/bookings/${ids[i]}/reschedule`, { startUtc: at('12:00', date) })),
      ...customers.slice(10, 30).map((c) => c.http.post('/api/bookings', slot('12:00', date))),
    ]);
    expect(answers.filter((a) => a.status === 200 || a.status === 201)).toHaveLength(1);
    expect(answers.every((a) => [200, 201, 409].includes(a.status))).toBe(true);
    expect(await countRows(db.pool, 'bookings', `id = any($1) and status = 'confirmed'`, [ids])).toBe(10);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it('a booking being rescheduled is always visible to its owner, before or after the move', async () => {
    const date = '2027-03-15';
    const [c] = customers;
    const id = await insertBooking(db.pool, {
      customerId: c.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('09:00', date),
    });
    const times = ['10:30', '12:00', '13:30', '15:00', '09:00'];
    const reads: Promise<{ body: { id: string; startUtc: string }[] }>[] = [];
    for (const t of times) {
      const move = c.http.post(`/api/bookings/${id}/reschedule`, { startUtc: at(t, date) });
      reads.push(c.http.get('/api/bookings/mine'));
      expect((await move).status).toBe(200);
    }
    for (const r of await Promise.all(reads)) expect(r.body.filter((b) => b.id === id)).toHaveLength(1);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });
});
