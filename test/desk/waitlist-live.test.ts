// The desk's waitlist counts are live: joining, leaving (and psql writes to the entries) record a
// `waitlist.changed` outbox event, pushed to the desk as `calendar:changed` for the date and replayed
// to a reconnecting desk; never to customers or stylists, and no slot answer or version changes.
// Real Postgres, real HTTP and Socket.IO clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { at, DAY } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser, insertBooking } from '../setup/factories.ts';
import { announce, connect, Inbox, SocketJar, startLive, type LiveServer } from '../realtime/helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const http = {} as Record<'customer' | 'other' | 'stylist' | 'reception', HttpClient>;
let otherId: string;
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60, horizonDays: 30 });
  srv = await startLive(db.pool);
  const reception = await createUser(db.pool, { role: 'reception' });
  const other = await createUser(db.pool);
  otherId = other.id;
  http.customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  http.other = await loginAs(srv.baseUrl, other.email, other.password);
  http.stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  http.reception = await loginAs(srv.baseUrl, reception.email, reception.password);
  // 10:00 is taken on the dates used: waiting for 10:00–10:30 is allowed (nothing free in the range).
  for (const d of [DAY, '2027-03-11', '2027-03-12'])
    await insertBooking(db.pool, {
      customerId: other.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('10:00', d),
    });
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const join = (h: HttpClient, date: string, stylistId: string = salon.stylist.id) =>
  h.post('/api/waitlist', { stylistId, serviceId: salon.service.id, date, from: '10:00', to: '10:30' });
const waitlistChanges = (inbox: Inbox) =>
  inbox
    .of('calendar:changed')
    .filter((p) => p.kind === 'waitlist.changed')
    .map(({ stylistId, dates }) => ({ stylistId, dates }));
const slotsUrl = (date: string) =>
  `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: salon.stylist.id, serviceId: salon.service.id, targetDate: date })}`;
/** Every availability version row that could answer for the stylist's date (its own, salon-wide, every date). */
const versions = async (date: string) =>
  (
    await db.pool.query(
      `select stylist_id, day::text, version from availability_versions
        where stylist_id in ($1, '00000000-0000-0000-0000-000000000000') and day in ($2::date, '-infinity') order by 1, 2`,
      [salon.stylist.id, date],
    )
  ).rows;

/** A socket per role, opened once everything written so far has been relayed. */
async function sockets() {
  await srv.app.realtime.relay.drain();
  const inboxes = {} as Record<keyof typeof http, Inbox>;
  for (const role of Object.keys(http) as (keyof typeof http)[]) {
    const s = await jar.open(srv.baseUrl, { cookie: http[role].cookie });
    inboxes[role] = new Inbox(s);
  }
  return inboxes;
}

async function barrier(inboxes: Inbox[]) {
  const id = await announce(db.pool, 'all');
  await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.id === id)));
}

