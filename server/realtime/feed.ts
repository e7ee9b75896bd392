// The feed: this process's view of the outbox. Notifications (listener.ts) nudge it; it reads the
// committed events in id order from the events table (ids are assigned at commit, so `id > last`
// never skips one), hands each batch to its consumer, then advances. After a (re)connection it
// catches up from the table, so nothing committed while it was not listening is lost.
//
// It also decides trust: the slot cache is trusted only while LISTENing and after a full catch-up
// since connecting. SlotService owns the flag and what regaining it means (setTrusted); the feed
// says when, and reports it as kb_listener_up and /readyz.
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import type { Metrics } from '../metrics.ts';
import {
  MAX_EVENT_ID,
  notificationEffect,
  notificationPayload,
  parseEventRow,
  readEvents,
  type RawEventRow,
  type RelayEvent,
  type SlotEffect,
} from './events.ts';

/** The LISTEN connection as the feed drives it (listener.ts's NotificationListener). */
export interface FeedListener {
  start(): void;
  close(): Promise<void>;
}

/** What the listener tells the feed. */
export interface ListenerEvents {
  onNotification(raw: string): void;
  /** Connected and LISTENing (the first time and after every reconnection). */
  onConnected(): void;
  /** The connection was lost; reconnection attempts follow. */
  onDisconnected(): void;
}

/** What the feed delivers to. */
export interface FeedConsumer {
  /** A valid notification naming a slot effect, while trusted and before its row is read (the fast path). */
  notice(id: number, effect: SlotEffect): void;
  /** The listener connected or dropped: notices seen before vouch for nothing any more. */
  gap(): void;
  /**
   * Works on one batch of committed events, in id order (it may await); the function it resolves to
   * delivers the batch, synchronously, right before the feed advances past it.
   */
  batch(events: RelayEvent[]): Promise<() => void>;
}

/** The trust flag the feed drives (SlotService). */
export interface TrustFlag {
  readonly trusted: boolean;
  /** Returns whether the flag changed. */
  setTrusted(trusted: boolean): boolean;
}

export interface FeedOptions {
  pool: Pool;
  log: Logger;
  slots: TrustFlag;
  metrics: Pick<
    Metrics,
    'listenerUp' | 'listenerReconnects' | 'notificationsInvalid' | 'relayFailures' | 'relayEvents' | 'relayLag' | 'relayBatchDuration'
  >;
  /** Creates the LISTEN connection, reporting to `events`. */
  listen(events: ListenerEvents): FeedListener;
  consumer: FeedConsumer;
  /** Events read per query. */
  batchSize?: number;
  /** Told the starting point once it is read (events at or before it changed nothing this process holds). */
  onBaseline?(lastId: number): void;
}

export class EventFeed {
  /** Highest event id processed (and delivered) by this process; null until the baseline is read. */
  lastId: number | null = null;
  readonly #o: FeedOptions & { batchSize: number };
  readonly #listener: FeedListener;
  readonly #baseline: Promise<void>;
  #resolveBaseline!: () => void;
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<{ id: number; resolve: (ok: boolean) => void }>();

  // Trust: see the file header.
  #listening = false;
  #synced = false;
  #connectGen = 0;
  #everConnected = false;
  #failures = 0;

  // Single-flight draining.
  #running: Promise<void> | null = null;
  #again = false;

  constructor(opts: FeedOptions) {
    this.#o = { batchSize: 500, ...opts };
    this.#baseline = new Promise((r) => (this.#resolveBaseline = r));
    this.#listener = opts.listen({
      onNotification: (raw) => this.#onNotification(raw),
      onConnected: () => this.#onConnected(),
      onDisconnected: () => this.#onDisconnected(),
    });
    // Until the first catch-up, the cache cannot vouch for anything.
    opts.slots.setTrusted(false);
    opts.metrics.listenerUp.set(0);
  }

  /** Caught up and listening: the cache is trusted and /readyz is green. */
  get ready(): boolean {
    return this.#listening && this.#synced;
  }

  /** True once the starting point is known (watches and replays wait for it). */
  get started(): boolean {
    return this.lastId !== null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once the starting point is known, or at close. */
  whenStarted(): Promise<void> {
    return this.#baseline;
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

  /** Processes whatever is committed and not yet delivered. */
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
    // Fast path: the notification names what changed, so the consumer may act now; the batch that
    // reads the row follows. Only while trusted (during a catch-up the batch does everything, in order).
    if (this.ready) {
      const effect = notificationEffect(n.data);
      if (effect) this.#o.consumer.notice(n.data.id, effect);
    }
    void this.#requestDrain();
  }

  #onConnected(): void {
    this.#o.consumer.gap();
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
    this.#o.consumer.gap();
    this.#listening = false;
    this.#synced = false;
    this.#updateTrust();
  }

  #updateTrust(): void {
    const trusted = this.ready;
    const { slots, metrics, log } = this.#o;
    // Regaining trust drops every entry (SlotService.setTrusted): entries and loads in flight from
    // before the gap may predate events never seen as notifications.
    if (slots.setTrusted(trusted)) {
      if (trusted) log.info({ lastEventId: this.lastId }, 'relay caught up; slot cache trusted');
      else log.warn('slot cache not trusted until the relay catches up');
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
        this.#o.onBaseline?.(this.lastId);
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
    const { log, metrics } = this.#o;
    const events: RelayEvent[] = [];
    for (const row of rows) {
      const p = parseEventRow(row);
      if (p.ok) events.push(p.event);
      else log.error({ eventId: row.id, kind: row.kind, error: p.error }, 'malformed event row skipped');
    }
    const deliver = await this.#o.consumer.batch(events);
    if (this.#closed) return;
    // Deliver synchronously, then advance: a replay sees none or all of a batch.
    deliver();
    this.lastId = rows[rows.length - 1].id;
    const pushedAt = performance.now();
    for (const ev of events) {
      metrics.relayEvents.inc({ kind: ev.kind });
      metrics.relayLag.observe((ev.ageMs + (pushedAt - readAt)) / 1000);
    }
    metrics.relayBatchDuration.observe((pushedAt - started) / 1000);
    for (const w of this.#waiters) if (this.lastId >= w.id) w.resolve(true);
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
