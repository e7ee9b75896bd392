// GET /api/desk/calendar `waitlist`: how many wait for the day shown, in all and by the stylist they
// wait for (`any` apart). Only waiting entries of that date count; one who leaves is gone on the next read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { DAY, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let bina: Awaited<ReturnType<typeof createStylist>>;
let reception: HttpClient;
let customer: HttpClient;
const clock = fakeClock();
let leaving: string;

async function entry(customerId: string, stylistId: string | null, date: string, status = 'waiting', from: string | null = null) {
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into waitlist_entries (customer_id, stylist_id, service_id, date, from_time, status) values ($1, $2, $3, $4, $5, $6) returning id`,
    [customerId, stylistId, salon.service.id, date, from, status],
  );
  return rows[0].id;
}

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { displayName: 'Asha' });
  bina = await createStylist(db.pool, { displayName: 'Bina', serviceIds: [salon.service.id] });
  const [u1, u2, u3] = [await createUser(db.pool), await createUser(db.pool), await createUser(db.pool)];
  const me = salon.customer.id;
  // DAY: two for Asha (one the customer's, who leaves), one for Bina, two for any stylist.
  leaving = await entry(me, salon.stylist.id, DAY);
  await entry(u1.id, salon.stylist.id, DAY);
  await entry(u2.id, bina.id, DAY);
  await entry(u1.id, null, DAY);
  await entry(u3.id, null, DAY, 'waiting', '10:00');
  // Not counted: ended entries, and another date.
  await entry(u2.id, salon.stylist.id, DAY, 'left', '11:00');
  await entry(u3.id, bina.id, DAY, 'fulfilled');
  await entry(u2.id, salon.stylist.id, '2027-03-11');
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const r = await createUser(db.pool, { role: 'reception' });
  reception = await loginAs(srv.baseUrl, r.email, r.password);
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

describe('the desk calendar’s waitlist count', () => {
  it('counts the waiting entries of the date, by stylist and `any`', async () => {
    const r = await reception.get(`/api/desk/calendar?date=${DAY}`);
    expect(r.status).toBe(200);
    expect(r.body.waitlist).toEqual({ total: 5, byStylist: { [salon.stylist.id]: 2, [bina.id]: 1, any: 2 } });
    const next = await reception.get('/api/desk/calendar?date=2027-03-11');
    expect(next.body.waitlist).toEqual({ total: 1, byStylist: { [salon.stylist.id]: 1 } });
    const empty = await reception.get('/api/desk/calendar?date=2027-03-12');
    expect(empty.body.waitlist).toEqual({ total: 0, byStylist: {} });
  });

  it('one who leaves the waitlist is no longer counted on the next read', async () => {
    expect((await customer.delete(`/api/waitlist/${leaving}`)).status).toBe(204);
    const r = await reception.get(`/api/desk/calendar?date=${DAY}`);
    expect(r.body.waitlist).toEqual({ total: 4, byStylist: { [salon.stylist.id]: 1, [bina.id]: 1, any: 2 } });
  });

  it('is the desk’s alone: a customer cannot read it', async () => {
    expect((await customer.get(`/api/desk/calendar?date=${DAY}`)).status).toBe(403);
  });
});
