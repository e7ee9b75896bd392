// Background upkeep every process runs (each is cheap and safe to run concurrently):
// - the hold sweeper deletes expired holds, so expiry becomes a `hold.deleted` event that reaches
//   every watcher (the cache entry's own TTL already ends at the earliest hold expiry for REST);
// - the pruner deletes events older than the retention (clients further behind get `resync`), and
//   hold series (sql/000008) whose renewal window has ended.
import type { Logger } from 'pino';
import type pg from 'pg';
import { withTransaction, type Pool } from '../db/pool.ts';
import type { Metrics } from '../metrics.ts';

export interface MaintenanceOptions {
  pool: Pool;
  log: Logger;
  metrics: Metrics;
  /** Longest wait between sweeps; holds created elsewhere are usually known earlier (events). */
  sweepIntervalMs: number;
  retentionMs: number;
  pruneIntervalMs: number;
}

const SWEEP_LIMIT = 500;
/** Bound of one prune (a statement and client-side timeout of its own). */
const PRUNE_TIMEOUT_MS = 5 * 60_000;
/** Sweep a little after the expiry instant, so a sweep at the exact millisecond is not wasted. */
const SWEEP_MARGIN_MS = 20;

export class Maintenance {
  #o: MaintenanceOptions;
  #sweepTimer: NodeJS.Timeout | null = null;
  #sweepAt = Infinity;
  #sweeping: Promise<void> | null = null;
  #pruneTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(opts: MaintenanceOptions) {
    this.#o = opts;
  }

  start(): void {
    this.#schedule(0);
    this.#pruneTimer = setInterval(() => void this.prune(), this.#o.pruneIntervalMs);
    this.#pruneTimer.unref();
    void this.prune();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer) clearTimeout(this.#sweepTimer);
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.#sweeping?.catch(() => undefined);
  }

  /** A hold expires at this instant (from a `hold.created` event): sweep then if that is sooner. */
  noteExpiry(expiresAtMs: number): void {
    if (!Number.isFinite(expiresAtMs)) return;
    this.#schedule(Math.max(0, expiresAtMs - Date.now()) + SWEEP_MARGIN_MS);
  }

  /**
   * Deletes expired holds now; resolves with how many this process deleted. Expiry is judged by the
   * database's clock, or by `atMs` when given (a test's fake clock, the one that wrote the expiries).
   */
  async sweep(atMs?: number): Promise<number> {
    if (this.#sweeping) await this.#sweeping.catch(() => undefined);
    let deleted = 0;
    const run = (async () => {
      let nextDelay = this.#o.sweepIntervalMs;
      try {
        for (;;) {
          const { rows } = await this.#o.pool.query<{ n: number; next_in_ms: number | null }>(
            `select kb_sweep_expired_holds($1, coalesce($2::timestamptz, now())) as n,
                    (select (extract(epoch from min(expires_at) - now()) * 1000)::float8 from holds where expires_at > now()) as next_in_ms`,
            [SWEEP_LIMIT, atMs === undefined ? null : new Date(atMs)],
          );
          deleted += rows[0].n;
          if (rows[0].n < SWEEP_LIMIT) {
            if (rows[0].next_in_ms !== null) nextDelay = Math.min(nextDelay, rows[0].next_in_ms + SWEEP_MARGIN_MS);
            break;
          }
        }
        if (deleted) this.#o.metrics.holdsExpired.inc(deleted);
      } catch (err) {
        this.#o.log.warn({ err: (err as Error).message }, 'hold sweep failed; will retry');
      } finally {
        if (!this.#closed) this.#schedule(Math.max(0, nextDelay));
      }
    })();
    this.#sweeping = run;
    await run;
    if (this.#sweeping === run) this.#sweeping = null;
    return deleted;
  }

  /**
   * Deletes events older than the retention, and hold series whose renewal window has ended;
   * resolves with the number of events deleted by this process.
   */
  async prune(): Promise<number> {
    try {
      // Bounded batches (an index range scan on ends_at), SKIP LOCKED so processes split the work.
      for (let i = 0; i < 100; i++) {
        const { rowCount } = await this.#o.pool.query(
          `delete from hold_series where ctid = any(array(
             select ctid from hold_series where ends_at <= now() order by ends_at limit 5000 for update skip locked))`,
        );
        if ((rowCount ?? 0) < 5000) break;
      }
      // A backlog of old events can take longer than a request's PG_STATEMENT_TIMEOUT_MS to delete:
      // the prune has its own, longer bound instead.
      const { rows } = await withTransaction(this.#o.pool, async (c) => {
        await c.query(`set local statement_timeout = ${PRUNE_TIMEOUT_MS}`);
        return c.query<{ n: number }>({
          text: 'select kb_prune_events(make_interval(secs => $1)) as n',
          values: [this.#o.retentionMs / 1000],
          query_timeout: PRUNE_TIMEOUT_MS + 5000,
        } as pg.QueryConfig);
      });
      const n = Number(rows[0].n);
      if (n) {
        this.#o.metrics.eventsPruned.inc(n);
        this.#o.log.info({ deleted: n }, 'old events pruned');
      }
      return n;
    } catch (err) {
      if (!this.#closed) this.#o.log.warn({ err: (err as Error).message }, 'event pruning failed; will retry');
      return 0;
    }
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    const at = Date.now() + delayMs;
    if (at >= this.#sweepAt) return;
    if (this.#sweepTimer) clearTimeout(this.#sweepTimer);
    this.#sweepAt = at;
    this.#sweepTimer = setTimeout(
      () => {
        this.#sweepTimer = null;
        this.#sweepAt = Infinity;
        void this.sweep();
      },
      Math.min(delayMs, 2 ** 31 - 1),
    );
    this.#sweepTimer.unref();
  }
}
