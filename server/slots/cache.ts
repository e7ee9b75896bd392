import { LRUCache } from 'lru-cache';

export interface DayKey {
  stylistId: string;
  serviceId: string;
  date: string;
}

export interface CachedDay {
  /**
   * Approximate bytes held by this entry, for the byte bound. It may grow after the entry is stored
   * (a memo filled on use): `recharge` then brings the cache's count up to date.
   */
  bytes: number;
  /** Epoch ms after which the entry must not be served (the earliest hold expiry), or Infinity. */
  expiresAtMs: number;
}

export interface SlotCacheOptions<V extends CachedDay> {
  maxBytes: number;
  ttlMs: number;
  load: (key: DayKey, signal: AbortSignal) => Promise<V>;
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  invalidations: number;
  /** Entries stored ahead of any read (SlotCache.fill: the prefill). */
  filled: number;
}

export type Lookup<V> = { value: V; hit: boolean };

class LoadFailed extends Error {
  constructor(cause: unknown) {
    super('slot day load failed', { cause });
  }
}

/** Stylists whose latest invalidation is remembered for `fill` (far more than a salon has). */
const MAX_STYLIST_EPOCHS = 100_000;

/** `stylist|service|date`: the cache's key, and the identity of a watch (server/realtime). */
export const dayKeyString = (k: DayKey) => `${k.stylistId}|${k.serviceId}|${k.date}`;

/**
 * The in-process slot cache: an LRU bounded in bytes, keyed by (stylist, service, local date).
 * Concurrent misses for one key share one load (lru-cache's fetchMethod). Invalidating a key while
 * its load is in flight aborts that load, so a computation that began before an invalidation is
 * never stored after it; callers waiting on it load again.
 */
