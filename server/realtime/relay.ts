// The relay, one per process: notifications nudge it, it reads committed events in id order (ids
// are assigned at commit, so `id > last` never skips one), invalidates the cache, recomputes each
// watched key once and pushes it to that key's rooms, and sends booking, override and announcement
// messages to their rooms. It also answers "replay what this socket missed".
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { ClientToServerEvents, ResyncPayload, ServerToClientEvents, SlotsUpdateReason } from '../contract/socket.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/errors.ts';
import type { Metrics } from '../http/metrics.ts';
import { applyEffect } from '../outbox/effects.ts';
import { render, type DayEntry, type SlotService } from '../slots/service.ts';
import { MAX_EVENT_ID, notificationEffect, notificationPayload, parseEventRow, readEvents, readReplayEvents, slotEffectOf, type RawEventRow, type RelayEvent, type SlotEffect } from './events.ts';
import { NotificationListener, type ListenerOptions } from './listener.ts';
import { buildRoomMessages, emitRoomMessage, type RoomMessage } from './messages.ts';
import { replayScopeOf, watchRoom } from './rooms.ts';
import type { WatchRegistry, WatchedKey } from './watches.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

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
  /** Told of every hold's expiry as it is created, so the sweeper can be on time. */
  onHoldCreated?: (expiresAtMs: number) => void;
}

/** What a replaying socket needs from the socket layer. */
export interface ReplayTarget {
  /** The rooms the socket will be in: a message reaches it when it names one of them. */
  rooms: ReadonlySet<string>;
  readonly connected: boolean;
  send(m: RoomMessage): void;
  /** Joins the live rooms; called synchronously right after the last replayed message. */
  join(): void;
}

type ResyncReason = ResyncPayload['reason'];

interface Touch {
  w: WatchedKey;
  reason: SlotsUpdateReason;
  eventId: number;
}

const COMPUTE_CONCURRENCY = 16;

export class Relay {
  /** Highest event id processed (and emitted) by this process; null until the baseline is read. */
  lastId: number | null = null;
  #o: Required<Pick<RelayOptions, 'batchSize' | 'ringSize'>> & RelayOptions;
  #io: IoServer | null = null;
  #listener: NotificationListener;
  #baseline: Promise<void>;
  #resolveBaseline!: () => void;
  #closed = false;
  #timers = new Set<NodeJS.Timeout>();

  // Trust: the cache is trusted only while LISTENing and after a full catch-up since connecting.
  #listening = false;
  #synced = false;
  #connectGen = 0;
  #everConnected = false;
  #failures = 0;

  // Single-flight draining.
  #running: Promise<void> | null = null;
  #again = false;

  // Recent messages, in event order. Every message of a processed event with id > #ringFloor is here.
  #ring: RoomMessage[] = [];
  #ringFloor = 0;
  #waiters = new Set<{ id: number; resolve: (ok: boolean) => void }>();
  /**
   * Events already invalidated (and their watchers refreshed) from their notification alone: id →
   * the scope it named. The batch skips the invalidation only when the row names the same scope,
   * so a forged notification on the channel can cost a refresh, never a stale entry.
   */
  #early = new Map<number, string>();

