// A replay costs what the socket may receive, no more: an anonymous `auth: {lastEventId: 0}` loads
// announcements only and builds no customer context; a stylist loads their own bookings, not the
// salon's; a customer loads their own bookings in their own view, with no customer context; a replay is capped (beyond it: `resync`), and replays are rate-limited per client IP.
// The work is counted on the real pool: event rows and customer-context rows the server read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from 'pg';
import { loginAs } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { io as connectIo } from 'socket.io-client';
import { Inbox, SocketJar, announce, startLive, until, type ClientSocket, type LiveServer } from '../realtime/helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let stylistCookie = '';
let customerCookie = '';
let customer: Awaited<ReturnType<typeof createUser>>;
const jar = new SocketJar();
const extra: LiveServer[] = [];

/**
 * Rows the server read through the pool: outbox events, bookings with customer context, and
 * bookings in their customer's own view.
 */
const work = { eventRows: 0, contextRows: 0, ownRows: 0 };
const resetWork = () => Object.assign(work, { eventRows: 0, contextRows: 0, ownRows: 0 });

const OWN_BOOKINGS = 25;
const OTHER_BOOKINGS = 25;
/** Bookings of a second customer (with the other stylist). */
const CUSTOMER_BOOKINGS = 3;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  // A spy on the real pool: every query still runs; its answer is counted.
  const query = db.pool.query.bind(db.pool) as (...a: unknown[]) => Promise<QueryResult>;
  (db.pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
    const r = await query(...args);
    const first = r?.rows?.[0] as Record<string, unknown> | undefined;
    if (first && 'kind' in first && 'entity_id' in first) work.eventRows += r.rows.length;
    if (first && 'customer_display_name' in first) work.contextRows += r.rows.length;
    else if (first && 'customer_id' in first && 'start_at' in first) work.ownRows += r.rows.length;
    return r;
  };

  // History: bookings of two stylists (some updated), overrides, announcements for each audience.
  let slot = 0;
  customer = await createUser(db.pool);
  const book = (stylistId: string, customerId = salon.customer.id) =>
    insertBooking(db.pool, {
      customerId,
      stylistId,
      serviceId: salon.service.id,
      startUtc: new Date(Date.parse('2027-04-01T00:00:00Z') + slot++ * 2 * 3_600_000).toISOString(),
    });
  for (let i = 0; i < OWN_BOOKINGS; i++) await book(salon.stylist.id);
  for (let i = 0; i < OTHER_BOOKINGS; i++) await book(other.id);
  for (let i = 0; i < CUSTOMER_BOOKINGS; i++) await book(other.id, customer.id);
  await db.pool.query(
    `insert into overrides (scope, start_date, end_date, kind, reason) values ('salon', '2027-05-01', '2027-05-01', 'closed', 'Holiday')`,
  );
  for (const audience of ['all', 'customers', 'stylists'] as const) await announce(db.pool, audience, `for ${audience}`);

  srv = await startLive(db.pool);
  stylistCookie = (await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password)).cookie;
  customerCookie = (await loginAs(srv.baseUrl, customer.email, customer.password)).cookie;
});
afterEach(() => jar.closeAll());
afterAll(async () => {
  jar.closeAll();
  for (const s of extra) await s.close();
  await srv?.close();
  await db?.drop();
});

const replaysDone = async (server: LiveServer) => (await server.app.metrics.replays.get()).values.reduce((n, v) => n + v.value, 0);

/**
 * Connects with a lastEventId and waits until the server has finished the replay; `cost` is the
 * work it did meanwhile (no event is written while it runs, so the relays read nothing). Then waits
 * for a live barrier announcement, the last thing the socket gets.
 */
async function replayed(server: LiveServer, o: { cookie?: string; lastEventId: number }): Promise<{ inbox: Inbox; cost: typeof work }> {
  for (const s of [srv, ...extra]) await s.app.realtime.relay.drain();
  const before = await replaysDone(server);
  resetWork();
  // The inbox listens before the connection opens: a resync may follow the connect at once.
  const s: ClientSocket = connectIo(server.baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
    extraHeaders: o.cookie ? { cookie: o.cookie } : {},
    auth: { lastEventId: o.lastEventId },
  });
  jar.add(s);
  const inbox = new Inbox(s);
  s.connect();
  await until(async () => (await replaysDone(server)) > before, 10_000, 'the replay');
  const cost = { ...work };
  await barrier(inbox, server);
  return { inbox, cost };
}

async function barrier(inbox: Inbox, server: LiveServer): Promise<void> {
  // Once the socket has joined its rooms, a live announcement reaches it.
  const id = await announce(db.pool, 'all', 'barrier');
  await server.app.realtime.relay.drain();
  await inbox.next('announcement', (p) => p.id === id);
}

