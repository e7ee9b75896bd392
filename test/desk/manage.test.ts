// The front desk managing bookings through the existing booking routes: marking yesterday's
// bookings (arrived, done, no-show), moving a booking to another stylist or time, cancelling with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, fakeClock, overlappingPairs } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let bina: Awaited<ReturnType<typeof createStylist>>;
let reception: HttpClient;
let receptionId: string;
let stylist: HttpClient;
// 2027-03-10 08:00 in Kathmandu: "yesterday" is 2027-03-09.
const clock = fakeClock(Date.parse(at('08:00', '2027-03-10')));

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
  bina = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const r = await createUser(db.pool, { role: 'reception' });
  receptionId = r.id;
  reception = await loginAs(srv.baseUrl, r.email, r.password);
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const booking = async (hhmm: string, date: string, stylistId = salon.stylist.id) => {
  const customer = await createUser(db.pool);
  const id = await insertBooking(db.pool, { customerId: customer.id, stylistId, serviceId: salon.service.id, startUtc: at(hhmm, date) });
  srv.app.slots.invalidateAll();
  return id;
};
const statusOf = async (id: string) => (await db.pool.query('select status from bookings where id = $1', [id])).rows[0].status;

describe('status of a past day’s booking', () => {
  it('the desk marks yesterday’s no-show', async () => {
    const id = await booking('15:00', '2027-03-09');
    const r = await reception.post(`/api/bookings/${id}/status`, { status: 'no_show' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await statusOf(id)).toBe('no_show');
    const audit = await db.pool.query('select actor_id, details from audit_log where target = $1', [`booking:${id}`]);
    expect(audit.rows).toEqual([{ actor_id: receptionId, details: { from: 'confirmed', to: 'no_show', role: 'reception' } }]);
  });

  it('the desk and the booking’s stylist mark yesterday’s booking in progress, then completed', async () => {
    for (const [who, c] of [
      ['desk', reception],
      ['stylist', stylist],
    ] as const) {
      const id = await booking(who === 'desk' ? '10:00' : '12:00', '2027-03-09');
      const started = await c.post(`/api/bookings/${id}/status`, { status: 'in_progress' });
      expect(started.status, `${who}: ${JSON.stringify(started.body)}`).toBe(200);
      const done = await c.post(`/api/bookings/${id}/status`, { status: 'completed' });
      expect(done.status, `${who}: ${JSON.stringify(done.body)}`).toBe(200);
      expect(await statusOf(id)).toBe('completed');
    }
  });
});

describe('moving and cancelling from the desk', () => {
  it('moves a booking to another stylist and time', async () => {
    const id = await booking('11:00', '2027-03-12');
    const r = await reception.post(`/api/bookings/${id}/reschedule`, { startUtc: at('13:00', '2027-03-13'), stylistId: bina.id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ id, stylistId: bina.id, startUtc: at('13:00', '2027-03-13'), status: 'confirmed' });
    const audit = await db.pool.query(`select action, details from audit_log where target = $1`, [`booking:${id}`]);
    expect(audit.rows).toEqual([
      {
        action: 'booking.reschedule',
        details: { from: at('11:00', '2027-03-12'), to: at('13:00', '2027-03-13'), fromStylistId: salon.stylist.id, toStylistId: bina.id },
      },
    ]);
  });

  it('onto a taken time: 409 SLOT_TAKEN with alternatives, and the booking stays where it was', async () => {
    await booking('10:00', '2027-03-14', bina.id);
    const id = await booking('15:00', '2027-03-14');
    const r = await reception.post(`/api/bookings/${id}/reschedule`, { startUtc: at('10:00', '2027-03-14'), stylistId: bina.id });
    expect([r.status, r.body.error.code]).toEqual([409, 'SLOT_TAKEN']);
    expect(Array.isArray(r.body.error.details.alternatives)).toBe(true);
    expect(r.body.error.details.alternatives.length).toBeGreaterThan(0);
    for (const a of r.body.error.details.alternatives) expect(a.startUtc).not.toBe(at('10:00', '2027-03-14'));
    const { rows } = await db.pool.query('select stylist_id, start_at from bookings where id = $1', [id]);
    expect(rows).toEqual([{ stylist_id: salon.stylist.id, start_at: new Date(at('15:00', '2027-03-14')) }]);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it('cancels with a reason (kept on the booking and in the audit log)', async () => {
    const id = await booking('16:00', '2027-03-15');
    const r = await reception.post(`/api/bookings/${id}/cancel`, { reason: 'Customer phoned: ill' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('cancelled');
    const { rows } = await db.pool.query('select status, cancel_reason from bookings where id = $1', [id]);
    expect(rows).toEqual([{ status: 'cancelled', cancel_reason: 'Customer phoned: ill' }]);
    const audit = await db.pool.query('select details from audit_log where target = $1', [`booking:${id}`]);
    expect(audit.rows).toEqual([{ details: { from: 'confirmed', to: 'cancelled', role: 'reception', reason: 'Customer phoned: ill' } }]);
  });
});
