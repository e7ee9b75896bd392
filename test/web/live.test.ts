// @vitest-environment happy-dom
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { fakeSocketFactory, makeSlots, type FakeSocket } from './fakes.ts';
import { track } from './track.svelte.ts';

let now = 1_000_000;
let events: EventTarget;
let live: LiveConnection;
let socket: () => FakeSocket;

beforeEach(() => {
  vi.useFakeTimers();
  now = 1_000_000;
  events = new EventTarget();
  const f = fakeSocketFactory();
  socket = f.socket;
  live = new LiveConnection({ createSocket: f.createSocket, now: () => now, eventTarget: events, offlineAfterMs: 10_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const key = { stylistId: 's1', serviceId: 'v1', date: '2027-03-10' };

describe('connection state', () => {
  it('goes connecting → live, and says reconnecting then offline since the drop while it stays down', async () => {
    const status = track(() => `${live.status}@${live.since}`);
    expect(live.status).toBe('connecting');
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    flushSync();
    expect(status.latest()).toBe('live@1000000');

    now = 2_000_000;
    socket().drop();
    flushSync();
    expect(status.latest()).toBe('reconnecting@2000000');

    // Failed attempts do not move "since"; after 10 s down the indicator says offline.
    now = 2_005_000;
    socket().fire('connect_error', new Error('refused'));
    socket().attempt(2);
    expect(live.attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(10_000);
    flushSync();
    expect(status.latest()).toBe('offline@2000000');

    now = 2_100_000;
    socket().open();
    flushSync();
    expect(status.latest()).toBe('live@2100000');
    expect(live.attempts).toBe(0);
    status.stop();
  });

  it('is offline at once when the browser says so, and reconnects when it is back', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    now = 3_000_000;
    events.dispatchEvent(new Event('offline'));
    expect(live.status).toBe('offline');
    expect(live.since).toBe(3_000_000);
    expect(socket().active).toBe(false);

    events.dispatchEvent(new Event('online'));
    expect(live.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(0);
    expect(live.status).toBe('live');
  });

  it('reconnects by itself after the server closes the connection', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    socket().drop('io server disconnect');
    await vi.advanceTimersByTimeAsync(0);
    expect(live.status).toBe('live');
  });
});

describe('resume', () => {
  it('sends the highest eventId seen on every reconnect and drops replayed duplicates', async () => {
    const seen: number[] = [];
    live.on('booking:created', (p) => seen.push(p.eventId));
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket().handshakes).toEqual([{}]);

    socket().push('booking:created', { eventId: 7, booking: {} });
    socket().push('booking:created', { eventId: 9, booking: {} });
    socket().drop();
    socket().open();
    expect(socket().handshakes.at(-1)).toEqual({ lastEventId: 9 });

    // The server replays 9 (already seen) and 10.
    socket().push('booking:created', { eventId: 9, booking: {} });
    socket().push('booking:created', { eventId: 10, booking: {} });
    expect(seen).toEqual([7, 9, 10]);
    expect(live.lastEventId).toBe(10);
  });

  it('calls the resync handlers so screens re-fetch', async () => {
    const reasons: string[] = [];
    live.onResync((r) => reasons.push(r));
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    socket().push('resync', { reason: 'pruned' });
    expect(reasons).toEqual(['pruned']);
  });

  it('tells reconnect handlers after a reconnect but not after the first connect', async () => {
    let n = 0;
    live.onReconnect(() => n++);
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(0);
    socket().drop();
    socket().open();
    expect(n).toBe(1);
  });
});

describe('watches', () => {
  it('watches once per key, delivers the ack and pushes, and re-watches after a reconnect', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    const s = socket();
    s.daySlots = makeSlots(3);
    const got: { n: number; v: number; reason: string | null }[] = [];
    const stop = live.watch(key, { onSlots: (slots, v, reason) => got.push({ n: slots.length, v, reason }) });
    expect(s.sentOf('slots:watch')).toEqual([key]);
    expect(got).toEqual([{ n: 3, v: 1, reason: null }]);

    s.push('slots:update', { ...key, version: 2, slots: makeSlots(2), reason: 'booking' });
    s.push('slots:update', { ...key, date: '2027-03-11', version: 5, slots: [], reason: 'booking' });
    expect(got.at(-1)).toEqual({ n: 2, v: 2, reason: 'booking' });
    expect(got).toHaveLength(2);

    // A new socket watches nothing: every key is sent again, and the ack brings the truth.
    s.drop();
    s.version = 4;
    s.daySlots = makeSlots(1);
    s.open();
    expect(s.sentOf('slots:watch')).toEqual([key, key]);
    expect(got.at(-1)).toEqual({ n: 1, v: 4, reason: null });

    stop();
    expect(s.sentOf('slots:unwatch')).toEqual([key]);
    expect(live.watchedKeys).toEqual([]);
  });

  it('keeps a shared key watched until its last listener leaves', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    const a = live.watch(key, { onSlots: () => {} });
    const b = live.watch(key, { onSlots: () => {} });
    expect(socket().sentOf('slots:watch')).toHaveLength(2); // the second gets its own ack
    a();
    expect(socket().sentOf('slots:unwatch')).toHaveLength(0);
    b();
    expect(socket().sentOf('slots:unwatch')).toHaveLength(1);
  });

  it('waits for the connection before watching, and reports a refused watch', async () => {
    const errors: string[] = [];
    live.watch(key, { onSlots: () => {}, onError: (e) => errors.push(e.code) });
    expect(socket().sent).toHaveLength(0);
    socket().onEmit = (_e, _p, ack) => ack?.({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down' } });
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['RATE_LIMITED']);
  });

  it('watches again, backing off, when the server refuses for now (watching too fast)', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    let refusals = 2;
    socket().onEmit = (event, _p, ack) => {
      if (event !== 'slots:watch') return ack?.({ ok: true, data: { watching: 0 } });
      if (refusals-- > 0) ack?.({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down' } });
      else ack?.({ ok: true, data: { version: 3, slots: makeSlots(2) } });
    };
    const got: number[] = [];
    live.watch(key, { onSlots: (_s, v) => got.push(v) });
    expect(socket().sentOf('slots:watch')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket().sentOf('slots:watch')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(socket().sentOf('slots:watch')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket().sentOf('slots:watch')).toHaveLength(3);
    expect(got).toEqual([3]);
  });

  it('does not retry a watch the server calls invalid', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    socket().onEmit = (_e, _p, ack) => ack?.({ ok: false, error: { code: 'INVALID_INPUT', message: 'bad key' } });
    live.watch(key, { onSlots: () => {} });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket().sentOf('slots:watch')).toHaveLength(1);
  });

  it('reconnects to pick up a new session cookie', async () => {
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    live.reconnect();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket().handshakes).toHaveLength(2);
    expect(live.status).toBe('live');
  });
});
