import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, createStylist } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { at, countRows, DAY, fakeClock, localHHMM, loggedInUsers, NOW, slotStatuses, type LoggedIn } from './fixture.ts';

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
  // Each test starts from an empty day (through SQL, so the cache must be told).
  await db.pool.query('delete from holds');
  await db.pool.query(`update bookings set status = 'cancelled' where status in ('pending', 'confirmed', 'in_progress')`);
  srv.app.slots.invalidateAll();
});

const slot = (hhmm: string, date = DAY) => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm, date) });
const statuses = (date = DAY) => slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, date);

describe('holds', () => {
  it('holds an available slot for HOLD_MINUTES and the very next slots answer shows it held', async () => {
    expect((await statuses())['11:00']).toBe('available');
    const r = await alice.http.post('/api/holds', slot('11:00'));
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('11:00'),
      endUtc: at('12:00'),
      expiresAt: new Date(NOW + 10 * 60_000).toISOString(),
    });
    const s = await statuses();
    expect([s['09:30'], s['10:00'], s['11:00'], s['12:00'], s['12:30']]).toEqual(['available', 'held', 'held', 'held', 'available']);
  });

  it('refuses someone else\u2019s held slot with 409 SLOT_HELD and the nearest alternatives, nearest first', async () => {
    expect((await alice.http.post('/api/holds', slot('11:00'))).status).toBe(201);
    const r = await bob.http.post('/api/holds', slot('11:00'));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('SLOT_HELD');
    expect(r.body.error.details.alternatives.map((a: { startUtc: string }) => localHHMM(a.startUtc))).toEqual([
      '09:30',
      '12:30',
      '09:00',
      '13:00',
      '13:30',
    ]);
    expect(r.body.error.details.alternatives[0]).toEqual({
      startUtc: at('09:30'),
      endUtc: at('10:30'),
      startLocal: '2027-03-10T09:30:00.000+05:45',
    });
    // An overlapping start is held too.
    expect((await bob.http.post('/api/bookings', slot('11:30'))).body.error.code).toBe('SLOT_HELD');
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [bob.id])).toBe(0);
  });

  it('keeps one live hold per customer: a new hold replaces the old one', async () => {
    const first = await alice.http.post('/api/holds', slot('11:00'));
    const second = await alice.http.post('/api/holds', slot('14:00'));
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [alice.id])).toBe(1);
    const s = await statuses();
    expect([s['11:00'], s['14:00']]).toEqual(['available', 'held']);
    // The replaced hold is gone.
    expect((await alice.http.delete(`/api/holds/${first.body.id}`)).status).toBe(404);
  });

  it('re-holding the slot one already holds keeps the original expiry', async () => {
    const first = await alice.http.post('/api/holds', slot('15:00'));
    clock.advance(6 * 60_000);
    const again = await alice.http.post('/api/holds', slot('15:00'));
    expect(again.status).toBe(201);
    expect(again.body.expiresAt).toBe(first.body.expiresAt);
    // Holding another slot starts a new hold with a full lifetime.
    const other = await alice.http.post('/api/holds', slot('15:30'));
    expect(Date.parse(other.body.expiresAt)).toBeGreaterThan(Date.parse(first.body.expiresAt));
  });

  it('lets the holder re-hold or book their own held slot', async () => {
    expect((await alice.http.post('/api/holds', slot('11:00'))).status).toBe(201);
    expect((await alice.http.post('/api/holds', slot('11:30'))).status).toBe(201);
    const b = await alice.http.post('/api/bookings', slot('11:30'));
    expect(b.status).toBe(201);
    // The hold has served its purpose.
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [alice.id])).toBe(0);
  });

  it('releases a hold with DELETE and the slot is available again at once', async () => {
    const h = await alice.http.post('/api/holds', slot('11:00'));
    expect((await bob.http.delete(`/api/holds/${h.body.id}`)).status).toBe(404);
    expect((await alice.http.delete(`/api/holds/${h.body.id}`)).status).toBe(204);
    expect((await statuses())['11:00']).toBe('available');
    expect((await alice.http.delete(`/api/holds/${h.body.id}`)).status).toBe(404);
  });

  it('an expired hold cannot be confirmed (409 HOLD_EXPIRED) and no longer blocks anyone', async () => {
    const h = await alice.http.post('/api/holds', slot('11:00'));
    clock.advance(10 * 60_000);
    const late = await alice.http.post('/api/bookings', { holdId: h.body.id });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('HOLD_EXPIRED');
    expect(await countRows(db.pool, 'bookings', `status = 'confirmed'`)).toBe(0);
    const other = await bob.http.post('/api/bookings', slot('11:00'));
    expect(other.status).toBe(201);
  });

  it('still answers HOLD_EXPIRED after the sweeper deleted the expired hold, and 404 for a hold never made', async () => {
    const h = await alice.http.post('/api/holds', slot('12:00'));
    clock.advance(10 * 60_000 + 1);
    await db.pool.query('delete from holds where id = $1', [h.body.id]); // what the sweeper does
    const late = await alice.http.post('/api/bookings', { holdId: h.body.id });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('HOLD_EXPIRED');
    // Someone else's swept hold is as unknown to bob as a hold that never existed.
    expect((await bob.http.post('/api/bookings', { holdId: h.body.id })).body.error.code).toBe('NOT_FOUND');
    expect((await alice.http.post('/api/bookings', { holdId: '00000000-0000-4000-8000-000000000001' })).status).toBe(404);
  });
});

