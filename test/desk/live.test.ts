// `calendar:changed` to the front desk over real Socket.IO clients: one per committed change to a
// stylist's day (holds, expiry sweeps included; bookings; overrides), live and replayed on
// reconnect; customers and stylists never get it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { at, DAY } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { announce, connect, Inbox, SocketJar, startLive, type LiveServer } from '../realtime/helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const http = {} as Record<'customer' | 'stylist' | 'reception' | 'admin', HttpClient>;
let other: HttpClient;
let sweptCustomerId: string;
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
  srv = await startLive(db.pool);
  const reception = await createUser(db.pool, { role: 'reception' });
  const admin = await createUser(db.pool, { role: 'admin' });
  const otherCustomer = await createUser(db.pool);
  http.customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  http.stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  http.reception = await loginAs(srv.baseUrl, reception.email, reception.password);
  http.admin = await loginAs(srv.baseUrl, admin.email, admin.password);
  other = await loginAs(srv.baseUrl, otherCustomer.email, otherCustomer.password);
  sweptCustomerId = (await createUser(db.pool)).id;
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const slot = (hhmm: string, date = DAY) => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm, date) });
const calendarOf = (inbox: Inbox) => inbox.of('calendar:changed').map(({ stylistId, dates, kind }) => ({ stylistId, dates, kind }));

describe('calendar:changed', () => {
  it('reaches reception and admins for a hold, a booking, an override and an expiry sweep; never customers or stylists', async () => {
    const inboxes = {} as Record<keyof typeof http, Inbox>;
    for (const role of Object.keys(http) as (keyof typeof http)[]) {
      const s = await connect(srv.baseUrl, { cookie: http[role].cookie });
      jar.add(s);
      inboxes[role] = new Inbox(s);
    }
    expect((await http.customer.post('/api/holds', slot('11:00'))).status).toBe(201);
    await inboxes.reception.next('calendar:changed', (p) => p.kind === 'hold.created');
    const booked = await http.reception.post('/api/desk/bookings', { walkIn: { name: 'Live Walk-in' }, ...slot('14:00') });
    expect(booked.status).toBe(201);
    await inboxes.reception.next('calendar:changed', (p) => p.kind === 'booking.created');
    const override = await http.admin.post('/api/admin/overrides', {
      scope: 'stylist',
      stylistId: salon.stylist.id,
      startDate: '2027-03-20',
      endDate: '2027-03-20',
      kind: 'closed',
      reason: 'Training',
    });
    expect(override.status).toBe(201);
    await inboxes.reception.next('calendar:changed', (p) => p.kind === 'override.created');
    // A hold that has expired (by the database's clock), deleted by the sweeper.
    await db.pool.query(
      `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at)
       values ($1, $2, $3, $4, $4::timestamptz + interval '60 minutes', $4::timestamptz + interval '75 minutes', now() - interval '1 minute')`,
      [sweptCustomerId, salon.stylist.id, salon.service.id, new Date(at('16:00'))],
    );
    expect(await srv.app.realtime.maintenance.sweep()).toBe(1);
    const barrier = await announce(db.pool, 'all');
    await Promise.all(Object.values(inboxes).map((i) => i.next('announcement', (a) => a.id === barrier)));

    const want = [
      { stylistId: salon.stylist.id, dates: [DAY], kind: 'hold.created' },
      // The booking consumed nobody's hold: it is one event.
      { stylistId: salon.stylist.id, dates: [DAY], kind: 'booking.created' },
      { stylistId: salon.stylist.id, dates: ['2027-03-20'], kind: 'override.created' },
      { stylistId: salon.stylist.id, dates: [DAY], kind: 'hold.created' },
      { stylistId: salon.stylist.id, dates: [DAY], kind: 'hold.deleted' },
    ];
    expect(calendarOf(inboxes.reception)).toEqual(want);
    expect(calendarOf(inboxes.admin)).toEqual(want);
    const ids = inboxes.reception.of('calendar:changed').map((p) => p.eventId);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(inboxes.customer.of('calendar:changed')).toEqual([]);
    expect(inboxes.stylist.of('calendar:changed')).toEqual([]);
  });

  it('is replayed to a desk socket that reconnects, and not to a customer’s', async () => {
    const desk = await connect(srv.baseUrl, { cookie: http.reception.cookie });
    const customer = await connect(srv.baseUrl, { cookie: other.cookie });
    const deskInbox = new Inbox(desk);
    const customerInbox = new Inbox(customer);
    const seen = await announce(db.pool, 'all');
    const lastEventId = (await deskInbox.next('announcement', (a) => a.id === seen)).eventId;
    await customerInbox.next('announcement', (a) => a.id === seen);
    desk.close();
    customer.close();
    // While away: a hold is made and released.
    const hold = await other.post('/api/holds', slot('12:00', '2027-03-11'));
    expect(hold.status).toBe(201);
    expect((await other.delete(`/api/holds/${hold.body.id}`)).status).toBe(204);
    await srv.app.realtime.relay.drain();

    // Each inbox listens from the connection on: the replay follows it at once.
    const deskBack = await connect(srv.baseUrl, { cookie: http.reception.cookie, lastEventId });
    const deskAgain = new Inbox(deskBack);
    const customerBack = await connect(srv.baseUrl, { cookie: other.cookie, lastEventId });
    const customerAgain = new Inbox(customerBack);
    jar.add(deskBack);
    jar.add(customerBack);
    await deskAgain.next('calendar:changed', (p) => p.kind === 'hold.deleted');
    const barrier = await announce(db.pool, 'all');
    await Promise.all([deskAgain, customerAgain].map((i) => i.next('announcement', (a) => a.id === barrier)));
    expect(calendarOf(deskAgain)).toEqual([
      { stylistId: salon.stylist.id, dates: ['2027-03-11'], kind: 'hold.created' },
      { stylistId: salon.stylist.id, dates: ['2027-03-11'], kind: 'hold.deleted' },
    ]);
    expect(deskAgain.of('calendar:changed').every((p) => p.eventId > lastEventId)).toBe(true);
    expect(customerAgain.of('calendar:changed')).toEqual([]);
  });
});
