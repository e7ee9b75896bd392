// Live "any stylist" over real Socket.IO: `slots:watch` with stylistId "any" answers the union and
// stays live when one stylist's day changes; `days:watch` sends the changed days of a calendar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking, type StylistFixture } from '../setup/factories.ts';
import { DAY, Inbox, kathmandu, request, startLive, SocketJar, type LiveServer } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let service: { id: string };
let ana: StylistFixture;
let bina: StylistFixture;
let chandra: StylistFixture;
let customerId: string;
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  service = await createService(db.pool, { durationMinutes: 60 });
  const mk = (displayName: string) => createStylist(db.pool, { displayName, serviceIds: [service.id] });
  ana = await mk('Ana');
  bina = await mk('Bina');
  chandra = await mk('Chandra');
  customerId = (await createUser(db.pool)).id;
  srv = await startLive(db.pool);
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const at = (slots: { startUtc: string; status: string; stylistIds?: string[] }[], t: string) => {
  const s = slots.find((x) => x.startUtc === t);
  return { status: s?.status, stylistIds: s?.stylistIds ?? [] };
};

describe('slots:watch with stylistId "any"', () => {
  it('answers the union, then a booking on one stylist updates it live', async () => {
    const s = await jar.open(srv.baseUrl);
    const inbox = new Inbox(s);
    const ack = await request(s, 'slots:watch', { stylistId: 'any', serviceId: service.id, date: DAY });
    if (!ack.ok) throw new Error(`watch refused: ${ack.error.code}`);
    const ten = kathmandu('10:00');
    expect(at(ack.data.slots, ten).stylistIds).toEqual([ana.id, bina.id, chandra.id]);

    // Another program books Bina at 10:00: the union's 10:00 loses Bina, pushed without asking.
    // Each booking at 10:00 is another customer's: one customer is in one chair at a time.
    const someone = async () => (await createUser(db.pool)).id;
    await insertBooking(db.pool, { customerId: await someone(), stylistId: bina.id, serviceId: service.id, startUtc: ten });
    const update = await inbox.next('slots:update', (p) => p.stylistId === 'any' && at(p.slots, ten)?.stylistIds.length === 2);
    expect(update).toMatchObject({ serviceId: service.id, date: DAY, reason: 'booking' });
    expect(update.version).toBeGreaterThan(ack.data.version);
    expect(at(update.slots, ten)).toMatchObject({ status: 'available', stylistIds: [ana.id, chandra.id] });

    // The others too: nobody is left free at 10:00.
    for (const st of [ana, chandra])
      await insertBooking(db.pool, { customerId: await someone(), stylistId: st.id, serviceId: service.id, startUtc: ten });
    const full = await inbox.next('slots:update', (p) => at(p.slots, ten)?.stylistIds.length === 0);
    expect(at(full.slots, ten).status).toBe('booked');
    // The REST answer agrees with the last push.
    const rest = await fetch(
      `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: 'any', serviceId: service.id, targetDate: DAY })}`,
    );
    expect(await rest.json()).toEqual(full.slots);
  });

  it('a hold made through any is seen live by a watcher of that stylist alone', async () => {
    const customer = await createUser(db.pool);
    const http = await loginAs(srv.baseUrl, customer.email, customer.password);
    const s = await jar.open(srv.baseUrl);
    const inbox = new Inbox(s);
    const date = '2027-03-12';
    await request(s, 'slots:watch', { stylistId: ana.id, serviceId: service.id, date });
    const hold = await http.post('/api/holds', { stylistId: 'any', serviceId: service.id, startUtc: kathmandu('11:00', date) });
    expect(hold.status).toBe(201);
    expect(hold.body.stylistId).toBe(ana.id);
    const update = await inbox.next('slots:update', (p) => p.stylistId === ana.id && p.reason === 'hold');
    expect(update.slots.find((x) => x.startUtc === kathmandu('11:00', date))?.status).toBe('held');
  });
});

describe('days:watch', () => {
  it('sends the changed days of a calendar, for one stylist and for any', async () => {
    const s = await jar.open(srv.baseUrl);
    const inbox = new Inbox(s);
    const date = '2027-03-15';
    expect((await request(s, 'days:watch', { stylistId: 'any', serviceId: service.id })).ok).toBe(true);
    expect(await request(s, 'days:watch', { stylistId: chandra.id, serviceId: service.id })).toEqual({ ok: true, data: { watching: 2 } });
    const before = await fetch(
      `${srv.baseUrl}/api/bookings/available-days?${new URLSearchParams({ stylistId: chandra.id, serviceId: service.id, from: date, to: date })}`,
    ).then((r) => r.json());

    await insertBooking(db.pool, { customerId, stylistId: chandra.id, serviceId: service.id, startUtc: kathmandu('09:00', date) });
    const mine = await inbox.next('days:update', (p) => p.stylistId === chandra.id && !!p.days?.some((d) => d.date === date));
    const day = mine.days!.find((d) => d.date === date)!;
    expect(day.available).toBe(before[0].available - 3);
    expect(day.status).toBe('open');
    const any = await inbox.next('days:update', (p) => p.stylistId === 'any' && !!p.days?.some((d) => d.date === date));
    expect(any.days!.find((d) => d.date === date)!.available).toBe(before[0].available);

    // A schedule change names no dates: read the range again.
    await db.pool.query(`update schedule_windows set end_time = '16:00' where stylist_id = $1`, [chandra.id]);
    await inbox.next('days:update', (p) => p.stylistId === chandra.id && p.days === null);
  });

  it('refuses bad payloads and unknown pairs; at most 4 pairs per connection', async () => {
    const s = await jar.open(srv.baseUrl);
    expect(await request(s, 'days:watch', { stylistId: 'nobody', serviceId: service.id })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await request(s, 'days:watch', { stylistId: 'any', serviceId: customerId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const extra = await Promise.all([createService(db.pool), createService(db.pool), createService(db.pool), createService(db.pool)]);
    for (const sv of extra) await db.pool.query('insert into stylist_services (stylist_id, service_id) values ($1, $2)', [ana.id, sv.id]);
    for (const sv of extra.slice(0, 4)) expect((await request(s, 'days:watch', { stylistId: ana.id, serviceId: sv.id })).ok).toBe(true);
    expect(await request(s, 'days:watch', { stylistId: 'any', serviceId: service.id })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    expect(await request(s, 'days:unwatch', { stylistId: ana.id, serviceId: extra[0].id })).toEqual({ ok: true, data: { watching: 3 } });
  });
});