export class SlotCache<V extends CachedDay> {
  readonly stats: CacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0, filled: 0 };
  #lru: LRUCache<string, V, DayKey>;
  /** stylistId → keys cached or loading for that stylist, so invalidation needs no scan. */
  #byStylist = new Map<string, Set<string>>();
  #now: () => number;
  #ttlMs: number;
  #load: SlotCacheOptions<V>['load'];
  #maxBytes: number;
  /** Loads in flight by key (a fill leaves those keys to them); an aborted load may overlap its successor. */
  #loading = new Map<string, number>();
  /**
   * Invalidations so far (the epoch), and the epoch of each stylist's latest one and of the latest
   * one of every stylist (dates salon-wide, or all): a fill computed from rows read at an earlier
   * epoch is not stored if an invalidation of its stylist has come since.
   */
  #epoch = 0;
  #stylistEpochs = new Map<string, number>();
  #everyStylistEpoch = 0;

  constructor(opts: SlotCacheOptions<V>) {
    this.#load = opts.load;
    this.#now = opts.now ?? Date.now;
    this.#ttlMs = opts.ttlMs;
    this.#maxBytes = opts.maxBytes;
    this.#lru = new LRUCache<string, V, DayKey>({
      maxSize: opts.maxBytes,
      sizeCalculation: (v) => Math.max(1, v.bytes),
      ttl: opts.ttlMs,
      ttlAutopurge: false,
      // Entry lifetimes follow the injected clock (tests fake it).
      perf: { now: () => this.#now() },
      ttlResolution: 0,
      // A TTL'd entry is checked on get; never hand out an expired list while reloading.
      allowStale: false,
      noDeleteOnFetchRejection: false,
      fetchMethod: async (key, _stale, { signal, options, context }) => {
        this.#index(context.stylistId, key);
        this.#loading.set(key, (this.#loading.get(key) ?? 0) + 1);
        let value: V;
        try {
          value = await opts.load(context, signal);
        } catch (err) {
          // Marks the loader's own failure, so callers can tell it from an abort (see get).
          throw new LoadFailed(err);
        } finally {
          const n = (this.#loading.get(key) ?? 1) - 1;
          if (n > 0) this.#loading.set(key, n);
          else this.#loading.delete(key);
        }
        options.ttl = this.#ttlOf(value);
        return value;
      },
      dispose: (_v, key, reason) => {
        if (reason === 'evict') this.stats.evictions++;
        const stylistId = key.slice(0, key.indexOf('|'));
        this.#byStylist.get(stylistId)?.delete(key);
      },
    });
  }

  /** The day's entry if it is cached (counted as a hit), without waiting on a load; else undefined. */
  peek(key: DayKey): V | undefined {
    const v = this.#lru.get(dayKeyString(key));
    if (v !== undefined) this.stats.hits++;
    return v;
  }

  /** The day's entry: from the cache, or loaded once however many callers ask at the same time. */
  async get(key: DayKey): Promise<Lookup<V>> {
    const k = dayKeyString(key);
    const cached = this.#lru.get(k);
    if (cached !== undefined) {
      this.stats.hits++;
      return { value: cached, hit: true };
    }
    this.stats.misses++;
    // An invalidation during the load aborts it and fetch resolves undefined: load again, since the
    // caller must see the state after that invalidation.
    // Every caller sharing an aborted load sees it reject (or resolve undefined); only the loader's
    // own failure is an error to pass on.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const v = await this.#lru.fetch(k, { context: key });
        if (v !== undefined) return { value: v, hit: false };
      } catch (err) {
        if (err instanceof LoadFailed) throw err.cause;
      }
    }
    const controller = new AbortController();
    return { value: await this.#load(key, controller.signal), hit: false };
  }

  /**
   * Charges `value` at its current `bytes` if it is still the cached entry of `key` (an entry whose
   * memo grew since it was stored): keeps its remaining TTL, makes it the most recently used, and
   * evicts others if the bound is now exceeded. Anything else (evicted, replaced, loading) is left.
   */
  recharge(key: DayKey, value: V): void {
    const k = dayKeyString(key);
    if (this.#lru.peek(k) !== value) return;
    // lru-cache re-sizes an entry only when a different value is set: take it out and put it back.
    const ttl = this.#lru.getRemainingTTL(k);
    if (!(ttl > 0)) return;
    this.#lru.delete(k);
    this.#index(key.stylistId, k);
    this.#lru.set(k, value, { ttl: Number.isFinite(ttl) ? ttl : this.#ttlMs });
    // A value larger than the whole bound is not stored: take it out of the index again.
    if (!this.#lru.has(k)) this.#byStylist.get(key.stylistId)?.delete(k);
  }

  /** The current invalidation epoch: pass it to `fill` for rows read from now on. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Stores a day computed ahead of any read (the prefill), from rows read at `epoch` or later: not
   * if an invalidation of its stylist came since (the rows may predate it), if the key is already
   * cached or loading (that value is at least as fresh), or if it would take the cache past its
   * bound, or past `limitBytes` when given (a fill never evicts). Returns whether it was stored.
   */
  fill(key: DayKey, value: V, epoch: number, limitBytes = this.#maxBytes): boolean {
    const room = Math.min(limitBytes, this.#maxBytes) - this.#lru.calculatedSize;
    if (!this.fillable(key, epoch) || Math.max(1, value.bytes) > room) return false;
    const k = dayKeyString(key);
    const ttl = this.#ttlOf(value);
    this.#index(key.stylistId, k);
    this.#lru.set(k, value, { ttl });
    this.stats.filled++;
    return true;
  }

  /** Whether `fill` would store a day of `key` from rows read at `epoch` (room aside): so a filler computes only those. */
  fillable(key: DayKey, epoch: number): boolean {
    if (this.#everyStylistEpoch > epoch || (this.#stylistEpochs.get(key.stylistId) ?? 0) > epoch) return false;
    const k = dayKeyString(key);
    return !this.#loading.has(k) && !this.#lru.has(k);
  }

  /** Drops the entries of one stylist, for the given local dates or, with null, every date. */
  invalidate(stylistId: string, dates: readonly string[] | null): number {
    this.#epoch++;
    // Bounded by the stylists that exist; past a salon's worth, every stylist is treated as invalidated now.
    if (this.#stylistEpochs.size >= MAX_STYLIST_EPOCHS) {
      this.#stylistEpochs.clear();
      this.#everyStylistEpoch = this.#epoch;
    }
    this.#stylistEpochs.set(stylistId, this.#epoch);
    const keys = this.#byStylist.get(stylistId);
    if (!keys) return 0;
    const wanted = dates ? new Set(dates) : null;
    let n = 0;
    for (const k of [...keys]) {
      if (wanted && !wanted.has(k.slice(k.lastIndexOf('|') + 1))) continue;
      keys.delete(k);
      if (this.#lru.delete(k)) n++;
    }
    if (keys.size === 0) this.#byStylist.delete(stylistId);
    this.stats.invalidations += n;
    return n;
  }

  /** Drops the entries of every stylist for these local dates (a salon-wide override). */
  invalidateDates(dates: readonly string[]): number {
    this.#everyStylistEpoch = ++this.#epoch;
    const wanted = new Set(dates);
    let n = 0;
    for (const [stylistId, keys] of [...this.#byStylist]) {
      for (const k of [...keys]) {
        if (!wanted.has(k.slice(k.lastIndexOf('|') + 1))) continue;
        keys.delete(k);
        if (this.#lru.delete(k)) n++;
      }
      if (keys.size === 0) this.#byStylist.delete(stylistId);
    }
    this.stats.invalidations += n;
    return n;
  }

  /** Drops every entry (the listener reconnecting after a gap). */
  invalidateAll(): number {
    this.#everyStylistEpoch = ++this.#epoch;
    const n = this.#lru.size;
    this.#lru.clear();
    this.#byStylist.clear();
    this.stats.invalidations += n;
    return n;
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** An entry lives until the safety TTL or the first hold in it expires, whichever is first. */
  #ttlOf(value: V): number {
    return Math.max(1, Math.min(this.#ttlMs, value.expiresAtMs - this.#now()));
  }

  #index(stylistId: string, key: string): void {
    let set = this.#byStylist.get(stylistId);
    if (!set) this.#byStylist.set(stylistId, (set = new Set()));
    set.add(key);
  }
}
