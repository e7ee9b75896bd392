// A hold cannot be renewed forever: a customer's holds on one time (stylist + start) belong to one
// series, and every hold of the series expires by the first one's expiry plus one hold length,
// however it was re-taken (after holding another time, after releasing it, after it expired).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { at, countRows, DAY, fakeClock, loggedInUsers, NOW, slotStatuses, type LoggedIn } from '../bookings/fixture.ts';

const MIN = 60_000;
/** HOLD_MINUTES and the renewal window of this file's server (the defaults). */
const HOLD = 10 * MIN;
const WINDOW = 60 * MIN;

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let alice: LoggedIn;
let bob: LoggedIn;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { slotStepMinutes: 30, bufferMinutes: 15, durationMinutes: 60 });
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
  srv.app.slots.invalidateAll();
});

const slot = (hhmm: string, date = DAY) => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm, date) });
const hold = (who: LoggedIn, hhmm: string, date = DAY) => who.http.post('/api/holds', slot(hhmm, date));
const expiry = (r: { body: { expiresAt: string } }) => Date.parse(r.body.expiresAt);

describe('holds cannot be renewed forever', () => {
  it('hold A, hold B, hold A again keeps the first hold\u2019s expiry', async () => {
    const a = await hold(alice, '11:00');
    expect(a.status).toBe(201);
    clock.advance(3 * MIN);
    expect((await hold(alice, '14:00')).status).toBe(201);
    clock.advance(3 * MIN);
    const again = await hold(alice, '11:00');
    expect(again.status).toBe(201);
    expect(again.body.expiresAt).toBe(a.body.expiresAt);
  });

  it('releasing and re-taking does not reset the clock', async () => {
    const a = await hold(alice, '12:00');
    clock.advance(4 * MIN);
    expect((await alice.http.delete(`/api/holds/${a.body.id}`)).status).toBe(204);
    const again = await hold(alice, '12:00');
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(a.body.id);
    expect(again.body.expiresAt).toBe(a.body.expiresAt);
  });

  it('after the first hold expires, one more hold length at most; then 409 HOLD_LIMIT until the window ends', async () => {
    const first = await hold(alice, '15:00');
    const firstExpiry = expiry(first);
    expect(firstExpiry).toBe(NOW + HOLD);
    // It expired (and was swept); taken again 2 minutes later: it ends one hold length after the first.
    clock.t = firstExpiry + 2 * MIN;
    await db.pool.query('delete from holds where id = $1', [first.body.id]);
    const late = await hold(alice, '15:00');
    expect(late.status).toBe(201);
    expect(expiry(late)).toBe(firstExpiry + HOLD);
    // Switching away and back, or releasing and re-taking, changes nothing.
    clock.advance(3 * MIN);
    expect((await hold(alice, '09:30')).status).toBe(201);
    expect(expiry(await hold(alice, '15:00'))).toBe(firstExpiry + HOLD);
    // Past that: refused, nothing written, and the time is free for others.
    clock.t = firstExpiry + HOLD;
    const before = (await db.pool.query('select * from holds order by id')).rows;
    const refused = await hold(alice, '15:00');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('HOLD_LIMIT');
    expect(refused.body.error.details).toEqual({ retryAt: new Date(NOW + WINDOW).toISOString() });
    expect((await db.pool.query('select * from holds order by id')).rows).toEqual(before);
    expect(await countRows(db.pool, 'holds', 'customer_id = $1 and expires_at > $2', [alice.id, new Date(clock.t)])).toBe(0);
    // What the sweeper does with the expired hold (its cache entry is told, as the relay would).
    await db.pool.query('delete from holds where expires_at <= $1', [new Date(clock.t)]);
    srv.app.slots.invalidateAll();
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id))['15:00']).toBe('available');
    expect((await hold(bob, '15:00')).status).toBe(201);
    await db.pool.query('delete from holds where customer_id = $1', [bob.id]);
    // Only holding is limited: booking it outright is still possible.
    const booked = await alice.http.post('/api/bookings', slot('15:00'));
    expect(booked.status).toBe(201);
    await db.pool.query(`update bookings set status = 'cancelled' where id = $1`, [booked.body.id]);
    srv.app.slots.invalidateAll();
    // When the window has passed, a hold on that time starts afresh.
    clock.t = NOW + WINDOW;
    const fresh = await hold(alice, '15:00');
    expect(fresh.status).toBe(201);
    expect(expiry(fresh)).toBe(NOW + WINDOW + HOLD);
  });

  it('no sequence of holds, switches and releases keeps one time held longer than two hold lengths in the window', async () => {
    const first = await hold(alice, '13:00');
    const cap = expiry(first) + HOLD;
    let latest = expiry(first);
    let refusedFrom: number | null = null;
    // Every 90 s for 40 minutes: switch to another time, come back, release, come back.
    for (let t = 0; t < 40 * MIN; t += 90_000) {
      clock.t = NOW + t;
      const step = (t / 90_000) % 3;
      if (step === 0) await hold(alice, '10:00');
      if (step === 1) {
        const { rows } = await db.pool.query('select id from holds where customer_id = $1', [alice.id]);
        if (rows[0]) await alice.http.delete(`/api/holds/${rows[0].id}`);
      }
      const r = await hold(alice, '13:00');
      if (r.status === 201) {
        expect(refusedFrom).toBeNull();
        latest = Math.max(latest, expiry(r));
      } else {
        expect(r.body.error.code).toBe('HOLD_LIMIT');
        refusedFrom ??= clock.t;
      }
    }
    expect(latest).toBe(cap);
    expect(refusedFrom).toBeGreaterThanOrEqual(cap);
  });

  it('booking the held time ends the series: after cancelling, the time can be held afresh', async () => {
    const first = await hold(alice, '11:30');
    clock.advance(12 * MIN);
    await db.pool.query('delete from holds where id = $1', [first.body.id]);
    const late = await hold(alice, '11:30');
    expect(expiry(late)).toBe(expiry(first) + HOLD);
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    const booked = await alice.http.post('/api/bookings', { holdId: late.body.id });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(await countRows(db.pool, 'hold_series', 'customer_id = $1 and start_at = $2', [alice.id, at('11:30')])).toBe(0);
    expect((await alice.http.post(`/api/bookings/${booked.body.id}/cancel`, {})).status).toBe(200);
    // Past the old series' cap: without the booking this would be HOLD_LIMIT.
    clock.t = expiry(first) + HOLD + MIN;
    const again = await hold(alice, '11:30');
    expect(again.status).toBe(201);
    expect(expiry(again)).toBe(clock.t + HOLD);
  });

  it('concurrent re-holds cannot get around the limit', async () => {
    const first = await hold(alice, '14:30');
    const cap = expiry(first) + HOLD;
    for (const t of [2 * MIN, 11 * MIN, 19 * MIN]) {
      clock.t = NOW + t;
      // The same customer from many tabs at once: this time, another time, release.
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 3 === 1 ? hold(alice, '09:00') : hold(alice, '14:30'))));
      for (const r of answers) expect(r.status).toBe(201);
      for (const r of answers.filter((r) => r.body.startUtc === at('14:30'))) {
        expect(expiry(r)).toBeLessThanOrEqual(cap);
        expect(expiry(r)).toBe(t < HOLD ? cap - HOLD : cap);
      }
    }
    clock.t = cap;
    const late = await Promise.all(Array.from({ length: 8 }, () => hold(alice, '14:30')));
    for (const r of late) expect(r.body.error?.code).toBe('HOLD_LIMIT');
    const { rows } = await db.pool.query(`select max(expires_at) as m from holds where customer_id = $1 and start_at = $2`, [
      alice.id,
      at('14:30'),
    ]);
    expect(rows[0].m === null || rows[0].m.getTime() <= cap).toBe(true);
  });
});

describe('hold series upkeep', () => {
  it('the pruner deletes series whose window has ended and keeps the others', async () => {
    const ins = (endsAt: string) =>
      db.pool.query(
        `insert into hold_series (customer_id, stylist_id, start_at, first_expires_at, expires_by, ends_at)
       values ($1, $2, $3, $4, $4, $4)`,
        [bob.id, salon.stylist.id, endsAt, endsAt],
      );
    await db.pool.query('delete from hold_series where customer_id = $1', [bob.id]);
    await ins('2001-01-01T00:00:00Z');
    await ins('2999-01-01T00:00:00Z');
    await srv.app.realtime.maintenance.prune();
    const { rows } = await db.pool.query('select ends_at from hold_series where customer_id = $1', [bob.id]);
    expect(rows.map((r) => r.ends_at.toISOString())).toEqual(['2999-01-01T00:00:00.000Z']);
  });
});
