// Large rooms are sent in chunks (SOCKET_FANOUT_CHUNK, lowered here to 5 for 20 real sockets), with
// a turn of the event loop between chunks; every socket still gets every message once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../server/db/pool.ts';
import { loginAs } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, insertBooking } from '../setup/factories.ts';
import { DAY, Inbox, announce, byLocal, kathmandu, request, startLive, type ClientSocket, type LiveServer, SocketJar } from './helpers.ts';

const SOCKETS = 20;

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const jar = new SocketJar();
let sockets: ClientSocket[] = [];
let inboxes: Inbox[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', slotStepMinutes: 30, bufferMinutes: 0, durationMinutes: 60 });
  srv = await startLive(db.pool, { env: { SOCKET_FANOUT_CHUNK: '5' } });
  sockets = [];
  for (let i = 0; i < SOCKETS; i++) sockets.push(await jar.open(srv.baseUrl));
  inboxes = sockets.map((s) => new Inbox(s));
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const announcement = (message: string) => ({
  eventId: 0,
  id: message,
  message,
  level: 'info' as const,
  audience: 'all' as const,
  at: '2027-03-01T00:00:00.000Z',
});

describe('fan-out to large rooms', () => {
  it('sends a room larger than the chunk size in chunks, and nothing emitted later overtakes it', async () => {
    const fanout = srv.app.realtime.fanout!;
    fanout.to('all').emit('announcement', announcement('first'));
    // The first chunk went out at once; the other 15 sockets follow on later turns.
    expect(fanout.queued).toBe(SOCKETS - 5);
    // Another room every socket is in, emitted while the first is still being sent.
    fanout.to('customers').emit('announcement', announcement('second'));
    expect(fanout.queued).toBe(2 * SOCKETS - 5);
    await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.message === 'second')));
    expect(fanout.queued).toBe(0);
    for (const inbox of inboxes) expect(inbox.of('announcement').map((a) => a.message)).toEqual(['first', 'second']);
  });

  it('encodes a message once, not once per chunk or socket, and writes it straight to each WebSocket connection', async () => {
    const fanout = srv.app.realtime.fanout!;
    const encoder = srv.app.realtime.io!.encoder as unknown as { encode(p: unknown): unknown[] };
    const encode = encoder.encode.bind(encoder);
    let encodings = 0;
    encoder.encode = (p) => {
      encodings++;
      return encode(p);
    };
    const before = { ...fanout.counts };
    try {
      fanout.to('all').emit('announcement', announcement('counted'));
      await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.message === 'counted')));
    } finally {
      encoder.encode = encode;
    }
    // 20 sockets in chunks of 5: one encoding.
    expect(encodings).toBe(1);
    expect(fanout.counts.encoded - before.encoded).toBe(1);
    // Every socket here is an idle WebSocket connection: none needed Engine.IO's queue. (Fails if a
    // Socket.IO/Engine.IO/ws upgrade moves what the direct write relies on: socket-delivery.ts.)
    expect(fanout.counts.direct - before.direct).toBe(SOCKETS);
    expect(fanout.counts.engine - before.engine).toBe(0);
  });

  it('a long-polling socket and a socket with a backlog in Engine.IO get the message through Engine.IO, in order', async () => {
    const fanout = srv.app.realtime.fanout!;
    const polling = await jar.open(srv.baseUrl, { transports: ['polling'] });
    const pollingInbox = new Inbox(polling);
    const busy = await jar.open(srv.baseUrl);
    const busyInbox = new Inbox(busy);
    const io = srv.app.realtime.io!;
    const server = io.of('/').sockets.get(busy.id!)!;
    const before = { ...fanout.counts };
    // Two messages to the socket itself: the first is being written, so Engine.IO holds the second
    // until that write completes. A fan-out message emitted now must queue behind it.
    server.emit('announcement', announcement('held first'));
    server.emit('announcement', announcement('held second'));
    expect((server.conn as unknown as { writeBuffer: unknown[] }).writeBuffer).toHaveLength(1);
    fanout.to(busy.id!).emit('announcement', announcement('after the backlog'));
    fanout.to(polling.id!).emit('announcement', announcement('by polling'));
    await busyInbox.next('announcement', (a) => a.message === 'after the backlog');
    await pollingInbox.next('announcement', (a) => a.message === 'by polling');
    expect(busyInbox.of('announcement').map((a) => a.message)).toEqual(['held first', 'held second', 'after the backlog']);
    expect(fanout.counts.engine - before.engine).toBe(2);
    expect(fanout.counts.direct - before.direct).toBe(0);
    polling.close();
    busy.close();
  });

  it('every watcher in a chunked room gets every update of a key in order, interleaved with room messages in event order', async () => {
    const key = { stylistId: salon.stylist.id, serviceId: salon.service.id, date: DAY };
    const acks = await Promise.all(sockets.map((s) => request(s, 'slots:watch', key)));
    for (const a of acks) expect(a.ok).toBe(true);
    const start = inboxes.map((i) => i.all.length);

    // Bookings and announcements written back to back: fast-path and batch pushes of one key, and
    // room messages, all to rooms of 20 sockets.
    const times = ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00'];
    const announced: string[] = [];
    for (const [n, hhmm] of times.entries()) {
      await insertBooking(db.pool, {
        customerId: salon.customer.id,
        stylistId: salon.stylist.id,
        serviceId: salon.service.id,
        startUtc: kathmandu(hhmm),
        bufferMinutes: 0,
      });
      if (n % 2 === 1) announced.push(await announce(db.pool, 'all', `after ${hhmm}`));
    }
    const barrier = await announce(db.pool, 'all', 'barrier');
    await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.id === barrier)));
    await Promise.all(inboxes.map((i) => i.next('slots:update', (u) => times.every((t) => byLocal(u.slots)[t] === 'booked'))));

    const { rows } = await db.pool.query<{ id: number }>(
      `select id from events where kind = 'announcement.created' and entity_id = any($1::uuid[]) order by id`,
      [[...announced, barrier]],
    );
    const seen = inboxes.map((inbox, i) => inbox.all.slice(start[i]));
    for (const events of seen) {
      // Room messages: each once, in event order.
      expect(events.filter((e) => e.name === 'announcement').map((e) => e.payload.eventId)).toEqual(rows.map((r) => Number(r.id)));
      // Slot updates: versions only ever go up, ending with every booking.
      const versions = events.filter((e) => e.name === 'slots:update').map((e) => e.payload.version as number);
      expect(versions.length).toBeGreaterThan(0);
      for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]);
      const last = events.filter((e) => e.name === 'slots:update').at(-1)!.payload;
      expect(times.map((t) => byLocal(last.slots)[t])).toEqual(times.map(() => 'booked'));
    }
    // The same sequence for every socket of the room.
    const sequence = (events: { name: string; payload: any }[]) => events.map((e) => `${e.name}:${e.payload.version ?? e.payload.eventId}`);
    for (const events of seen) expect(sequence(events)).toEqual(sequence(seen[0]));
    expect(srv.app.realtime.fanout!.queued).toBe(0);
  });

  it('a message to a small room waits behind a chunked one to a room the socket is also in', async () => {
    // A stylist's socket joins 'all' after the 20 others: it is in the last chunk of a message to
    // 'all', and alone in its stylist room.
    const stylist = await jar.open(srv.baseUrl, {
      cookie: (await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password)).cookie,
    });
    const inbox = new Inbox(stylist);
    // One transaction: the announcement (to 'all') and the booking (to the stylist's room) are
    // emitted back to back, in event order.
    const client = await db.pool.connect();
    let bookingId: string;
    try {
      await client.query('begin');
      await client.query(`insert into announcements (message, audience, level) values ('to everyone', 'all', 'info')`);
      bookingId = await insertBooking(client as unknown as Pool, {
        customerId: salon.customer.id,
        stylistId: salon.stylist.id,
        serviceId: salon.service.id,
        startUtc: kathmandu('15:00'),
        bufferMinutes: 0,
      });
      await client.query('commit');
    } finally {
      client.release();
    }
    const booked = await inbox.next('booking:created');
    expect(booked.booking.id).toBe(bookingId);
    const announced = inbox.of('announcement').filter((a) => a.message === 'to everyone');
    expect(announced).toHaveLength(1);
    expect(inbox.all.map((e) => e.name).filter((n) => n === 'announcement' || n === 'booking:created')).toEqual([
      'announcement',
      'booking:created',
    ]);
    expect(announced[0].eventId).toBeLessThan(booked.eventId);
  });
});
