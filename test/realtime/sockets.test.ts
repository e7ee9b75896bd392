import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { DAY, Inbox, announce, connect, kathmandu, request, startLive, type LiveServer, SocketJar } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
const jar = new SocketJar();
const cookies: Record<'admin' | 'stylistA' | 'stylistB' | 'customer' | 'otherCustomer', string> = {
  admin: '',
  stylistA: '',
  stylistB: '',
  customer: '',
  otherCustomer: '',
};

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startLive(db.pool, {
    env: {
      SOCKET_MAX_WATCHES: '3',
      SOCKET_WATCH_BURST: '8',
      SOCKET_WATCH_PER_MINUTE: '1',
      SOCKET_MAX_PAYLOAD_BYTES: '1024',
      SOCKET_MAX_BUFFER_BYTES: '8192',
      ALLOWED_ORIGINS: 'https://kb.example',
    },
  });
  const admin = await createUser(db.pool, { role: 'admin' });
  cookies.admin = (await loginAs(srv.baseUrl, admin.email, admin.password)).cookie;
  cookies.stylistA = (await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password)).cookie;
  cookies.stylistB = (await loginAs(srv.baseUrl, other.email, other.password)).cookie;
  cookies.customer = (await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password)).cookie;
  const otherCustomer = await createUser(db.pool);
  cookies.otherCustomer = (await loginAs(srv.baseUrl, otherCustomer.email, otherCustomer.password)).cookie;
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const open = (o: Parameters<typeof connect>[1] = {}) => jar.open(srv.baseUrl, o);
const key = { stylistId: '', serviceId: '', date: DAY };
beforeAll(() => {
  key.stylistId = salon.stylist.id;
  key.serviceId = salon.service.id;
});

describe('socket connection', () => {
  it('refuses a page of another origin, and accepts the same origin and ALLOWED_ORIGINS', async () => {
    await expect(connect(srv.baseUrl, { origin: 'https://evil.example' })).rejects.toThrow();
    await expect(connect(srv.baseUrl, { origin: 'https://evil.example', transports: ['polling'] })).rejects.toThrow();
    await expect(open({ origin: srv.baseUrl })).resolves.toBeTruthy();
    await expect(open({ origin: 'https://kb.example' })).resolves.toBeTruthy();
  });

  it('refuses a malformed handshake auth', async () => {
    await expect(connect(srv.baseUrl, { auth: { lastEventId: 'yesterday' } })).rejects.toMatchObject({ data: { code: 'INVALID_INPUT' } });
    await expect(connect(srv.baseUrl, { auth: { room: 'admins' } })).rejects.toMatchObject({ data: { code: 'INVALID_INPUT' } });
  });

  it('reads the session cookie over both transports', async () => {
    const polling = await open({ cookie: cookies.admin, transports: ['polling'] });
    const ws = await open({ cookie: cookies.admin });
    const inboxes = [new Inbox(polling), new Inbox(ws)];
    await announce(db.pool, 'stylists', 'staff only');
    for (const i of inboxes) expect((await i.next('announcement')).message).toBe('staff only');
  });
});

describe('socket memory', () => {
  it('keeps no handshake request nor its headers once connected, and the socket keeps its session identity', async () => {
    const ws = await open({ cookie: cookies.admin });
    const polling = await open({ cookie: cookies.admin, transports: ['polling'] });
    const io = srv.app.realtime.io!;
    const server = [ws.id, polling.id].map((id) => io.sockets.sockets.get(id!)!);
    // The request (and what the session middleware hung on it) is let go, and so are the handshake's
    // headers, query, URL and date string; its address, time and auth stay.
    expect(server.map((s) => [s.conn.request, s.handshake.headers, s.handshake.query, s.handshake.url, s.handshake.time])).toEqual([
      [null, {}, {}, '', ''],
      [null, {}, {}, '', ''],
    ]);
    for (const s of server) {
      expect(s.handshake.address).toMatch(/127\.0\.0\.1/);
      expect(s.handshake.issued).toBeGreaterThan(0);
      expect(s.handshake.auth).toEqual({});
    }
    const inboxes = [new Inbox(ws), new Inbox(polling)];
    await announce(db.pool, 'stylists', 'still staff');
    for (const i of inboxes) expect((await i.next('announcement')).message).toBe('still staff');
  });
});

