// Two server processes on one database: a freed time is offered exactly once (both relays see the
// cancellation and run an offer pass; the stylist's lock and the unique live-offer index let one
// win), and the offer reaches the waiter's socket on the other process through the outbox.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { startChildServer, type ChildServer } from '../hardening/child-server.ts';
import { Inbox, SocketJar, announce, startLive, type LiveServer } from '../realtime/helpers.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser, insertBooking } from '../setup/factories.ts';

let db: TestDb;
let here: LiveServer;
let child: ChildServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const jar = new SocketJar();
// Real clocks in both processes: a date three days ahead in the stylist's zone.
const DATE = DateTime.now().setZone('Asia/Kathmandu').plus({ days: 3 }).toISODate()!;
const at = (hhmm: string) => DateTime.fromISO(`${DATE}T${hhmm}`, { zone: 'Asia/Kathmandu' }).toUTC().toISO()!;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  [here, child] = await Promise.all([startLive(db.pool, { now: Date.now }), startChildServer(db.url)]);
}, 60_000);
afterAll(async () => {
  jar.closeAll();
  await Promise.all([here?.close(), child?.stop()]);
  await db?.drop();
});

async function waiter(baseUrl: string): Promise<{ id: string; client: HttpClient }> {
  const u = await createUser(db.pool);
  return { id: u.id, client: await loginAs(baseUrl, u.email, u.password) };
}

describe('two processes, one database', () => {
  it('a cancellation with two waiters makes exactly one offer, to the first, delivered by the other process', async () => {
    const booking = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('10:00'),
    });
    // The first waiter joins (and listens) on the child process, the second here.
    const [first, second] = [await waiter(child.baseUrl), await waiter(here.baseUrl)];
    const join = { stylistId: salon.stylist.id, serviceId: salon.service.id, date: DATE, from: '10:00', to: '10:30' };
    expect((await first.client.post('/api/waitlist', join)).status).toBe(201);
    expect((await second.client.post('/api/waitlist', join)).status).toBe(201);
    const inFirst = new Inbox(await jar.open(child.baseUrl, { cookie: first.client.cookie }));
    const inSecond = new Inbox(await jar.open(here.baseUrl, { cookie: second.client.cookie }));

    await db.pool.query(`update bookings set status = 'cancelled' where id = $1`, [booking]);
    const offer = await inFirst.next('waitlist:offer');
    expect(offer.slot.startUtc).toBe(at('10:00'));

    // Both relays have seen everything up to a later event, and both passes have finished.
    const barrier = await announce(db.pool, 'all');
    await Promise.all([inFirst, inSecond].map((i) => i.next('announcement', (a) => a.id === barrier)));
    await here.app.waitlist.queue.idle();
    const offers = await db.pool.query(`select customer_id, status from waitlist_offers`);
    expect(offers.rows).toEqual([{ customer_id: first.id, status: 'live' }]);
    const events = await db.pool.query(`select customer_id from events where kind = 'waitlist.offered'`);
    expect(events.rows).toEqual([{ customer_id: first.id }]);
    const holds = await db.pool.query(`select customer_id from holds where start_at = $1`, [at('10:00')]);
    expect(holds.rows).toEqual([{ customer_id: first.id }]);
    expect(inFirst.of('waitlist:offer')).toHaveLength(1);
    expect(inSecond.of('waitlist:offer')).toEqual([]);
  });
});
