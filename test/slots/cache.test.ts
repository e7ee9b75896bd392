import { describe, expect, it } from 'vitest';
import { SlotCache, type CachedDay, type DayKey } from '../../server/slots/cache.ts';

interface V extends CachedDay {
  n: number;
  key: DayKey;
}

/** A cache whose loads resolve when the test says so, counting how many ran. */
function harness(opts: { maxBytes?: number; ttlMs?: number; bytes?: number; expiresAtMs?: number } = {}) {
  let clock = 1_000_000;
  let loads = 0;
  const pending: { key: DayKey; resolve: (v: V) => void; signal: AbortSignal }[] = [];
  const cache = new SlotCache<V>({
    maxBytes: opts.maxBytes ?? 1_000_000,
    ttlMs: opts.ttlMs ?? 300_000,
    now: () => clock,
    load: (key, signal) => {
      loads++;
      const n = loads;
      return new Promise<V>((resolve) =>
        pending.push({
          key,
          signal,
          resolve: () => resolve({ n, key, bytes: opts.bytes ?? 100, expiresAtMs: opts.expiresAtMs ?? Infinity }),
        }),
      );
    },
  });
  const settle = async () => {
    // Let fetch() reach the loader, then resolve everything pending.
    for (let i = 0; i < 5 && pending.length === 0; i++) await Promise.resolve();
    while (pending.length) pending.shift()!.resolve(undefined as never);
    await new Promise((r) => setImmediate(r));
  };
  return { cache, pending, settle, loads: () => loads, advance: (ms: number) => (clock += ms) };
}

const key = (date = '2027-01-01', stylistId = 's1', serviceId = 'x'): DayKey => ({ stylistId, serviceId, date });

