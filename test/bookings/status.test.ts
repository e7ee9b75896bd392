import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { at, countRows, fakeClock, loggedInUsers, slotStatuses, type LoggedIn } from './fixture.ts';

const STATUSES = ['pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show'] as const;
// docs/domain.md §6, written out here independently of the implementation.
const ALLOWED = new Set([
  'pending>confirmed',
  'pending>cancelled',
  'confirmed>in_progress',
  'confirmed>cancelled',
  'confirmed>no_show',
  'in_progress>completed',
]);

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let stylist: HttpClient;
let otherStylist: HttpClient;
let customer: LoggedIn;
let admin: LoggedIn;
const clock = fakeClock();
let dayOffset = 0;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  const other = await createStylist(db.pool);
  otherStylist = await loginAs(srv.baseUrl, other.email, other.password);
  [customer] = await loggedInUsers(db.pool, srv.baseUrl, 1);
  [admin] = await loggedInUsers(db.pool, srv.baseUrl, 1, 'admin');
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

/** A booking of `status` at 11:00 local on a day of its own; the clock is put `minutesAfterStart` after its start. */
async function booking(status: string, minutesAfterStart = 10) {
  const date = DateTime.fromISO('2027-03-01').plus({ days: dayOffset++ }).toISODate()!;
  const startUtc = at('11:00', date);
  const id = await insertBooking(db.pool, {
    customerId: customer.id,
    stylistId: salon.stylist.id,
    serviceId: salon.service.id,
    startUtc,
    status,
  });
  clock.t = Date.parse(startUtc) + minutesAfterStart * 60_000;
  return { id, date, startUtc };
}

const statusOf = async (id: string) => (await db.pool.query('select status from bookings where id = $1', [id])).rows[0].status;
const auditRows = (id: string) => countRows(db.pool, 'audit_log', 'target = $1', [`booking:${id}`]);

describe('the status machine', () => {
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s by the stylist', async (from, to) => {
    const b = await booking(from);
    const r = await stylist.post(`/api/bookings/${b.id}/status`, { status: to });
    if (ALLOWED.has(`${from}>${to}`)) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: b.id, status: to });
      expect(await statusOf(b.id)).toBe(to);
      const { rows } = await db.pool.query('select actor_id, action, details from audit_log where target = $1', [`booking:${b.id}`]);
      expect(rows).toEqual([{ actor_id: salon.stylist.userId, action: 'booking.status', details: { from, to, role: 'stylist' } }]);
    } else {
      expect([r.status, r.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
      expect(r.body.error.details).toMatchObject({ from, to });
      expect(await statusOf(b.id)).toBe(from);
      expect(await auditRows(b.id)).toBe(0);
    }
  });
});

describe('timing rules', () => {
  it('no_show only once the start has passed', async () => {
    const b = await booking('confirmed', -1);
    expect((await stylist.post(`/api/bookings/${b.id}/status`, { status: 'no_show' })).body.error.code).toBe('INVALID_TRANSITION');
    clock.t = Date.parse(b.startUtc);
    expect((await stylist.post(`/api/bookings/${b.id}/status`, { status: 'no_show' })).status).toBe(200);
  });

  it('in_progress no earlier than 30 minutes before the start', async () => {
    const b = await booking('confirmed', -31);
    expect((await stylist.post(`/api/bookings/${b.id}/status`, { status: 'in_progress' })).body.error.code).toBe('INVALID_TRANSITION');
    clock.t = Date.parse(b.startUtc) - 30 * 60_000;
    expect((await stylist.post(`/api/bookings/${b.id}/status`, { status: 'in_progress' })).status).toBe(200);
  });

  it('customers cancel only before the start; the stylist may cancel a confirmed booking after it', async () => {
    const b = await booking('confirmed', 0);
    expect((await customer.http.post(`/api/bookings/${b.id}/cancel`)).body.error.code).toBe('INVALID_TRANSITION');
    clock.t = Date.parse(b.startUtc) - 60_000;
    expect((await customer.http.post(`/api/bookings/${b.id}/cancel`, { reason: 'ill' })).status).toBe(200);
    const { rows } = await db.pool.query('select cancel_reason from bookings where id = $1', [b.id]);
    expect(rows[0].cancel_reason).toBe('ill');
    const late = await booking('confirmed', 5);
    const r = await stylist.post(`/api/bookings/${late.id}/cancel`, { reason: 'Stylist unwell' });
    expect(r.status).toBe(200);
    expect(await auditRows(late.id)).toBe(1);
  });

  it('cancelling frees the slot in the very next slots answer', async () => {
    const b = await booking('confirmed', -24 * 60);
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, b.date))['11:00']).toBe('booked');
    await stylist.post(`/api/bookings/${b.id}/status`, { status: 'cancelled' });
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, b.date))['11:00']).toBe('available');
  });
});

describe('who may change a status', () => {
  it('the customer may not (403), another stylist sees nothing (404), an admin may (audited)', async () => {
    const b = await booking('confirmed');
    const own = await customer.http.post(`/api/bookings/${b.id}/status`, { status: 'in_progress' });
    expect([own.status, own.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const other = await otherStylist.post(`/api/bookings/${b.id}/status`, { status: 'in_progress' });
    expect([other.status, other.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(await statusOf(b.id)).toBe('confirmed');
    const byAdmin = await admin.http.post(`/api/bookings/${b.id}/status`, { status: 'in_progress' });
    expect(byAdmin.status).toBe(200);
    const { rows } = await db.pool.query('select actor_id, details from audit_log where target = $1', [`booking:${b.id}`]);
    // `role` is who acted: the customer, the stylist, or the front-desk user's own role (reception or admin).
    expect(rows).toEqual([{ actor_id: admin.id, details: { from: 'confirmed', to: 'in_progress', role: 'admin' } }]);
    // The admin follows the machine too.
    expect((await admin.http.post(`/api/bookings/${b.id}/status`, { status: 'pending' })).body.error.code).toBe('INVALID_TRANSITION');
  });
});