  constructor(opts: RelayOptions) {
    this.#o = { batchSize: 500, ringSize: 4096, ...opts };
    this.#baseline = new Promise((r) => (this.#resolveBaseline = r));
    this.#listener = new NotificationListener({
      ...opts.listener,
      log: opts.log,
      onNotification: (raw) => this.#onNotification(raw),
      onConnected: () => this.#onConnected(),
      onDisconnected: () => this.#onDisconnected(),
    });
    // Until the first catch-up, the cache cannot vouch for anything.
    opts.slots.trusted = false;
    opts.metrics.listenerUp.set(0);
  }

  setServer(io: IoServer): void {
    this.#io = io;
  }

  /** Caught up and listening: the cache is trusted and /readyz is green. */
  get ready(): boolean {
    return this.#listening && this.#synced;
  }

  /** True once the starting point is known (watches and replays wait for it). */
  get started(): boolean {
    return this.lastId !== null;
  }

  /** Reads the starting point, then starts listening. Resolves when caught up, or after `waitMs`. */
  async start(waitMs: number): Promise<void> {
    void this.#readBaseline();
    this.#listener.start();
    // Plain timers here: close() clears the tracked ones, and this wait must end regardless.
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
    const deadline = Date.now() + waitMs;
    await Promise.race([this.#baseline, sleep(waitMs)]);
    while (!this.ready && !this.#closed && Date.now() < deadline) await sleep(10);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters.clear();
    this.#resolveBaseline();
    await this.#listener.close();
    await this.#running?.catch(() => undefined);
  }

  /** Resolves true once events through `id` are processed, false after `timeoutMs`. */
  waitFor(id: number, timeoutMs: number): Promise<boolean> {
    if (this.lastId !== null && this.lastId >= id) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w = {
        id,
        resolve: (ok: boolean) => {
          clearTimeout(t);
          this.#timers.delete(t);
          this.#waiters.delete(w);
          resolve(ok);
        },
      };
      const t = this.#timer(() => w.resolve(false), timeoutMs);
      this.#waiters.add(w);
    });
  }

  /** Processes whatever is committed and not yet relayed (used by tests and after writes that must be seen). */
  drain(): Promise<void> {
    return this.#requestDrain();
  }

  // ── listener callbacks ──────────────────────────────────────────────────────────────────────

  #onNotification(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const n = notificationPayload.safeParse(parsed);
    if (!n.success) {
      this.#o.metrics.notificationsInvalid.inc();
      this.#o.log.warn({ payload: raw.slice(0, 200) }, 'invalid notification on kb_events skipped');
      return;
    }
    if (this.lastId !== null && n.data.id <= this.lastId) return;
    // Fast path: the notification names what changed, so invalidate and refresh watchers now; the
    // batch that reads the row then skips what is done. Only while trusted (during a catch-up the
    // batch does everything, in order).
    if (this.ready && !this.#early.has(n.data.id)) {
      const effect = notificationEffect(n.data);
      if (effect) this.#fastPath(n.data.id, effect);
    }
    void this.#requestDrain();
  }

  #fastPath(id: number, effect: SlotEffect): void {
    if (this.#early.size > 10_000) this.#early.clear();
    this.#early.set(id, scopeOf(effect));
    this.#invalidate(effect);
    const touches = this.#o.watches.affected(effect.stylistId, effect.dates).map((w) => ({ w, reason: effect.reason, eventId: id }));
    if (touches.length === 0) return;
    // A failure here is not lost: the batch recomputes every key not yet pushed at this version.
    this.#computeAll(touches, (touch, entry) => {
      if (!this.#closed) this.#pushSlots(this.#io, touch, entry);
    }).catch((err: Error) => this.#o.log.debug({ err: err.message }, 'early refresh failed; the batch will redo it'));
  }

  #invalidate(effect: SlotEffect): void {
    applyEffect(this.#o.slots, effect);
  }

  #onConnected(): void {
    this.#early.clear();
    this.#listening = true;
    this.#synced = false;
    this.#connectGen++;
    if (this.#everConnected) {
      this.#o.metrics.listenerReconnects.inc();
      this.#o.log.info('notification listener reconnected; catching up from the events table');
    }
    this.#everConnected = true;
    // Catch up from the table: anything committed while we were not listening is recovered here.
    void this.#requestDrain();
  }

  #onDisconnected(): void {
    this.#early.clear();
    this.#listening = false;
    this.#synced = false;
    this.#updateTrust();
  }

  #updateTrust(): void {
    const trusted = this.#listening && this.#synced;
    const { slots, metrics, log } = this.#o;
    if (trusted && !slots.trusted) {
      // Entries (and loads in flight) from before the gap may predate events we never saw as
      // notifications; the catch-up invalidated what it read, this drops anything else.
      slots.invalidateAll();
      slots.trusted = true;
      log.info({ lastEventId: this.lastId }, 'relay caught up; slot cache trusted');
    } else if (!trusted && slots.trusted) {
      slots.trusted = false;
      log.warn('slot cache not trusted until the relay catches up');
    }
    metrics.listenerUp.set(trusted ? 1 : 0);
  }

  // ── draining ────────────────────────────────────────────────────────────────────────────────

  async #readBaseline(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        const { rows } = await this.#o.pool.query<{ id: number }>('select coalesce(max(id), 0)::bigint as id from events');
        // Events before this process started changed nothing it holds: its cache is empty.
        this.lastId = Number(rows[0].id);
        this.#ringFloor = this.lastId;
        this.#resolveBaseline();
        return;
      } catch (err) {
        this.#o.log.warn({ err: (err as Error).message }, 'relay could not read the events table; retrying');
        await new Promise<void>((r) => this.#timer(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  #requestDrain(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#drainPass();
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async #drainPass(): Promise<void> {
    await this.#baseline;
    if (this.#closed) return;
    const gen = this.#connectGen;
    const listeningAtStart = this.#listening;
    try {
      for (;;) {
        const readAt = performance.now();
        const rows = await readEvents(this.#o.pool, this.lastId!, MAX_EVENT_ID, this.#o.batchSize);
        if (rows.length === 0 || this.#closed) break;
        await this.#processBatch(rows, readAt);
        if (rows.length < this.#o.batchSize) break;
      }
      this.#failures = 0;
      // A pass that began after the (re)connection has read everything committed before LISTEN.
      if (listeningAtStart && this.#listening && gen === this.#connectGen && !this.#synced) {
        this.#synced = true;
        this.#updateTrust();
      }
    } catch (err) {
      if (this.#closed) return;
      this.#failures++;
      this.#o.metrics.relayFailures.inc();
      this.#o.log.warn({ err: (err as Error).message, lastEventId: this.lastId }, 'relay failed to process events; retrying');
      this.#synced = false;
      this.#updateTrust();
      // While the listener is down its reconnection triggers the catch-up; otherwise retry here.
      if (this.#listening) this.#timer(() => void this.#requestDrain(), Math.min(5000, 100 * 2 ** this.#failures));
    }
  }

  async #processBatch(rows: RawEventRow[], readAt: number): Promise<void> {
    const started = performance.now();
    const { slots, watches, log, metrics, pool } = this.#o;
    const events: RelayEvent[] = [];
    for (const row of rows) {
      const p = parseEventRow(row);
      if (p.ok) events.push(p.event);
      else log.error({ eventId: row.id, kind: row.kind, error: p.error }, 'malformed event row skipped');
    }

    // 1. Invalidate, and note which watched keys changed (the last event's reason wins).
    const touched = new Map<string, Touch>();
    for (const ev of events) {
      const effect = slotEffectOf(ev);
      if (effect) {
        const early = this.#early.get(ev.id);
        this.#early.delete(ev.id);
        if (early !== scopeOf(effect)) this.#invalidate(effect);
        for (const w of watches.affected(effect.stylistId, effect.dates)) {
          touched.delete(w.keyString);
          touched.set(w.keyString, { w, reason: effect.reason, eventId: ev.id });
        }
      }
      if (ev.kind === 'hold.created' && typeof ev.data.expiresAt === 'string') {
        this.#o.onHoldCreated?.(Date.parse(ev.data.expiresAt));
      }
    }

    // 2. One computation per touched key, each pushed as soon as it is ready (slot lists are state,
    //    not history: they are not replayed, so they need not wait for the batch), and the room
    //    messages, concurrently.
    const io = this.#io;
    const [messages] = await Promise.all([
      buildRoomMessages(pool, events),
      // Keys the fast path already pushed at this version or later need nothing more.
      this.#computeAll([...touched.values()].filter((t) => t.w.lastPushedVersion < t.eventId), (touch, entry) => {
        if (!this.#closed) this.#pushSlots(io, touch, entry);
      }),
    ]);
    if (this.#closed) return;

    // 3. Emit the room messages synchronously, then advance: a replay sees none or all of them.
    for (const m of messages) {
      if (io) emitMessage(io, m);
      metrics.roomMessages.inc({ event: m.name });
      this.#ring.push(m);
    }
    this.#trimRing();
    this.lastId = rows[rows.length - 1].id;
    const pushedAt = performance.now();
    for (const ev of events) {
      metrics.relayEvents.inc({ kind: ev.kind });
      metrics.relayLag.observe((ev.ageMs + (pushedAt - readAt)) / 1000);
    }
    metrics.relayBatchDuration.observe((pushedAt - started) / 1000);
    for (const w of this.#waiters) if (this.lastId >= w.id) w.resolve(true);
  }

  async #computeAll(touches: Touch[], done: (touch: Touch, entry: DayEntry | null) => void): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < touches.length) {
        const touch = touches[next++];
        let entry: DayEntry | null;
        try {
          entry = (await this.#o.slots.day(touch.w.key)).entry;
        } catch (err) {
          // The stylist stopped offering the service, or left: watchers see an empty day.
          if (err instanceof AppError && err.code === 'NOT_FOUND') entry = null;
          else if (err instanceof RangeError) {
            // Data the engine cannot read (a zone Postgres accepts but ICU does not, say): one bad
            // day must not stall every other event. Its watchers keep their last answer.
            this.#o.log.error({ err: err.message, key: touch.w.keyString }, 'watched day cannot be computed; skipped');
            continue;
          } else throw err;
        }
        done(touch, entry);
      }
    };
    await Promise.all(Array.from({ length: Math.min(COMPUTE_CONCURRENCY, touches.length) }, worker));
  }

  /** One key's fresh answer to each of its zone rooms: computed once, rendered once per zone. */
  #pushSlots(io: IoServer | null, touch: Touch, entry: DayEntry | null): void {
    const { watches, metrics, slots } = this.#o;
    const w = watches.get(touch.w.keyString);
    if (!w) return;
    const version = entry ? entry.version : touch.eventId;
    // Pushes of one key never go backwards, nor repeat a version (the fast path and the batch may
    // both compute a key; whichever is first pushes it).
    if (version <= w.lastPushedVersion) return;
    w.lastPushedVersion = version;
    const now = slots.now();
    for (const zone of w.zones.keys()) {
      const rendered = entry ? render(entry, zone, now).slots : [];
      io?.to(watchRoom(w.keyString, zone)).emit('slots:update', {
        stylistId: w.key.stylistId, serviceId: w.key.serviceId, date: w.key.date, version, slots: rendered, reason: touch.reason,
      });
      metrics.slotUpdates.inc({ reason: touch.reason });
    }
  }

  #trimRing(): void {
    const excess = this.#ring.length - this.#o.ringSize;
    if (excess <= 0) return;
    let cut = excess;
    // Never split one event's messages: the floor is an event boundary.
    while (cut < this.#ring.length && this.#ring[cut].eventId === this.#ring[cut - 1].eventId) cut++;
    this.#ringFloor = this.#ring[cut - 1].eventId;
    this.#ring.splice(0, cut);
  }

  // ── replay ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends `target` the messages it may see after `from`, in order, then joins it to its rooms with
   * no gap and no duplicate: history comes from the events table up to what this relay has
   * processed, the last stretch (events relayed while reading) from the in-memory ring, and the
   * join happens synchronously after it, so every later event reaches the socket through its rooms.
   * Only the event kinds its rooms may receive are read (replayScopeOf), customer context is built
   * only for the bookings it may receive, and at most `maxEvents` events are replayed: a client
   * that missed more gets `too_many` before anything is sent. Returns a resync reason when the
   * replay is impossible (the caller joins and sends `resync`).
   */
  async replay(from: number, target: ReplayTarget, maxEvents: number): Promise<ResyncReason | null> {
    await this.#baseline;
    if (this.#closed) return 'behind';
    const { rows } = await this.#o.pool.query<{ pruned_through: number; max_id: number }>(
      `select pruned_through, greatest(pruned_through, (select coalesce(max(id), 0) from events)) as max_id from events_retention`);
    const pruned = Number(rows[0]?.pruned_through ?? 0);
    if (from < pruned) return 'pruned';
    if (from > Number(rows[0]?.max_id ?? 0)) return 'unknown_event';
    // The client saw an event this process has not relayed yet (it came from another process).
    if (from > this.lastId! && !(await this.waitFor(from, 10_000))) return 'behind';

    const scope = replayScopeOf(target.rooms);
    const visible = (m: RoomMessage) => m.rooms.some((r) => target.rooms.has(r));
    const { metrics, pool, batchSize } = this.#o;
    let cursor = from;
    /** Events counted against maxEvents so far (rows read, each at most one message). */
    let counted = 0;
    for (let round = 0; round < 50; round++) {
      if (!target.connected || this.#closed) return null;
      if (this.#ringFloor <= cursor) {
        const last = this.#ring.filter((m) => m.eventId > cursor && visible(m));
        if (counted + new Set(last.map((m) => m.eventId)).size > maxEvents) return 'too_many';
        for (const m of last) target.send(m);
        target.join();
        return null;
      }
      // Read everything of this round first (at most one more row than the budget), so a client
      // beyond the cap is told before it is sent anything.
      const through = this.lastId!;
      const events: RelayEvent[] = [];
      let read = 0;
      for (let at = cursor; at < through;) {
        const limit = Math.min(batchSize, maxEvents - counted - read + 1);
        const batch = await readReplayEvents(pool, scope, at, through, limit);
        read += batch.length;
        metrics.replayEventRows.inc(batch.length);
        if (counted + read > maxEvents) return 'too_many';
        for (const row of batch) {
          const p = parseEventRow(row);
          if (p.ok) events.push(p.event);
        }
        if (batch.length < limit) break;
        at = batch[batch.length - 1].id;
      }
      counted += read;
      for (let i = 0; i < events.length; i += batchSize) {
        const chunk = events.slice(i, i + batchSize);
        metrics.replayBookings.inc(new Set(chunk.flatMap((e) => (e.kind === 'booking.created' || e.kind === 'booking.updated' ? [e.entityId] : []))).size);
        const messages = await buildRoomMessages(pool, chunk);
        if (!target.connected) return null;
        for (const m of messages) if (visible(m)) target.send(m);
      }
      cursor = through;
    }
    return 'behind';
  }

  #timer(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
    return t;
  }
}

const scopeOf = (e: SlotEffect) => `${e.stylistId}|${e.dates?.join(',') ?? '*'}`;

export function emitMessage(io: IoServer, m: RoomMessage): void {
  emitRoomMessage(io.to(m.rooms), m);
}