describe('SlotCache', () => {
  it('misses, then hits without loading again', async () => {
    const h = harness();
    const first = h.cache.get(key());
    await h.settle();
    expect(await first).toMatchObject({ hit: false, value: { n: 1 } });
    expect(await h.cache.get(key())).toMatchObject({ hit: true, value: { n: 1 } });
    expect(h.loads()).toBe(1);
    expect(h.cache.stats).toMatchObject({ hits: 1, misses: 1 });
  });

  it('coalesces concurrent misses for one key into one load', async () => {
    const h = harness();
    const all = Promise.all(Array.from({ length: 20 }, () => h.cache.get(key())));
    await h.settle();
    const results = await all;
    expect(h.loads()).toBe(1);
    expect(new Set(results.map((r) => r.value.n))).toEqual(new Set([1]));
  });

  it('invalidates by stylist and dates, leaving other dates and stylists cached', async () => {
    const h = harness();
    const gets = [key('2027-01-01'), key('2027-01-02'), key('2027-01-01', 's2')].map((k) => h.cache.get(k));
    await h.settle();
    await Promise.all(gets);
    expect(h.cache.invalidate('s1', ['2027-01-01'])).toBe(1);
    const again = h.cache.get(key('2027-01-01'));
    await h.settle();
    expect((await again).hit).toBe(false);
    expect((await h.cache.get(key('2027-01-02'))).hit).toBe(true);
    expect((await h.cache.get(key('2027-01-01', 's2'))).hit).toBe(true);
    expect(h.cache.invalidate('s1', null)).toBe(2);
    expect(h.cache.size).toBe(1);
  });

  it('invalidates some dates of every stylist (a salon-wide override), leaving other dates cached', async () => {
    const h = harness();
    const gets = [key('2027-01-01'), key('2027-01-02'), key('2027-01-01', 's2'), key('2027-01-03', 's2')].map((k) => h.cache.get(k));
    await h.settle();
    await Promise.all(gets);
    expect(h.cache.invalidateDates(['2027-01-01', '2027-01-03'])).toBe(3);
    expect(h.cache.size).toBe(1);
    expect((await h.cache.get(key('2027-01-02'))).hit).toBe(true);
    const again = h.cache.get(key('2027-01-01', 's2'));
    await h.settle();
    expect((await again).hit).toBe(false);
    // A load in flight for a named date is aborted like any invalidated one.
    const loading = h.cache.get(key('2027-01-04'));
    for (let i = 0; i < 5 && h.pending.length === 0; i++) await Promise.resolve();
    const stale = h.pending.shift()!;
    const staleLoad = h.loads();
    h.cache.invalidateDates(['2027-01-04']);
    expect(stale.signal.aborted).toBe(true);
    stale.resolve(undefined as never);
    await h.settle();
    expect((await loading).value.n).toBeGreaterThan(staleLoad); // a load begun after the invalidation
    expect((await h.cache.get(key('2027-01-02'))).hit).toBe(true);
  });

  it('never stores a load that began before an invalidation; waiting callers get a fresh load', async () => {
    const h = harness();
    const before = h.cache.get(key());
    for (let i = 0; i < 5 && h.pending.length === 0; i++) await Promise.resolve();
    expect(h.pending).toHaveLength(1);
    const stale = h.pending[0];
    h.cache.invalidate('s1', ['2027-01-01']);
    expect(stale.signal.aborted).toBe(true);
    stale.resolve(undefined as never); // the old load completes after the invalidation
    h.pending.shift();
    await h.settle();
    const result = await before;
    expect(result.value.n).toBe(2); // the caller got a load that started after the invalidation
    expect((await h.cache.get(key())).value.n).toBe(2); // and that is what the cache holds
  });

  it('invalidateAll aborts in-flight loads too', async () => {
    const h = harness();
    const p = h.cache.get(key());
    for (let i = 0; i < 5 && h.pending.length === 0; i++) await Promise.resolve();
    const stale = h.pending.shift()!;
    h.cache.invalidateAll();
    stale.resolve(undefined as never);
    await h.settle();
    expect((await p).value.n).toBe(2);
  });

  it('stays within its byte bound by evicting the least recently used', async () => {
    const h = harness({ maxBytes: 1000, bytes: 300 });
    for (let d = 1; d <= 5; d++) {
      const p = h.cache.get(key(`2027-01-0${d}`));
      await h.settle();
      await p;
      expect(h.cache.bytes).toBeLessThanOrEqual(1000);
    }
    expect(h.cache.size).toBe(3);
    expect(h.cache.stats.evictions).toBe(2);
    expect((await h.cache.get(key('2027-01-05'))).hit).toBe(true);
  });

  it('charges an entry that grew after it was stored, keeping its TTL and the index', async () => {
    const h = harness({ maxBytes: 1000, bytes: 300, ttlMs: 60_000 });
    const load = async (d: string) => {
      const p = h.cache.get(key(d));
      await h.settle();
      return (await p).value;
    };
    const a = await load('2027-01-01');
    await load('2027-01-02');
    expect(h.cache.bytes).toBe(600);
    h.advance(30_000);
    // The first entry's memo grew: charged now, it is the most recent, and the other one goes.
    a.bytes = 800;
    h.cache.recharge(key('2027-01-01'), a);
    expect([h.cache.bytes, h.cache.size, h.cache.stats.evictions]).toEqual([800, 1, 1]);
    expect((await h.cache.get(key('2027-01-01'))).value).toBe(a);
    // A value that is not the cached one is left alone.
    h.cache.recharge(key('2027-01-02'), { ...a, bytes: 10 });
    expect(h.cache.size).toBe(1);
    // Still invalidated through the stylist index, and still expiring at its first TTL.
    expect(h.cache.invalidate('s1', ['2027-01-01'])).toBe(1);
    const again = await load('2027-01-01');
    h.advance(30_000);
    again.bytes = 400;
    h.cache.recharge(key('2027-01-01'), again);
    h.advance(29_000);
    expect((await h.cache.get(key('2027-01-01'))).hit).toBe(true);
    h.advance(2_000);
    const late = h.cache.get(key('2027-01-01'));
    await h.settle();
    expect((await late).hit).toBe(false);
  });

  it('expires an entry at its earliest hold expiry, before the safety TTL', async () => {
    const h = harness({ ttlMs: 300_000, expiresAtMs: 1_000_000 + 60_000 });
    const p = h.cache.get(key());
    await h.settle();
    await p;
    h.advance(59_000);
    expect((await h.cache.get(key())).hit).toBe(true);
    h.advance(2_000);
    const after = h.cache.get(key());
    await h.settle();
    expect((await after).hit).toBe(false);
  });

  it('expires an entry after the safety TTL', async () => {
    const h = harness({ ttlMs: 10_000 });
    const p = h.cache.get(key());
    await h.settle();
    await p;
    h.advance(10_001);
    const after = h.cache.get(key());
    await h.settle();
    expect((await after).hit).toBe(false);
  });
});

