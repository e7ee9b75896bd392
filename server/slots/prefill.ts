// The slot cache's prefill: after start (and so after every restart) the days ahead of every
// active stylist are computed in the background, nearest days first, a batch of stylists × days in
// one query, up to a share of the cache's byte bound, so the first reads of a day are hits. It
// yields to requests between small slices of work and stops at the first sign the cache cannot
// take it (the share reached, the cache untrusted or switched off, the process closing).
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import { loadDays } from './load.ts';
import type { SlotService } from './service.ts';

export interface PrefillOptions {
  pool: Pool;
  slots: SlotService;
  /** Share of the cache's byte bound the prefill may fill, in (0, 1]. */
  share: number;
  log?: Logger;
  /** Stylists per query (default 25). */
  batchStylists?: number;
  /** Days per query (default 7): a batch is batchStylists × batchDays × services keys. */
  batchDays?: number;
  /** Days computed between two yields to the event loop (default 32). */
  sliceKeys?: number;
  /** With `begin`, a pass every this many ms (entries filled live until the cache's TTL); 0: none. */
  everyMs?: number;
}

export interface PrefillResult {
  /** Entries stored. */
  filled: number;
  /** Days computed but not stored (already cached or loading, invalidated meanwhile, no room). */
  skipped: number;
  queries: number;
  /** Why it stopped: every day of every horizon done, the share reached, or stopped. */
  ended: 'done' | 'share' | 'stopped';
  ms: number;
}

/** The longest horizon the schema allows (stylists.horizon_days): no pass goes further. */
const MAX_HORIZON_DAYS = 730;

/**
 * Less room left in the share than this ends a pass: more than a computed day takes (service.ts,
 * ≈ 1.8 KB + 220 B a slot: a day of 48 slots is 12.4 KB).
 */
const ROOM_BYTES = 16 * 1024;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class CachePrefill {
  readonly #o: Required<Omit<PrefillOptions, 'log'>> & { log?: Logger };
  #stopped = false;
  #running: Promise<PrefillResult> | null = null;
  /** A pass was asked for while one ran: run another when it ends. */
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #began = false;

  constructor(o: PrefillOptions) {
    if (!(o.share > 0 && o.share <= 1)) throw new Error('prefill share must be in (0, 1]');
    this.#o = { batchStylists: 25, batchDays: 7, sliceKeys: 32, everyMs: 0, ...o };
  }

  /**
   * The process's prefill: a pass now, another whenever the whole cache is emptied (the relay
   * regaining trust, a salon-wide change) and every `everyMs`. Failures are logged, never thrown.
   */
  begin(): void {
    if (this.#began) return;
    this.#began = true;
    this.#o.slots.onEmptied(() => this.#kick());
    if (this.#o.everyMs > 0) {
      this.#timer = setInterval(() => this.#kick(), this.#o.everyMs);
      this.#timer.unref();
    }
    this.#kick();
  }

  /** Starts a pass unless one is running; resolves with its result (a failed query rejects). */
  start(): Promise<PrefillResult> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = this.#pass().finally(() => {
      this.#running = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.#kick();
      }
    });
    this.#running = run;
    return run;
  }

  /** Stops the running pass at its next step (it stores nothing more), and any later one, and waits. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  #kick(): void {
    if (this.#stopped) return;
    this.start().catch((err: unknown) =>
      this.#o.log?.warn({ err: (err as Error).message }, 'slot cache prefill failed; reads load days as they come'),
    );
  }

  async #pass(): Promise<PrefillResult> {
    const { pool, slots, share, batchStylists, batchDays, sliceKeys, log } = this.#o;
    const started = performance.now();
    const limit = share * slots.cache.maxBytes;
    let filled = 0;
    let skipped = 0;
    let queries = 0;
    const result = (ended: PrefillResult['ended']): PrefillResult => {
      const r = { filled, skipped, queries, ended, ms: Math.round(performance.now() - started) };
      log?.info({ prefill: r }, `slot cache prefill: ${filled} days stored (${ended})`);
      return r;
    };
    const halted = () => this.#stopped || !slots.cacheEnabled || !slots.trusted;
    // Asked for while the cache is being emptied (SlotService.onEmptied): look once that is done.
    await turn();
    if (halted()) return result('stopped');
    const { rows } = await pool.query<{ id: string; horizon: number }>(
      'select id, horizon_days as horizon from stylists where active order by id',
    );
    const horizon = Math.min(
      MAX_HORIZON_DAYS,
      rows.reduce((m, r) => Math.max(m, r.horizon), 0),
    );
    const ids = rows.map((r) => r.id);
    const batches: { from: number; at: number }[] = [];
    for (let from = 0; from <= horizon; from += batchDays)
      for (let at = 0; at < ids.length; at += batchStylists) batches.push({ from, at });
    // Rows read from a query's start on are as new as the epoch then: an invalidation after it wins (SlotCache.fill).
    const read = ({ from, at }: (typeof batches)[number]) => {
      const epoch = slots.cache.epoch;
      return loadDays(pool, ids.slice(at, at + batchStylists), from, Math.min(horizon, from + batchDays - 1), slots.now()).then((days) => ({
        epoch,
        days,
      }));
    };
    let next = batches.length > 0 ? read(batches[0]) : null;
    // A pass left early leaves the batch being read to finish on its own.
    const leave = (ended: PrefillResult['ended']) => {
      next?.catch(() => undefined);
      return result(ended);
    };
    for (let b = 0; b < batches.length; b++) {
      if (halted()) return leave('stopped');
      if (slots.cache.bytes >= limit - ROOM_BYTES) return leave('share');
      const { epoch, days } = await next!;
      queries++;
      // The next batch is read while this one is computed: Postgres and this process work at once.
      next = b + 1 < batches.length ? read(batches[b + 1]) : null;
      for (let j = 0; j < days.length; j++) {
        if (j % sliceKeys === 0) {
          await turn();
          if (halted()) return leave('stopped');
        }
        if (slots.cache.bytes >= limit - ROOM_BYTES) return leave('share');
        if (slots.fill(days[j].key, days[j].day, epoch, limit)) filled++;
        else skipped++;
      }
    }
    return result('done');
  }
}
