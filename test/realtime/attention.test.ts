// A flag arrives live: creating an override that puts a booking outside the hours pushes
// `booking:updated` with its `attention` to the stylist's, the admins' and the customer's sockets, deleting it
// pushes the booking unflagged, and a reconnecting socket replays both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { DAY, Inbox, SocketJar, kathmandu, request, startLive, type LiveServer } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let admin: HttpClient;
let stylistCookie = '';
let otherCookie = '';
let customerCookie = '';
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startLive(db.pool);
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  stylistCookie = (await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password)).cookie;
  otherCookie = (await loginAs(srv.baseUrl, other.email, other.password)).cookie;
  customerCookie = (await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password)).cookie;
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

describe('attention, live', () => {
  it('the stylist and admins see a booking become flagged and unflagged; other stylists see nothing', async () => {
    const booked = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('10:00'),
    });
    await srv.app.realtime.relay.drain();
    const [mine, theirs, admins, owner] = await Promise.all([
      jar.open(srv.baseUrl, { cookie: stylistCookie }),
      jar.open(srv.baseUrl, { cookie: otherCookie }),
      jar.open(srv.baseUrl, { cookie: admin.cookie }),
      jar.open(srv.baseUrl, { cookie: customerCookie }),
    ]);
    const [inbox, otherInbox, adminInbox, ownerInbox] = [new Inbox(mine), new Inbox(theirs), new Inbox(admins), new Inbox(owner)];
    // A customer watching that day.
    const watcher = await jar.open(srv.baseUrl);
    const watchInbox = new Inbox(watcher);
    const watched = await request(watcher, 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date: DAY });
    expect(watched.ok).toBe(true);

    const created = await admin.post('/api/admin/overrides', {
      scope: 'stylist',
      stylistId: salon.stylist.id,
      startDate: DAY,
      endDate: DAY,
      kind: 'closed',
      reason: 'Sick day',
    });
    expect(created.status).toBe(201);
    const flag = { reason: 'closed', overrideId: created.body.override.id };
    const flagged = await inbox.next('booking:updated', (p) => p.booking.id === booked && p.booking.attention != null);
    expect(flagged.booking.attention).toEqual(flag);
    // With the customer context the stylist always gets.
    expect('customer' in flagged.booking && flagged.booking.customer.id).toBe(salon.customer.id);
    expect((await adminInbox.next('booking:updated', (p) => p.booking.id === booked)).booking.attention).toEqual(flag);
    // The customer's own socket gets the flag too, in their own view (no customer context).
    const ownFlagged = await ownerInbox.next('booking:updated', (p) => p.booking.id === booked && p.booking.attention != null);
    expect(ownFlagged.booking.attention).toEqual(flag);
    expect('customer' in ownFlagged.booking).toBe(false);
    // The watcher is told the day closed: the flag's own event changes no slot, so it is not the reason.
    const emptied = await watchInbox.next('slots:update', (p) => p.slots.length === 0);
    expect(emptied.reason).toBe('override');
    expect(watchInbox.of('slots:update').map((p) => p.reason)).not.toContain('booking');

    expect((await admin.delete(`/api/admin/overrides/${created.body.override.id}`)).status).toBe(204);
    const cleared = await inbox.next('booking:updated', (p) => p.booking.id === booked && p.booking.attention === null);
    expect(cleared.eventId).toBeGreaterThan(flagged.eventId);
    await adminInbox.next('booking:updated', (p) => p.booking.id === booked && p.booking.attention === null);
    await ownerInbox.next('booking:updated', (p) => p.booking.id === booked && p.booking.attention === null);
    // Exactly one update each way for this booking, on the stylist's feed.
    expect(inbox.of('booking:updated').map((p) => p.booking.attention)).toEqual([flag, null]);
    // The other stylist hears of the override (staff), never of this booking.
    await otherInbox.next('override:changed', (p) => p.action === 'deleted');
    expect(otherInbox.of('booking:updated')).toEqual([]);

    // A stylist who was away replays both, in order, and ends on the booking unflagged.
    const back = await jar.open(srv.baseUrl, { cookie: stylistCookie, lastEventId: flagged.eventId - 1 });
    const backInbox = new Inbox(back);
    await backInbox.next('booking:updated', (p) => p.eventId === cleared.eventId);
    const replayed = backInbox.of('booking:updated').filter((p) => p.booking.id === booked);
    expect(replayed.map((p) => p.eventId)).toEqual([flagged.eventId, cleared.eventId]);
    expect(replayed[1].booking.attention).toBeNull();
  });
});