describe('waitlist changes reach the desk', () => {
  it('a join and a leave each tell the desk the date; customers and stylists hear nothing; slots and versions stay', async () => {
    const inboxes = await sockets();
    // Warm the day's slot answer: it must still be served from the cache after the join and leave.
    await fetch(slotsUrl(DAY));
    expect((await fetch(slotsUrl(DAY))).headers.get('x-cache-hit')).toBe('true');
    const before = await versions(DAY);
    expect(before.length).toBeGreaterThan(0);

    const joined = await join(http.customer, DAY);
    expect(joined.status).toBe(201);
    const onJoin = await inboxes.reception.next('calendar:changed', (p) => p.kind === 'waitlist.changed');
    expect(onJoin).toMatchObject({ stylistId: salon.stylist.id, dates: [DAY] });
    const count = await http.reception.get(`/api/desk/calendar?date=${DAY}`);
    expect(count.body.waitlist).toEqual({ total: 1, byStylist: { [salon.stylist.id]: 1 } });

    expect((await http.customer.delete(`/api/waitlist/${joined.body.id}`)).status).toBe(204);
    const onLeave = await inboxes.reception.next('calendar:changed', (p) => p.kind === 'waitlist.changed' && p.eventId > onJoin.eventId);
    expect(onLeave).toMatchObject({ stylistId: salon.stylist.id, dates: [DAY] });
    await barrier(Object.values(inboxes));

    expect(waitlistChanges(inboxes.reception)).toEqual([
      { stylistId: salon.stylist.id, dates: [DAY] },
      { stylistId: salon.stylist.id, dates: [DAY] },
    ]);
    // Nothing else about the day reached the desk: the waitlist changes no stylist's day.
    expect(inboxes.reception.of('calendar:changed').map((p) => p.kind)).toEqual(['waitlist.changed', 'waitlist.changed']);
    for (const role of ['customer', 'other', 'stylist'] as const) expect(inboxes[role].of('calendar:changed')).toEqual([]);
    expect(inboxes.customer.of('slots:update')).toEqual([]);
    expect(await versions(DAY)).toEqual(before);
    expect((await fetch(slotsUrl(DAY))).headers.get('x-cache-hit')).toBe('true');
  });

  it('psql writes count too: an entry for any stylist, a fulfilled one, a moved and a deleted one; an update that changes no count records nothing', async () => {
    const inboxes = await sockets();
    const before = await versions('2027-03-12');
    const { rows } = await db.pool.query<{ id: string }>(
      `insert into waitlist_entries (customer_id, stylist_id, service_id, date) values ($1, null, $2, '2027-03-12') returning id`,
      [otherId, salon.service.id],
    );
    await db.pool.query(`update waitlist_entries set ended_at = now() where id = $1`, [rows[0].id]);
    await db.pool.query(`update waitlist_entries set status = 'fulfilled', ended_at = now() where id = $1`, [rows[0].id]);
    // A waiting entry moved to another date, then deleted: both dates it was counted on are told.
    const { rows: moved } = await db.pool.query<{ id: string }>(
      `insert into waitlist_entries (customer_id, stylist_id, service_id, date) values ($1, $2, $3, '2027-03-12') returning id`,
      [otherId, salon.stylist.id, salon.service.id],
    );
    await db.pool.query(`update waitlist_entries set date = '2027-03-13' where id = $1`, [moved[0].id]);
    await db.pool.query(`delete from waitlist_entries where id = $1`, [moved[0].id]);
    await barrier([inboxes.reception, inboxes.other]);
    const S = salon.stylist.id;
    expect(waitlistChanges(inboxes.reception)).toEqual([
      { stylistId: null, dates: ['2027-03-12'] },
      { stylistId: null, dates: ['2027-03-12'] },
      { stylistId: S, dates: ['2027-03-12'] },
      { stylistId: S, dates: ['2027-03-12'] },
      { stylistId: S, dates: ['2027-03-13'] },
      { stylistId: S, dates: ['2027-03-13'] },
    ]);
    expect(inboxes.other.of('calendar:changed')).toEqual([]);
    expect(await versions('2027-03-12')).toEqual(before);
  });

  it('is replayed to a desk socket reconnecting from before the join, and not to a customer’s', async () => {
    const desk = await connect(srv.baseUrl, { cookie: http.reception.cookie });
    const customer = await connect(srv.baseUrl, { cookie: http.other.cookie });
    const deskInbox = new Inbox(desk);
    const customerInbox = new Inbox(customer);
    const seen = await announce(db.pool, 'all');
    const lastEventId = (await deskInbox.next('announcement', (a) => a.id === seen)).eventId;
    await customerInbox.next('announcement', (a) => a.id === seen);
    desk.close();
    customer.close();
    // While away: the other customer joins for 2027-03-11.
    expect((await join(http.other, '2027-03-11')).status).toBe(201);
    await srv.app.realtime.relay.drain();

    const deskAgain = new Inbox(await jar.open(srv.baseUrl, { cookie: http.reception.cookie, lastEventId }));
    const customerAgain = new Inbox(await jar.open(srv.baseUrl, { cookie: http.other.cookie, lastEventId }));
    const replayed = await deskAgain.next('calendar:changed', (p) => p.kind === 'waitlist.changed');
    expect(replayed.eventId).toBeGreaterThan(lastEventId);
    await barrier([deskAgain, customerAgain]);
    expect(waitlistChanges(deskAgain)).toEqual([{ stylistId: salon.stylist.id, dates: ['2027-03-11'] }]);
    expect(customerAgain.of('calendar:changed')).toEqual([]);
  });
});
