// A write through the API invalidates its own process's cache from its own events, and the relay
// still pushes it to that process's watchers: the writer's invalidation does not stand in for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser } from '../setup/factories.ts';
import { Inbox, SocketJar, announce, byLocal, kathmandu, request, startLive, type LiveServer } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', slotStepMinutes: 30, bufferMinutes: 15, durationMinutes: 60 });
  srv = await startLive(db.pool);
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const slotsUrl = (date: string, stylistId = salon.stylist.id) =>
  `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId, serviceId: salon.service.id, targetDate: date })}`;

describe('writes through the API on a live process', () => {
  it('a salon-wide override: the writer reads it at once, watchers get it, other days stay cached', async () => {
    const other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
    const admin = await createUser(db.pool, { role: 'admin' });
    const adminHttp = await loginAs(srv.baseUrl, admin.email, admin.password);
    const date = '2027-03-18';
    const watcher = await jar.open(srv.baseUrl);
    const inbox = new Inbox(watcher);
    expect((await request(watcher, 'slots:watch', { stylistId: other.id, serviceId: salon.service.id, date })).ok).toBe(true);
    for (const url of [slotsUrl(date), slotsUrl('2027-03-19'), slotsUrl('2027-03-19', other.id)]) {
      await fetch(url);
      expect((await fetch(url)).headers.get('x-cache-hit')).toBe('true');
    }

    const r = await adminHttp.post('/api/admin/overrides', {
      scope: 'salon',
      startDate: date,
      endDate: date,
      kind: 'closed',
      reason: 'Training',
    });
    expect(r.status).toBe(201);
    expect(await (await fetch(slotsUrl(date))).json()).toEqual([]);
    const update = await inbox.next('slots:update', (u) => u.date === date);
    expect(update).toMatchObject({ stylistId: other.id, reason: 'override', slots: [] });
    // The override names one date: every other day of every stylist is still served from the cache.
    for (const url of [slotsUrl('2027-03-19'), slotsUrl('2027-03-19', other.id)]) {
      expect((await fetch(url)).headers.get('x-cache-hit')).toBe('true');
    }
  });

  it('a booking: the writer reads it at once, and its own watchers get exactly one push', async () => {
    const date = '2027-03-22';
    const watcher = await jar.open(srv.baseUrl);
    const inbox = new Inbox(watcher);
    expect((await request(watcher, 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date })).ok).toBe(true);
    await fetch(slotsUrl(date));
    const customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
    const r = await customer.post('/api/bookings', {
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('11:00', date),
    });
    expect(r.status).toBe(201);
    expect(byLocal(await (await fetch(slotsUrl(date))).json())['11:00']).toBe('booked');
    const update = await inbox.next('slots:update');
    expect(update).toMatchObject({ date, reason: 'booking' });
    expect(byLocal(update.slots)['11:00']).toBe('booked');
    await announce(db.pool);
    await inbox.next('announcement');
    expect(inbox.of('slots:update')).toHaveLength(1);
  });
});