describe('socket payloads', () => {
  it('answers slots:watch with the same slots as the REST endpoint', async () => {
    const s = await open();
    const a = await request(s, 'slots:watch', { ...key, customerTimezone: 'Europe/London' });
    const rest = await (
      await fetch(
        `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: key.stylistId, serviceId: key.serviceId, targetDate: DAY, customerTimezone: 'Europe/London' })}`,
      )
    ).json();
    expect(a).toEqual({ ok: true, data: { version: expect.any(Number), slots: rest } });
  });

  it.each([
    ['a string', () => 'hello', 'INVALID_INPUT'],
    ['null', () => null, 'INVALID_INPUT'],
    ['a bad uuid', () => ({ ...key, stylistId: 'x' }), 'INVALID_INPUT'],
    ['an unknown field', () => ({ ...key, room: 'admins' }), 'INVALID_INPUT'],
    ['a missing field', () => ({ stylistId: key.stylistId, date: DAY }), 'INVALID_INPUT'],
    ['a date that does not exist', () => ({ ...key, date: '2027-02-30' }), 'INVALID_INPUT'],
    ['an unknown zone', () => ({ ...key, customerTimezone: 'Mars/Olympus' }), 'UNKNOWN_TIMEZONE'],
    ['an unknown stylist', () => ({ ...key, stylistId: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND'],
  ])('refuses slots:watch with %s', async (_what, payload, code) => {
    const s = await open();
    const res = await request(s, 'slots:watch', payload());
    expect(res).toMatchObject({ ok: false, error: { code } });
    // A refused watch leaves nothing behind.
    expect(srv.app.realtime.watches.get(`00000000-0000-4000-8000-000000000000|${key.serviceId}|${DAY}`)).toBeUndefined();
  });

  it('refuses an oversized payload with an error ack and closes the connection on one over the transport limit', async () => {
    const s = await open();
    const big = await request(s, 'slots:watch', { ...key, pad: 'x'.repeat(3000) });
    expect(big).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(s.connected).toBe(true);
    const closed = new Promise<string>((r) => s.once('disconnect', (reason) => r(reason)));
    s.emit('slots:watch', { ...key, pad: 'x'.repeat(20_000) } as never, () => undefined);
    expect(await closed).toMatch(/transport (close|error)/);
  });

  it('refuses unknown events with an error ack: no room can be joined by naming it', async () => {
    const s = await open();
    const res = await new Promise((r) => (s.emit as (...a: unknown[]) => void)('join', { room: 'admins' }, r));
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const res2 = await new Promise((r) => (s.emit as (...a: unknown[]) => void)('slots:watch', key, 'extra', r));
    expect(res2).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('limits watched keys per socket and the watch rate', async () => {
    const s = await open();
    for (const date of ['2027-03-10', '2027-03-11', '2027-03-12'])
      expect((await request(s, 'slots:watch', { ...key, date })).ok).toBe(true);
    // Re-watching a key (another zone) is not a new key.
    expect((await request(s, 'slots:watch', { ...key, date: '2027-03-12', customerTimezone: 'Asia/Tokyo' })).ok).toBe(true);
    expect(await request(s, 'slots:watch', { ...key, date: '2027-03-13' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // Burst of 8 messages in all, refilled at 1 per minute: the rest are refused.
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await request(s, 'slots:unwatch', { ...key, date: '2027-03-10' }));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });
});

describe('rooms', () => {
  it('sends booking events to the stylist (with customer context), admins, and the booking’s own customer (own view) only', async () => {
    const anon = await open();
    const customer = await open({ cookie: cookies.customer });
    const stylistA = await open({ cookie: cookies.stylistA });
    const stylistB = await open({ cookie: cookies.stylistB });
    const admin = await open({ cookie: cookies.admin });
    const otherCustomer = await open({ cookie: cookies.otherCustomer });
    const [ia, ic, isA, isB, iad, ioc] = [anon, customer, stylistA, stylistB, admin, otherCustomer].map((s) => new Inbox(s));
    // Even a socket watching that stylist's slots gets no booking event.
    expect((await request(anon, 'slots:watch', key)).ok).toBe(true);
    const id = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('14:00'),
    });
    const forStylist = await isA.next('booking:created');
    expect(forStylist.booking).toMatchObject({
      id,
      stylistId: salon.stylist.id,
      status: 'confirmed',
      customer: { id: salon.customer.id, visitCount: 0, hasSafetyNotes: false },
    });
    expect(forStylist.eventId).toEqual(expect.any(Number));
    expect((await iad.next('booking:created')).booking.id).toBe(id);
    await db.pool.query(`update bookings set status = 'cancelled' where id = $1`, [id]);
    expect((await isA.next('booking:updated')).booking.status).toBe('cancelled');
    expect((await iad.next('booking:updated')).booking.status).toBe('cancelled');
    // The customer's own view: no customer context.
    const own = [(await ic.next('booking:created')).booking, (await ic.next('booking:updated')).booking];
    expect(own.map((b) => [b.id, b.status])).toEqual([
      [id, 'confirmed'],
      [id, 'cancelled'],
    ]);
    for (const b of own) expect(b).not.toHaveProperty('customer');
    // A barrier to everyone: whatever was meant for them has arrived before it.
    await announce(db.pool, 'all');
    await Promise.all([ia, ic, isA, isB, iad, ioc].map((i) => i.next('announcement')));
    expect(ic.of('booking:created')).toHaveLength(1);
    expect(ic.of('booking:updated')).toHaveLength(1);
    for (const i of [ia, ioc, isB]) {
      expect(i.of('booking:created')).toEqual([]);
      expect(i.of('booking:updated')).toEqual([]);
    }
    expect(ia.of('slots:update').length).toBeGreaterThan(0);
  });

  it('sends announcements to their audience', async () => {
    const anon = await open();
    const customer = await open({ cookie: cookies.customer });
    const stylist = await open({ cookie: cookies.stylistA });
    const admin = await open({ cookie: cookies.admin });
    const inboxes = [anon, customer, stylist, admin].map((s) => new Inbox(s));
    await announce(db.pool, 'customers', 'for customers');
    await announce(db.pool, 'stylists', 'for stylists');
    await announce(db.pool, 'all', 'for all');
    await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.message === 'for all')));
    const seen = inboxes.map((i) => i.of('announcement').map((a) => a.message));
    expect(seen).toEqual([
      ['for customers', 'for all'],
      ['for customers', 'for all'],
      ['for stylists', 'for all'],
      ['for customers', 'for stylists', 'for all'],
    ]);
    expect(inboxes[3].of('announcement')[2]).toMatchObject({
      audience: 'all',
      level: 'info',
      id: expect.any(String),
      at: expect.any(String),
      eventId: expect.any(Number),
    });
  });
});