const names = (inbox: Inbox) =>
  inbox.all
    .filter((e) => e.payload?.message !== 'barrier')
    .map((e) => `${e.name}:${e.payload.message ?? e.payload.booking?.stylistId ?? e.payload.reason ?? ''}`);

describe('replay cost', () => {
  it('an anonymous socket replaying from 0 loads announcements only and builds no customer context', async () => {
    const { inbox, cost } = await replayed(srv, { lastEventId: 0 });
    expect(names(inbox)).toEqual(['announcement:for all', 'announcement:for customers']);
    expect(cost).toEqual({ eventRows: 2, contextRows: 0, ownRows: 0 });
  });

  it('a stylist loads its own bookings, overrides and its announcements, with customer context for its own bookings only', async () => {
    const { inbox, cost } = await replayed(srv, { cookie: stylistCookie, lastEventId: 0 });
    const got = names(inbox);
    expect(got.filter((n) => n.startsWith('booking:'))).toEqual(Array(OWN_BOOKINGS).fill(`booking:created:${salon.stylist.id}`));
    expect(got.filter((n) => !n.startsWith('booking:'))).toEqual([
      'override:changed:',
      'announcement:for all',
      'announcement:for stylists',
    ]);
    // Own bookings, the override, two announcements and the previous test's barrier (for all).
    expect(cost).toEqual({ eventRows: OWN_BOOKINGS + 1 + 2 + 1, contextRows: OWN_BOOKINGS, ownRows: 0 });
  });

  it('a customer loads their own bookings in their own view (no customer context), and their announcements', async () => {
    const { inbox, cost } = await replayed(srv, { cookie: customerCookie, lastEventId: 0 });
    const got = names(inbox);
    expect(got).toEqual([
      ...Array(CUSTOMER_BOOKINGS).fill(`booking:created:${other.id}`),
      'announcement:for all',
      'announcement:for customers',
    ]);
    for (const b of inbox.of('booking:created')) expect(b.booking).toMatchObject({ customerId: customer.id });
    for (const b of inbox.of('booking:created')) expect(b.booking).not.toHaveProperty('customer');
    // Own bookings, two announcements and the two previous tests' barriers (for all).
    expect(cost).toEqual({ eventRows: CUSTOMER_BOOKINGS + 2 + 2, contextRows: 0, ownRows: CUSTOMER_BOOKINGS });
  });

  it('caps the events of one replay: a client further behind gets resync {reason: too_many}, loads at most the cap, and stays live', async () => {
    const capped = await startLive(db.pool, { env: { SOCKET_REPLAY_MAX_EVENTS: '10' } });
    extra.push(capped);
    const cookie = (await loginAs(capped.baseUrl, salon.stylist.email, salon.stylist.password)).cookie;
    const { inbox, cost } = await replayed(capped, { cookie, lastEventId: 0 });
    expect(names(inbox)).toEqual(['resync:too_many']);
    expect(cost.contextRows).toBe(0);
    expect(cost.eventRows).toBeLessThanOrEqual(11);
    // Within the cap it replays as before.
    const { rows } = await db.pool.query<{ id: number }>('select max(id)::int as id from events');
    const near = await replayed(capped, { cookie, lastEventId: rows[0].id - 3 });
    const last = rows[0].id;
    expect(names(near.inbox)).toEqual([]);
    // The three events after it (the barriers above), then the live barrier.
    expect(
      near.inbox
        .of('announcement')
        .map((a) => a.eventId)
        .slice(0, 3),
    ).toEqual([last - 2, last - 1, last]);
  });

  it('rate-limits replays per client IP: beyond the limit a socket gets resync {reason: rate_limited} and nothing is loaded', async () => {
    const limited = await startLive(db.pool, { env: { SOCKET_REPLAYS_PER_IP_PER_MINUTE: '3' } });
    extra.push(limited);
    for (let i = 0; i < 3; i++) {
      const { inbox } = await replayed(limited, { lastEventId: 0 });
      expect(names(inbox)).toEqual(['announcement:for all', 'announcement:for customers']);
    }
    for (let i = 0; i < 3; i++) {
      const { inbox, cost } = await replayed(limited, { lastEventId: 0 });
      expect(names(inbox)).toEqual(['resync:rate_limited']);
      expect(cost).toEqual({ eventRows: 0, contextRows: 0, ownRows: 0 });
    }
    // A socket that asks for no replay is not limited, and is live.
    const plain = await jar.open(limited.baseUrl);
    const inbox = new Inbox(plain);
    await barrier(inbox, limited);
    expect(inbox.of('resync')).toEqual([]);
  });
});