describe('bookings', () => {
  it('confirms a hold into a booking; the slot shows booked in the next answer', async () => {
    const h = await alice.http.post('/api/holds', slot('11:00'));
    clock.advance(9 * 60_000);
    const r = await alice.http.post('/api/bookings', { holdId: h.body.id, notes: 'Window seat please' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      customerId: alice.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('11:00'),
      endUtc: at('12:00'),
      status: 'confirmed',
      priceCents: salon.service.priceCents,
      notes: 'Window seat please',
      createdAt: expect.any(String),
      attention: null,
    });
    expect(await countRows(db.pool, 'holds')).toBe(0);
    const s = await statuses();
    expect([s['10:00'], s['11:00'], s['12:00'], s['12:30']]).toEqual(['booked', 'booked', 'booked', 'available']);
    const { rows } = await db.pool.query('select occupied_until from bookings where id = $1', [r.body.id]);
    expect(rows[0].occupied_until.toISOString()).toBe(at('12:15'));
  });

  it('a hold confirmed inside the minimum notice still books (the notice was checked when holding)', async () => {
    clock.set(at('09:58')); // 11:00 is 62 min ahead: bookable
    const h = await alice.http.post('/api/holds', slot('11:00'));
    expect(h.status).toBe(201);
    clock.set(at('10:03')); // 57 min ahead now, the hold lives until 10:08
    const r = await alice.http.post('/api/bookings', { holdId: h.body.id });
    expect(r.body).toMatchObject({ startUtc: at('11:00') });
  });

  it('refuses a booked slot with 409 SLOT_TAKEN and alternatives; a second booking of it too', async () => {
    expect((await alice.http.post('/api/bookings', slot('11:00'))).status).toBe(201);
    const r = await bob.http.post('/api/bookings', slot('11:00'));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('SLOT_TAKEN');
    expect(r.body.error.details.alternatives.map((a: { startUtc: string }) => localHHMM(a.startUtc))).toEqual([
      '09:30',
      '12:30',
      '09:00',
      '13:00',
      '13:30',
    ]);
    expect((await bob.http.post('/api/holds', slot('10:30'))).body.error.code).toBe('SLOT_TAKEN');
    expect(await countRows(db.pool, 'bookings', `status = 'confirmed'`)).toBe(1);
  });

  it.each([
    ['off the grid', () => slot('09:10'), 400, 'NOT_ON_GRID'],
    ['seconds off the grid', () => ({ ...slot('10:00'), startUtc: at('10:00:30') }), 400, 'NOT_ON_GRID'],
    ['before opening', () => slot('08:00'), 400, 'OUTSIDE_HOURS'],
    ['running past closing', () => slot('16:30'), 400, 'OUTSIDE_HOURS'],
    ['after closing', () => slot('18:00'), 400, 'OUTSIDE_HOURS'],
    ['in the past', () => slot('11:00', '2027-02-20'), 400, 'IN_PAST'],
    ['beyond the horizon', () => slot('11:00', '2027-06-01'), 400, 'OUTSIDE_HOURS'],
    ['an unknown stylist', () => ({ ...slot('11:00'), stylistId: '00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND'],
    ['an unknown service', () => ({ ...slot('11:00'), serviceId: '00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND'],
  ])('refuses a start %s (%i %s) for holds and bookings, writing nothing', async (_n, body, status, code) => {
    for (const path of ['/api/holds', '/api/bookings']) {
      const r = await alice.http.post(path, body());
      expect([r.status, r.body.error.code]).toEqual([status, code]);
    }
    expect(await countRows(db.pool, 'holds')).toBe(0);
    expect(await countRows(db.pool, 'bookings', `status <> 'cancelled'`)).toBe(0);
  });

  it('answers IN_PAST inside the minimum notice, by the injected clock', async () => {
    clock.set(at('09:45'));
    expect((await alice.http.post('/api/bookings', slot('10:30'))).body.error.code).toBe('IN_PAST');
    expect((await alice.http.post('/api/bookings', slot('11:00'))).status).toBe(201);
  });

  it('refuses a service the stylist does not offer, and a closed day', async () => {
    const other = await createService(db.pool);
    expect((await alice.http.post('/api/holds', { ...slot('11:00'), serviceId: other.id })).status).toBe(404);
    await db.pool.query(
      `insert into overrides (scope, start_date, end_date, kind, reason) values ('salon', '2027-03-12', '2027-03-12', 'closed', 'Holiday')`,
    );
    srv.app.slots.invalidateAll();
    expect((await alice.http.post('/api/bookings', slot('11:00', '2027-03-12'))).body.error.code).toBe('OUTSIDE_HOURS');
  });

  it('a stylist cannot book themselves (403) but can book another stylist', async () => {
    const st = await createStylist(db.pool, { serviceIds: [salon.service.id] });
    const stHttp = await loginAs(srv.baseUrl, st.email, st.password);
    const own = { stylistId: st.id, serviceId: salon.service.id, startUtc: at('11:00') };
    for (const path of ['/api/holds', '/api/bookings']) {
      const r = await stHttp.post(path, own);
      expect([r.status, r.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await stHttp.post('/api/bookings', slot('11:00'))).status).toBe(201);
  });

  it('lists only the customer\u2019s own bookings, newest first', async () => {
    const a1 = await alice.http.post('/api/bookings', slot('09:00'));
    const b1 = await bob.http.post('/api/bookings', slot('13:00'));
    const a2 = await alice.http.post('/api/bookings', slot('15:00'));
    const mine = await alice.http.get('/api/bookings/mine');
    expect(mine.status).toBe(200);
    const ids = mine.body.map((b: { id: string }) => b.id);
    expect(ids.slice(0, 2)).toEqual([a2.body.id, a1.body.id]);
    expect(ids).not.toContain(b1.body.id);
    expect((await alice.http.get('/api/bookings/mine?limit=1')).body).toHaveLength(1);
  });

  it('maps an exclusion violation from a writer that bypasses the lock to 409 SLOT_TAKEN', async () => {
    // Another program inserts the same time in an open transaction; the API's insert waits on it.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      const start = new Date(at('11:00'));
      await other.query(
        `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
         values ($1, $2, $3, $4, $5, $6, 0)`,
        [bob.id, salon.stylist.id, salon.service.id, start, new Date(start.getTime() + 3_600_000), new Date(start.getTime() + 4_500_000)],
      );
      let settled = false;
      const pending = alice.http.post('/api/bookings', slot('11:00')).finally(() => (settled = true));
      // Wait until the API's insert is blocked on the uncommitted row, then commit it. (Polled from
      // the pool: inside a transaction pg_stat_activity is a snapshot.)
      while (!settled) {
        const { rows } = await db.pool.query(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into bookings%'`,
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      await other.query('commit');
      const r = await pending;
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('SLOT_TAKEN');
      expect(r.body.error.details.alternatives.length).toBeGreaterThan(0);
    } finally {
      await other.end();
    }
  });
});

describe('idempotent retries', () => {
  it('a retry with the same Idempotency-Key answers 201 with the same booking and writes nothing', async () => {
    const key = { 'Idempotency-Key': 'retry-1' };
    const first = await alice.http.post('/api/bookings', slot('11:00'), key);
    const again = await alice.http.post('/api/bookings', slot('11:00'), key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countRows(db.pool, 'bookings', 'idempotency_key = $1', ['retry-1'])).toBe(1);
  });

  it('a retry of a hold confirmation returns the booking though the hold is gone', async () => {
    const h = await alice.http.post('/api/holds', slot('11:00'));
    const key = { 'Idempotency-Key': 'hold-retry' };
    const first = await alice.http.post('/api/bookings', { holdId: h.body.id }, key);
    const again = await alice.http.post('/api/bookings', { holdId: h.body.id }, key);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
  });

  it('concurrent retries of one request make one booking', async () => {
    const key = { 'Idempotency-Key': 'burst' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => alice.http.post('/api/bookings', slot('13:00'), key)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await countRows(db.pool, 'bookings', 'customer_id = $1 and start_at = $2', [alice.id, at('13:00')])).toBe(1);
  });

  it('the same key for a different request is refused with 409; keys are per customer', async () => {
    const key = { 'Idempotency-Key': 'reused' };
    expect((await alice.http.post('/api/bookings', slot('11:00'), key)).status).toBe(201);
    const other = await alice.http.post('/api/bookings', slot('14:00'), key);
    expect([other.status, other.body.error.code]).toEqual([409, 'CONFLICT']);
    expect((await bob.http.post('/api/bookings', slot('14:00'), key)).status).toBe(201);
  });
});

describe('cancel and reschedule', () => {
  it('a customer cancels before the start; the slot frees at once; not after the start', async () => {
    const b = await alice.http.post('/api/bookings', slot('11:00'));
    const c = await alice.http.post(`/api/bookings/${b.body.id}/cancel`, { reason: 'Change of plans' });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('cancelled');
    expect((await statuses())['11:00']).toBe('available');
    expect((await alice.http.post(`/api/bookings/${b.body.id}/cancel`)).body.error.code).toBe('INVALID_TRANSITION');
    const late = await alice.http.post('/api/bookings', slot('14:00'));
    clock.set(at('14:00'));
    const r = await alice.http.post(`/api/bookings/${late.body.id}/cancel`, {});
    expect([r.status, r.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
  });

  it('reschedules in place: same id, the old time frees, the new one is booked', async () => {
    const b = await alice.http.post('/api/bookings', slot('11:00'));
    const r = await alice.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at('14:00') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: b.body.id, startUtc: at('14:00'), endUtc: at('15:00'), status: 'confirmed' });
    const s = await statuses();
    expect([s['11:00'], s['14:00']]).toEqual(['available', 'booked']);
    expect(await countRows(db.pool, 'bookings', `customer_id = $1 and status = 'confirmed'`, [alice.id])).toBe(1);
  });

  it('may move a booking onto times that only it occupies', async () => {
    const b = await alice.http.post('/api/bookings', slot('11:00'));
    const r = await alice.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at('11:30') });
    expect(r.status).toBe(200);
    expect(r.body.startUtc).toBe(at('11:30'));
  });

  it('refuses a taken, held, off-grid or past time and leaves the booking where it was', async () => {
    const b = await alice.http.post('/api/bookings', slot('11:00'));
    await bob.http.post('/api/bookings', slot('14:00'));
    await bob.http.post('/api/holds', slot('16:00'));
    for (const [hhmm, code] of [
      ['14:00', 'SLOT_TAKEN'],
      ['16:00', 'SLOT_HELD'],
      ['09:10', 'NOT_ON_GRID'],
      ['19:00', 'OUTSIDE_HOURS'],
    ]) {
      const r = await alice.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at(hhmm) });
      expect([hhmm, r.body.error.code]).toEqual([hhmm, code]);
    }
    const { rows } = await db.pool.query('select start_at, status from bookings where id = $1', [b.body.id]);
    expect([rows[0].start_at.toISOString(), rows[0].status]).toEqual([at('11:00'), 'confirmed']);
  });

  it('refuses to reschedule a cancelled booking or one that has started', async () => {
    const b = await alice.http.post('/api/bookings', slot('11:00'));
    clock.set(at('11:00'));
    expect((await alice.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at('15:00') })).body.error.code).toBe(
      'INVALID_TRANSITION',
    );
    clock.t = NOW;
    await alice.http.post(`/api/bookings/${b.body.id}/cancel`);
    expect((await alice.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at('15:00') })).body.error.code).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('an admin reschedules anyone\u2019s booking and it is audited', async () => {
    const [admin] = await loggedInUsers(db.pool, srv.baseUrl, 1, 'admin');
    const b = await alice.http.post('/api/bookings', slot('11:00'));
    const r = await admin.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at('12:30') });
    expect(r.status).toBe(200);
    const { rows } = await db.pool.query(`select actor_id, action, details from audit_log where target = $1`, [`booking:${b.body.id}`]);
    expect(rows).toEqual([{ actor_id: admin.id, action: 'booking.reschedule', details: { from: at('11:00'), to: at('12:30') } }]);
  });
});

describe('read-your-writes with the cache on', () => {
  it('every write is visible in the very next slots answer of the same process', async () => {
    // Warm the cache.
    expect((await statuses())['15:00']).toBe('available');
    const b = await alice.http.post('/api/bookings', slot('15:00'));
    expect((await statuses())['15:00']).toBe('booked');
    await alice.http.post(`/api/bookings/${b.body.id}/reschedule`, { startUtc: at('09:00') });
    let s = await statuses();
    expect([s['09:00'], s['15:00']]).toEqual(['booked', 'available']);
    await alice.http.post(`/api/bookings/${b.body.id}/cancel`);
    s = await statuses();
    expect(s['09:00']).toBe('available');
    const h = await bob.http.post('/api/holds', slot('10:00'));
    expect((await statuses())['10:00']).toBe('held');
    await bob.http.delete(`/api/holds/${h.body.id}`);
    expect((await statuses())['10:00']).toBe('available');
  });
});
