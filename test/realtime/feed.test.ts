// The feed's trust state machine, driven by a stand-in for the LISTEN connection (the only part not
// real here): the cache is trusted only while listening and after a full catch-up since connecting;
// a drop or a failed batch distrusts it, regaining trust drops every entry, and notifications reach
// the fast path only while trusted. Events are real rows of the real events table.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { EventFeed, type FeedConsumer, type FeedListener, type ListenerEvents } from '../../server/realtime/feed.ts';
import type { RelayEvent, SlotEffect } from '../../server/realtime/events.ts';
import { SlotService } from '../../server/slots/service.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { createSalon, insertBooking } from '../setup/factories.ts';
import { DAY, NOW, announce, kathmandu, until } from './helpers.ts';

let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;
const feeds: EventFeed[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', durationMinutes: 60 });
});
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.close();
});
afterAll(async () => {
  await db?.drop();
});

/** Records what the feed delivers; `failNext` batches throw. */
class Recorder implements FeedConsumer {
  notices: [number, SlotEffect][] = [];
  gaps = 0;
  delivered: number[] = [];
  failNext = 0;
  notice(id: number, effect: SlotEffect): void {
    this.notices.push([id, effect]);
  }
  gap(): void {
    this.gaps++;
  }
  async batch(events: RelayEvent[]): Promise<() => void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('consumer failed');
    }
    return () => this.delivered.push(...events.map((e) => e.id));
  }
}

interface Harness {
  feed: EventFeed;
  slots: SlotService;
  metrics: Metrics;
  consumer: Recorder;
  /** The listener's callbacks: what pg-listen would report. */
  listener: ListenerEvents;
  starting: Promise<void>;
}

async function harness(): Promise<Harness> {
  const slots = new SlotService({ pool: db.pool, cacheEnabled: true, cacheMaxBytes: 10_000_000, cacheTtlMs: 600_000, now: () => NOW });
  const metrics = createMetrics({ slotCache: () => slots.cacheStats(), defaultMetrics: false });
  const consumer = new Recorder();
  let listener!: ListenerEvents;
  const feed = new EventFeed({
    pool: db.pool,
    log: silentLog,
    slots,
    metrics,
    consumer,
    batchSize: 2,
    listen: (events): FeedListener => {
      listener = events;
      return { start: () => undefined, close: async () => undefined };
    },
  });
  feeds.push(feed);
  const starting = feed.start(10_000);
  await feed.whenStarted();
  return { feed, slots, metrics, consumer, listener, starting };
}

const value = async (m: { get(): Promise<{ values: { value: number }[] }> }) => (await m.get()).values[0]?.value ?? 0;
const key = {
  get stylistId() {
    return salon.stylist.id;
  },
  get serviceId() {
    return salon.service.id;
  },
  date: DAY,
};
const book = (hhmm: string) =>
  insertBooking(db.pool, {
    customerId: salon.customer.id,
    stylistId: salon.stylist.id,
    serviceId: salon.service.id,
    startUtc: kathmandu(hhmm),
  });
const eventsAfter = async (id: number) =>
  (await db.pool.query<{ id: number }>('select id from events where id > $1 order by id', [id])).rows.map((r) => Number(r.id));

describe('feed: trust', () => {
  it('is trusted only once listening and caught up; a drop distrusts, reading while down does not restore trust, a reconnection does', async () => {
    await announce(db.pool, 'all', 'before the start');
    const { feed, slots, metrics, consumer, listener, starting } = await harness();
    const baseline = feed.lastId!;
    expect(await eventsAfter(baseline)).toEqual([]);
    // Started (the baseline is read) but not listening: nothing is trusted.
    expect(feed.started).toBe(true);
    expect(feed.ready).toBe(false);
    expect(slots.trusted).toBe(false);
    expect(await value(metrics.listenerUp)).toBe(0);

    listener.onConnected();
    await starting;
    expect(feed.ready).toBe(true);
    expect(slots.trusted).toBe(true);
    expect(await value(metrics.listenerUp)).toBe(1);
    expect(await value(metrics.listenerReconnects)).toBe(0);
    expect(consumer.delivered).toEqual([]);

    await slots.day(key);
    expect(slots.cache.size).toBe(1);

    listener.onDisconnected();
    expect(feed.ready).toBe(false);
    expect(slots.trusted).toBe(false);
    expect(await value(metrics.listenerUp)).toBe(0);

    // Written while the listener is down: read by a drain, but that does not make the cache trusted.
    await book('09:00');
    await book('11:00');
    await announce(db.pool, 'all', 'while down');
    const missed = await eventsAfter(baseline);
    expect(missed.length).toBeGreaterThan(2);
    await feed.drain();
    expect(consumer.delivered).toEqual(missed);
    expect(slots.trusted).toBe(false);

    await announce(db.pool, 'all', 'just before the reconnection');
    listener.onConnected();
    expect(await value(metrics.listenerReconnects)).toBe(1);
    await until(() => feed.ready, 10_000, 'caught up');
    expect(slots.trusted).toBe(true);
    // Regaining trust dropped the entry loaded before the gap.
    expect(slots.cache.size).toBe(0);
    // Every event after the baseline was delivered once, in order, over batches of two.
    expect(consumer.delivered).toEqual(await eventsAfter(baseline));
    expect(feed.lastId).toBe(consumer.delivered.at(-1));
    expect(consumer.gaps).toBe(3);
  });

  it('a failed batch distrusts the cache until a retry succeeds', async () => {
    const { feed, slots, metrics, consumer, listener, starting } = await harness();
    listener.onConnected();
    await starting;
    expect(slots.trusted).toBe(true);

    consumer.failNext = 1;
    await announce(db.pool, 'all', 'fails once');
    const [id] = await eventsAfter(feed.lastId!);
    await feed.drain();
    expect(await value(metrics.relayFailures)).toBe(1);
    expect(feed.ready).toBe(false);
    expect(slots.trusted).toBe(false);
    expect(consumer.delivered).toEqual([]);
    expect(await feed.waitFor(id, 10_000)).toBe(true);
    await until(() => feed.ready, 10_000, 'retried');
    expect(slots.trusted).toBe(true);
    expect(consumer.delivered).toEqual([id]);
  });

  it('notifications: invalid ones are counted and skipped; valid ones reach the fast path only while trusted and only for undelivered events', async () => {
    const { feed, metrics, consumer, listener, starting } = await harness();
    listener.onConnected();
    await starting;
    const next = feed.lastId! + 1;
    const nudge = (id: number) => JSON.stringify({ id, kind: 'booking.created', stylistId: salon.stylist.id, dates: [DAY] });

    listener.onNotification('not json');
    listener.onNotification(JSON.stringify({ id: -1, kind: 'booking.created' }));
    expect(await value(metrics.notificationsInvalid)).toBe(2);

    listener.onNotification(nudge(feed.lastId!));
    listener.onNotification(nudge(next));
    expect(consumer.notices).toEqual([[next, { stylistId: salon.stylist.id, dates: [DAY], reason: 'booking' }]]);
    // No scope in the payload: nothing for the fast path (the row will say).
    listener.onNotification(JSON.stringify({ id: next + 1, kind: 'booking.created' }));
    expect(consumer.notices).toHaveLength(1);

    listener.onDisconnected();
    listener.onNotification(nudge(next + 2));
    expect(consumer.notices).toHaveLength(1);
    expect(await feed.waitFor(next + 1_000_000, 20)).toBe(false);
  });
});
