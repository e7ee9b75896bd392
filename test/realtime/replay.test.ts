import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, insertBooking } from '../setup/factories.ts';
import { Inbox, announce, connect, startLive, until, type LiveServer, SocketJar } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let stylistCookie = '';
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startLive(db.pool);
  stylistCookie = (await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password)).cookie;
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

let slot = 0;
/** A booking at a fresh 2-hour slot (never overlapping), written with SQL. */
const book = (stylistId = salon.stylist.id) =>
  insertBooking(db.pool, {
    customerId: salon.customer.id,
    stylistId,
    serviceId: salon.service.id,
    startUtc: new Date(Date.parse('2027-04-01T00:00:00Z') + slot++ * 2 * 3_600_000).toISOString(),
  });

const eventIdsOf = (inbox: Inbox) =>
  inbox.all.filter((e) => e.payload && typeof e.payload.eventId === 'number').map((e) => e.payload.eventId as number);

describe('replay on reconnect', () => {
  it('replays exactly the missed events this user may see, in order, then continues live', async () => {
    const first = await connect(srv.baseUrl, { cookie: stylistCookie });
    const firstInbox = new Inbox(first);
    await book();
    const seen = await firstInbox.next('booking:created');
    first.close();

    // While away: own bookings and an update, another stylist's booking, announcements for
    // customers (not a stylist's) and for everyone.
    const mine1 = await book();
    await book(other.id);
    await announce(db.pool, 'customers', 'not for stylists');
    await db.pool.query(`update bookings set status = 'pending' where id = $1`, [mine1]);
    await announce(db.pool, 'all', 'for everyone');
    const mine2 = await book();
    await srv.app.realtime.relay.drain();

    const back = await connect(srv.baseUrl, { cookie: stylistCookie, lastEventId: seen.eventId });
    jar.add(back);
    const inbox = new Inbox(back);
    await inbox.next('booking:created', (p) => p.booking.id === mine2);
    const live = await book();
    await inbox.next('booking:created', (p) => p.booking.id === live);
    expect(inbox.all.map((e) => [e.name, e.payload.booking?.id ?? e.payload.message])).toEqual([
      ['booking:created', mine1],
      ['booking:updated', mine1],
      ['announcement', 'for everyone'],
      ['booking:created', mine2],
      ['booking:created', live],
    ]);
    const ids = eventIdsOf(inbox);
    expect(ids[0]).toBeGreaterThan(seen.eventId);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('loses and duplicates nothing when the client reconnects repeatedly while events are written', async () => {
    let lastEventId: number | undefined;
    const received: number[] = [];
    const s = await connect(srv.baseUrl, { cookie: stylistCookie, reconnection: true, lastEventId: () => lastEventId });
    jar.add(s);
    s.on('booking:created', (p) => {
      received.push(p.eventId);
      lastEventId = p.eventId;
    });
    // Kept for the failure message: what the socket went through if the final barrier never arrives.
    const connectErrors: string[] = [];
    const resyncs: string[] = [];
    s.on('connect_error', (e) => connectErrors.push(e.message));
    s.on('resync', (p) => resyncs.push(p.reason));
    // Catch the first event before starting, so every later reconnect has a lastEventId.
    await book();
    await until(() => received.length === 1, 5000, 'first event');
    const start = received[0];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 40; i++) await book();
      writing = false;
    })();
    let reconnects = 0;
    while (writing) {
      const reconnected = new Promise((r) => s.io.once('reconnect', r));
      s.io.engine.close();
      await reconnected;
      reconnects++;
    }
    await writer;
    const { rows } = await db.pool.query<{ id: number }>(
      `select id from events where kind = 'booking.created' and stylist_id = $1 and id >= $2 order by id`,
      [salon.stylist.id, start],
    );
    await until(() => received.length >= rows.length, 10_000, 'all events');
    // Listening before the write: the announcement may reach the client before the insert's own answer does.
    const barrier = new Inbox(s);
    await announce(db.pool, 'all');
    await barrier.next('announcement').catch((e: Error) => {
      const peer = srv.app.realtime.io?.sockets.sockets.get(s.id ?? '');
      const server = peer ? { connected: peer.connected, rooms: [...peer.rooms] } : { sockets: srv.app.realtime.io?.sockets.sockets.size };
      const state = {
        connected: s.connected,
        reconnects,
        connectErrors,
        resyncs,
        received: received.length,
        expected: rows.length,
        server,
      };
      throw new Error(`${e.message}; socket state ${JSON.stringify(state)}`);
    });
    expect(reconnects).toBeGreaterThan(0);
    expect(received).toEqual(rows.map((r) => r.id));
  });

  it('sends resync for an event id this database never issued', async () => {
    const s = await connect(srv.baseUrl, { cookie: stylistCookie, lastEventId: 1_000_000_000 });
    jar.add(s);
    expect(await new Inbox(s).next('resync')).toEqual({ reason: 'unknown_event' });
  });

  it('sends resync to a client older than the retention, and keeps it live afterwards', async () => {
    const s = await connect(srv.baseUrl, { cookie: stylistCookie });
    const i = new Inbox(s);
    await book();
    const old = (await i.next('booking:created')).eventId;
    s.close();
    await book();
    // Relayed before the client comes back, so the only booking event it can get after the resync is the next one.
    await srv.app.realtime.relay.drain();
    // Everything up to now is older than a zero retention.
    const pruned = await db.pool.query(`select kb_prune_events(interval '0 seconds') as n`);
    expect(pruned.rows[0].n).toBeGreaterThan(0);
    const back = await connect(srv.baseUrl, { cookie: stylistCookie, lastEventId: old });
    jar.add(back);
    const inbox = new Inbox(back);
    expect(await inbox.next('resync')).toEqual({ reason: 'pruned' });
    const live = await book();
    expect((await inbox.next('booking:created')).booking.id).toBe(live);
    expect(inbox.of('booking:created')).toHaveLength(1);
    // A client exactly at the pruning mark misses nothing: it is replayed, not resynced.
    const mark = (await db.pool.query('select pruned_through from events_retention')).rows[0].pruned_through;
    const atMark = await connect(srv.baseUrl, { cookie: stylistCookie, lastEventId: mark });
    jar.add(atMark);
    expect((await new Inbox(atMark).next('booking:created')).booking.id).toBe(live);
  });
});
