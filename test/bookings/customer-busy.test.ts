// One customer, one chair at a time: a customer cannot hold or book two overlapping times, whatever
// the stylists (409 CUSTOMER_BUSY naming what is in the way); their own hold with the stylist they
// book never blocks them. Plus GET /api/holds/mine.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { CUSTOMER_OVERLAP_CONSTRAINT, customerBusyAfterViolation } from '../../server/bookings/customer.ts';
import { createSalon, createStylist, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { at, countRows, fakeClock, loggedInUsers, NOW, type LoggedIn } from './fixture.ts';

const MIN = 60_000;
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
/** A second stylist offering the same 60-minute service. */
let other: { id: string };
let alice: LoggedIn;
let bob: LoggedIn;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { slotStepMinutes: 30, bufferMinutes: 15, durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id], slotStepMinutes: 30, bufferMinutes: 15 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  [alice, bob] = await loggedInUsers(db.pool, srv.baseUrl, 2);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});
beforeEach(async () => {
  clock.t = NOW;
  await db.pool.query('delete from holds');
  await db.pool.query('delete from hold_series');
  await db.pool.query(`update bookings set status = 'cancelled' where status in ('pending', 'confirmed', 'in_progress')`);
  srv.app.slots.invalidateAll();
});

const with_ = (stylistId: string, hhmm: string, date = '2027-03-10') => ({
  stylistId,
  serviceId: salon.service.id,
  startUtc: at(hhmm, date),
});
const A = (hhmm: string, date?: string) => with_(salon.stylist.id, hhmm, date);
const B = (hhmm: string, date?: string) => with_(other.id, hhmm, date);

describe('one customer cannot hold or book two overlapping times', () => {
  it('two holds at once on two stylists at the same time: exactly one wins, the other 409 CUSTOMER_BUSY naming it', async () => {
    const answers = await Promise.all([alice.http.post('/api/holds', A('11:00')), alice.http.post('/api/holds', B('11:00'))]);
    const won = answers.filter((a) => a.status === 201);
    const lost = answers.filter((a) => a.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].body.error.code).toBe('CUSTOMER_BUSY');
    expect(lost[0].body.error.details.hold).toMatchObject({ id: won[0].body.id, stylistId: won[0].body.stylistId, startUtc: at('11:00') });
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [alice.id])).toBe(1);
  });

  it('two direct bookings at once on two stylists at overlapping times: one booking, the other 409 CUSTOMER_BUSY', async () => {
    const answers = await Promise.all([alice.http.post('/api/bookings', A('11:00')), alice.http.post('/api/bookings', B('11:30'))]);
    const won = answers.filter((a) => a.status === 201);
    const lost = answers.filter((a) => a.status === 409);
    expect(won).toHaveLength(1);
    expect(lost[0]?.body.error.code).toBe('CUSTOMER_BUSY');
    expect(lost[0].body.error.details.booking).toMatchObject({ id: won[0].body.id, customerId: alice.id, status: 'confirmed' });
    expect(await countRows(db.pool, 'bookings', `customer_id = $1 and status = 'confirmed'`, [alice.id])).toBe(1);
  });

  it('holding a time that overlaps one of my bookings with another stylist: 409 CUSTOMER_BUSY with the booking, nothing held', async () => {
    const booked = await alice.http.post('/api/bookings', A('11:00'));
    expect(booked.status).toBe(201);
    const r = await alice.http.post('/api/holds', B('11:30'));
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'CUSTOMER_BUSY', details: { booking: { id: booked.body.id } } });
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [alice.id])).toBe(0);
    // The other stylist's time is free for someone else.
    expect((await bob.http.post('/api/holds', B('11:30'))).status).toBe(201);
  });

  it('only the appointment counts: back-to-back with another stylist is fine (the stylist’s buffer is not the customer’s)', async () => {
    expect((await alice.http.post('/api/bookings', A('11:00'))).status).toBe(201);
    expect((await alice.http.post('/api/bookings', B('12:00'))).status).toBe(201);
    expect((await alice.http.post('/api/bookings', B('10:00'))).status).toBe(201);
  });

  it('booking over my own hold with another stylist is refused while it lives, and allowed once it expired', async () => {
    const held = await alice.http.post('/api/holds', A('11:00'));
    expect(held.status).toBe(201);
    const r = await alice.http.post('/api/bookings', B('11:00'));
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'CUSTOMER_BUSY', details: { hold: { id: held.body.id } } });
    clock.advance(11 * MIN);
    expect((await alice.http.post('/api/bookings', B('11:00'))).status).toBe(201);
  });

  it('my own hold never blocks me with the same stylist: a new hold replaces it, a booking consumes it', async () => {
    expect((await alice.http.post('/api/holds', A('11:00'))).status).toBe(201);
    // An overlapping time with the same stylist replaces the hold (picking another time in one grid).
    const moved = await alice.http.post('/api/holds', A('11:30'));
    expect(moved.status).toBe(201);
    // A non-overlapping hold with another stylist replaces it too: one live hold per customer.
    const elsewhere = await alice.http.post('/api/holds', B('14:00'));
    expect(elsewhere.status).toBe(201);
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [alice.id])).toBe(1);
    const booked = await alice.http.post('/api/bookings', { holdId: elsewhere.body.id });
    expect(booked.status).toBe(201);
    // Booked directly over the hold with the same stylist, too.
    expect((await alice.http.post('/api/holds', A('15:00'))).status).toBe(201);
    expect((await alice.http.post('/api/bookings', A('15:00'))).status).toBe(201);
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [alice.id])).toBe(0);
  });

  it('rescheduling onto a time overlapping another of my bookings: 409 CUSTOMER_BUSY, the booking stays where it was', async () => {
    const first = await alice.http.post('/api/bookings', A('11:00'));
    const second = await alice.http.post('/api/bookings', B('14:00'));
    expect([first.status, second.status]).toEqual([201, 201]);
    const r = await alice.http.post(`/api/bookings/${second.body.id}/reschedule`, { startUtc: at('11:30') });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'CUSTOMER_BUSY', details: { booking: { id: first.body.id } } });
    const { rows } = await db.pool.query('select start_at from bookings where id = $1', [second.body.id]);
    expect(rows[0].start_at.toISOString()).toBe(at('14:00'));
    // Moving a booking over its own current time is not a conflict with itself.
    const self = await alice.http.post(`/api/bookings/${second.body.id}/reschedule`, { startUtc: at('14:30') });
    expect(self.status).toBe(200);
  });

  it('my own booking in the way with the same stylist answers CUSTOMER_BUSY (not "taken"), after the start itself is checked', async () => {
    const booked = await alice.http.post('/api/bookings', A('11:00'));
    const again = await alice.http.post('/api/holds', A('11:30'));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CUSTOMER_BUSY', details: { booking: { id: booked.body.id } } });
    // Someone else is told the time is taken, with alternatives, and nothing about alice.
    const bobs = await bob.http.post('/api/holds', A('11:30'));
    expect(bobs.body.error.code).toBe('SLOT_TAKEN');
    expect(JSON.stringify(bobs.body)).not.toContain(alice.id);
    // Also when the time is held by someone else with the other stylist: alice's own booking is named.
    expect((await bob.http.post('/api/holds', B('11:30'))).status).toBe(201);
    const busy = await alice.http.post('/api/holds', B('11:30'));
    expect(busy.body.error).toMatchObject({ code: 'CUSTOMER_BUSY', details: { booking: { id: booked.body.id } } });
    // An invalid start is refused as such first.
    const offGrid = await alice.http.post('/api/holds', { ...A('11:00'), startUtc: new Date(Date.parse(at('11:10'))).toISOString() });
    expect(offGrid.body.error.code).toBe('NOT_ON_GRID');
  });

  it('other customers are not affected: two customers at the same time with two stylists both book', async () => {
    const answers = await Promise.all([alice.http.post('/api/bookings', A('16:00')), bob.http.post('/api/bookings', B('16:00'))]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
  });
});

