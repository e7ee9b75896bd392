// The relay, one per process: wires the parts of the live pipeline together.
// - feed.ts: the LISTEN connection, reading committed events in order, catch-up and trust;
// - slot-pushes.ts: invalidation, and recomputing and pushing each touched watched key;
// - messages.ts: the booking, override and announcement messages of each event, to their rooms;
// - fanout.ts: where pushes and messages are emitted (large rooms in chunks, in order);
// - replay-log.ts: the ring of recent messages and "replay what this socket missed".
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import type { Metrics } from '../metrics.ts';
import type { SlotService } from '../slots/service.ts';
import type { RelayEvent } from './events.ts';
import type { Fanout } from './fanout.ts';
import { EventFeed } from './feed.ts';
import { NotificationListener, type ListenerOptions } from './listener.ts';
import { buildRoomMessages, emitToRooms } from './messages.ts';
import { ReplayLog } from './replay-log.ts';
import { SlotPushes, type SlotPushesOptions } from './slot-pushes.ts';
import type { DayWatches } from './day-watches.ts';
import type { ReplayTarget, ResyncReason } from './types.ts';
import type { WatchRegistry } from './watches.ts';

export interface RelayOptions {
  pool: Pool;
  log: Logger;
  slots: SlotService;
  metrics: Metrics;
  watches: WatchRegistry;
  listener: Omit<ListenerOptions, 'onNotification' | 'onConnected' | 'onDisconnected' | 'log'>;
  /** Events read per query. */
  batchSize?: number;
  /** Recent room messages kept for replays that overlap live relaying. */
  ringSize?: number;
  /** Computes watched `any` slot keys (server/slots/any.ts). */
  anyDay?: SlotPushesOptions['anyDay'];
  /** The live month calendars (days:watch). */
  dayWatches?: DayWatches;
  /** Told of every hold's expiry as it is created, so the sweeper can be on time. */
  onHoldCreated?: (expiresAtMs: number) => void;
  /** Told of every batch of committed events once this process has applied it (the waitlist's offers). */
  onEvents?: (events: RelayEvent[]) => void;
}

export class Relay {
  readonly #o: RelayOptions;
  readonly #feed: EventFeed;
  readonly #pushes: SlotPushes;
  readonly #replays: ReplayLog;
  #fanout: Fanout | null = null;

  constructor(opts: RelayOptions) {
    this.#o = opts;
    const { pool, log, slots, metrics, watches } = opts;
    const batchSize = opts.batchSize ?? 500;
    this.#pushes = new SlotPushes({ slots, watches, metrics, log, anyDay: opts.anyDay });
    this.#feed = new EventFeed({
      pool,
      log,
      slots,
      metrics,
      batchSize,
      listen: (events) => new NotificationListener({ ...opts.listener, log, ...events }),
      consumer: {
        notice: (id, effect) => this.#pushes.notice(id, effect),
        gap: () => this.#pushes.forgetNotices(),
        batch: (events) => this.#batch(events),
      },
      onBaseline: (id) => this.#replays.startAt(id),
    });
    this.#replays = new ReplayLog({ pool, metrics, feed: this.#feed, batchSize, ringSize: opts.ringSize ?? 4096 });
  }

  /** Where pushes and room messages go (the socket server's, once it exists). */
  setFanout(fanout: Fanout): void {
    this.#fanout = fanout;
    this.#pushes.setFanout(fanout);
  }

  /** Highest event id processed (and emitted) by this process; null until the baseline is read. */
  get lastId(): number | null {
    return this.#feed.lastId;
  }

  /** Caught up and listening: the cache is trusted and /readyz is green. */
  get ready(): boolean {
    return this.#feed.ready;
  }

  /** True once the starting point is known (watches and replays wait for it). */
  get started(): boolean {
    return this.#feed.started;
  }

  /** Reads the starting point, then starts listening. Resolves when caught up, or after `waitMs`. */
  start(waitMs: number): Promise<void> {
    return this.#feed.start(waitMs);
  }

  async close(): Promise<void> {
    this.#pushes.close();
    await this.#feed.close();
  }

  /** Resolves true once events through `id` are processed, false after `timeoutMs`. */
  waitFor(id: number, timeoutMs: number): Promise<boolean> {
    return this.#feed.waitFor(id, timeoutMs);
  }

  /** Processes whatever is committed and not yet relayed (used by tests and after writes that must be seen). */
  drain(): Promise<void> {
    return this.#feed.drain();
  }

  /** See ReplayLog.replay. */
  replay(from: number, target: ReplayTarget, maxEvents: number): Promise<ResyncReason | null> {
    return this.#replays.replay(from, target, maxEvents);
  }

  /**
   * One batch: invalidate and push the watched keys it touches (each as soon as it is computed),
   * and build its room messages, concurrently; the delivery emits the messages and keeps them for
   * replays in one synchronous step.
   */
  async #batch(events: RelayEvent[]): Promise<() => void> {
    const { pool, metrics, onHoldCreated } = this.#o;
    const pushed = this.#pushes.batch(events);
    // After the batch's invalidation (done synchronously above): calendars get their changed days.
    const days = this.#o.dayWatches?.batch(events, this.#fanout);
    if (onHoldCreated) {
      for (const ev of events)
        if (ev.kind === 'hold.created' && typeof ev.data.expiresAt === 'string') onHoldCreated(Date.parse(ev.data.expiresAt));
    }
    const fanout = this.#fanout;
    const [messages] = await Promise.all([buildRoomMessages(pool, events), pushed, days]);
    this.#o.onEvents?.(events);
    return () => {
      for (const m of messages) {
        if (fanout) emitToRooms(fanout, m);
        metrics.roomMessages.inc({ event: m.name });
      }
      this.#replays.record(messages);
    };
  }
}