describe('SlotCache, loads shared and failing', () => {
  it('every caller sharing a load that an invalidation aborts gets a fresh load, not an error', async () => {
    const h = harness();
    const callers = Array.from({ length: 5 }, () => h.cache.get(key()));
    for (let i = 0; i < 5 && h.pending.length === 0; i++) await Promise.resolve();
    const stale = h.pending.shift()!;
    h.cache.invalidate('s1', null);
    stale.resolve(undefined as never);
    await h.settle();
    const results = await Promise.all(callers);
    expect(results.map((r) => r.value.n)).toEqual([2, 2, 2, 2, 2]);
  });

  it('passes the loader’s own error to every caller and caches nothing', async () => {
    let calls = 0;
    const cache = new SlotCache<V>({
      maxBytes: 10_000,
      ttlMs: 1000,
      load: async () => {
        calls++;
        throw new Error('no such stylist');
      },
    });
    const results = await Promise.allSettled([cache.get(key()), cache.get(key())]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual([
      'no such stylist',
      'no such stylist',
    ]);
    expect(calls).toBe(1);
    expect(cache.size).toBe(0);
  });
});

describe('SlotCache.fill (the prefill)', () => {
  const value = (n: number, bytes = 100, expiresAtMs = Infinity): V => ({ n, key: key(), bytes, expiresAtMs });

  it('stores a day read before any invalidation of its stylist, and not one read before such an invalidation', () => {
    const h = harness();
    const epoch = h.cache.epoch;
    expect(h.cache.fill(key('2027-01-01'), value(1), epoch)).toBe(true);
    h.cache.invalidate('s1', ['2027-01-09']);
    // Rows read at `epoch` may predate that write: no day of s1 from them, whatever its date.
    expect(h.cache.fill(key('2027-01-02'), value(2), epoch)).toBe(false);
    expect(h.cache.fill(key('2027-01-02', 's2'), value(3), epoch)).toBe(true);
    // A salon-wide invalidation refuses every stylist's days read before it.
    const later = h.cache.epoch;
    h.cache.invalidateDates(['2027-01-09']);
    expect(h.cache.fill(key('2027-01-03', 's3'), value(4), later)).toBe(false);
    expect(h.cache.fill(key('2027-01-03', 's3'), value(5), h.cache.epoch)).toBe(true);
    expect(h.cache.stats.filled).toBe(3);
    expect(h.cache.size).toBe(3);
    // A filled entry is found and invalidated like a loaded one.
    expect(h.cache.peek(key('2027-01-01'))?.n).toBe(1);
    expect(h.cache.invalidate('s1', null)).toBe(1);
  });

  it('leaves a cached or loading key alone, never evicts, and expires a filled day like a loaded one', async () => {
    const h = harness({ maxBytes: 1000, bytes: 300, ttlMs: 60_000 });
    const loading = h.cache.get(key('2027-01-01'));
    for (let i = 0; i < 5 && h.pending.length === 0; i++) await Promise.resolve();
    expect(h.cache.fill(key('2027-01-01'), value(9, 300), h.cache.epoch)).toBe(false);
    await h.settle();
    expect((await loading).value.n).toBe(1);
    expect(h.cache.fill(key('2027-01-01'), value(9, 300), h.cache.epoch)).toBe(false);
    expect(h.cache.peek(key('2027-01-01'))?.n).toBe(1);
    // 300 held; 600 more fits the bound, the next does not, and nothing is evicted for it.
    expect(h.cache.fill(key('2027-01-02'), value(2, 300), h.cache.epoch)).toBe(true);
    expect(h.cache.fill(key('2027-01-03'), value(3, 300), h.cache.epoch, 800)).toBe(false);
    expect(h.cache.fill(key('2027-01-03'), value(3, 300), h.cache.epoch)).toBe(true);
    expect(h.cache.fill(key('2027-01-04'), value(4, 300), h.cache.epoch)).toBe(false);
    expect([h.cache.bytes, h.cache.stats.evictions]).toEqual([900, 0]);
    // A hold in the day expiring first ends the entry then, as for a load.
    const held = harness({ ttlMs: 60_000 });
    expect(held.cache.fill(key(), value(1, 100, 1_000_000 + 5_000), held.cache.epoch)).toBe(true);
    held.advance(4_000);
    expect(held.cache.peek(key())?.n).toBe(1);
    held.advance(2_000);
    expect(held.cache.peek(key())).toBeUndefined();
  });
});