describe('a violation of bookings_customer_no_overlap', () => {
  it('is answered CUSTOMER_BUSY naming the booking in the way (a writer that skipped the lock committed first)', async () => {
    const booked = await alice.http.post('/api/bookings', A('11:00'));
    expect(booked.status).toBe(201);
    const err = await customerBusyAfterViolation(db.pool, {
      customerId: alice.id,
      stylistId: other.id,
      serviceId: salon.service.id,
      startMs: Date.parse(at('11:30')),
    });
    expect(err).toMatchObject({ code: 'CUSTOMER_BUSY', status: 409, details: { booking: { id: booked.body.id } } });
    // The constraint the mapping is for is the one the database reports.
    await expect(
      insertBooking(db.pool, { customerId: alice.id, stylistId: other.id, serviceId: salon.service.id, startUtc: at('11:30') }),
    ).rejects.toMatchObject({ code: '23P01', constraint: CUSTOMER_OVERLAP_CONSTRAINT });
  });
});

describe('GET /api/holds/mine', () => {
  it('answers 401 without a session', async () => {
    const res = await fetch(`${srv.baseUrl}/api/holds/mine`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('lists the caller’s live hold only, not another customer’s, and nothing once it expired', async () => {
    expect((await alice.http.get('/api/holds/mine')).body).toEqual([]);
    const held = await alice.http.post('/api/holds', A('11:00'));
    expect((await bob.http.post('/api/holds', B('11:00'))).status).toBe(201);
    const mine = await alice.http.get('/api/holds/mine');
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([held.body]);
    clock.advance(10 * MIN);
    expect((await alice.http.get('/api/holds/mine')).body).toEqual([]);
  });
});
