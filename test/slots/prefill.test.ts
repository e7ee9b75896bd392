// The slot cache's prefill (server/slots/prefill.ts) on the real Postgres: it stores exactly the
// days ahead of every active stylist, for each service offered, as a read would compute them; it
// stays within its share of the bound and never evicts; requests are answered while it runs; and
// with CACHE_PREFILL on, the app's first read of a day is a hit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLocalDays } from '../../server/slots/engine.ts';
import { CachePrefill } from '../../server/slots/prefill.ts';
import { render, SlotService } from '../../server/slots/service.ts';
import type { Pool } from '../../server/db/pool.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking, type StylistFixture } from '../setup/factories.ts';
import { startTestServer } from '../setup/server.ts';

// 2027-03-01T00:00Z: Kathmandu's local date is 2027-03-01, New York's still 2027-02-28.
const NOW = Date.parse('2027-03-01T00:00:00Z');
let db: TestDb;
let cut: { id: string };
let colour: { id: string };
let ktm: StylistFixture;
let nyc: StylistFixture;
let retired: StylistFixture;

beforeAll(async () => {
  db = await freshDatabase();
  cut = await createService(db.pool, { durationMinutes: 45 });
  colour = await createService(db.pool, { durationMinutes: 90 });
  ktm = await createStylist(db.pool, { timezone: 'Asia/Kathmandu', horizonDays: 6, serviceIds: [cut.id, colour.id] });
  nyc = await createStylist(db.pool, { timezone: 'America/New_York', horizonDays: 3, serviceIds: [cut.id] });
  retired = await createStylist(db.pool, { timezone: 'Europe/London', horizonDays: 5, serviceIds: [cut.id] });
  await db.pool.query('update stylists set active = false where id = $1', [retired.id]);
  const customer = await createUser(db.pool);
  await insertBooking(db.pool, { customerId: customer.id, stylistId: ktm.id, serviceId: cut.id, startUtc: '2027-03-03T04:15:00Z' });
});
afterAll(async () => {
  await db?.drop();
});

const service = (maxBytes = 50_000_000) =>
  new SlotService({ pool: db.pool, cacheEnabled: true, cacheMaxBytes: maxBytes, cacheTtlMs: 600_000, now: () => NOW });

/** Every (stylist, service, date) from the stylist's local today to today + horizon. */
function expectedKeys(): string[] {
  const keys: string[] = [];
  const add = (s: StylistFixture, today: string, horizon: number, services: string[]) => {
    for (let d = 0; d <= horizon; d++) for (const sv of services) keys.push(`${s.id}|${sv}|${addLocalDays(today, d)}`);
  };
  add(ktm, '2027-03-01', 6, [cut.id, colour.id]);
  add(nyc, '2027-02-28', 3, [cut.id]);
  return keys.sort();
}

describe('slot cache prefill', () => {
  it('stores every day of each active stylist horizon, per offered service, as a read computes it', async () => {
    const slots = service();
    const result = await new CachePrefill({ pool: db.pool, slots, share: 1, batchStylists: 1, batchDays: 2, sliceKeys: 3 }).start();
    const want = expectedKeys();
    expect(result).toMatchObject({ ended: 'done', filled: want.length, skipped: 0 });
    expect(slots.cache.stats).toMatchObject({ filled: want.length, misses: 0 });

    const uncached = new SlotService({ pool: db.pool, cacheEnabled: false, cacheMaxBytes: 1024, cacheTtlMs: 1000, now: () => NOW });
    for (const k of want) {
      const [stylistId, serviceId, date] = k.split('|');
      const key = { stylistId, serviceId, date };
      const cached = slots.answerCached(key, 'Europe/London');
      expect(cached, k).not.toBeNull();
      const fresh = await uncached.answer(key, 'Europe/London');
      expect(cached!.slots, k).toEqual(fresh.slots);
      expect(cached!.version).toBe(fresh.version);
    }
    // The booked time is taken in the prefilled day.
    const booked = slots.answerCached({ stylistId: ktm.id, serviceId: cut.id, date: '2027-03-03' }, undefined)!;
    expect(booked.slots.find((s) => s.startUtc === '2027-03-03T04:15:00.000Z')?.status).toBe('booked');
    // Nothing of the inactive stylist, nothing past a horizon or before today.
    expect(slots.cache.size).toBe(want.length);
    expect(slots.answerCached({ stylistId: retired.id, serviceId: cut.id, date: '2027-03-02' }, undefined)).toBeNull();
    expect(slots.answerCached({ stylistId: nyc.id, serviceId: cut.id, date: '2027-03-04' }, undefined)).toBeNull();
    expect(slots.answerCached({ stylistId: ktm.id, serviceId: cut.id, date: '2027-02-28' }, undefined)).toBeNull();
  });

  it('stays within its share of the bound, evicting nothing, and a second pass stores only what is missing', async () => {
    // Room for about a dozen computed days in the whole bound; the prefill may take half.
    const slots = service(60_000);
    const first = await new CachePrefill({ pool: db.pool, slots, share: 0.5 }).start();
    expect(first.ended).toBe('share');
    expect(first.filled).toBeGreaterThan(0);
    expect(slots.cache.bytes).toBeLessThanOrEqual(30_000);
    expect(slots.cache.stats.evictions).toBe(0);

    // Reads fill the rest of the bound (the LRU evicts as it must); a pass then stores nothing.
    for (const k of expectedKeys()) {
      const [stylistId, serviceId, date] = k.split('|');
      await slots.answer({ stylistId, serviceId, date }, 'America/New_York');
    }
    expect(slots.cache.bytes).toBeLessThanOrEqual(60_000);
    const evicted = slots.cache.stats.evictions;
    const second = await new CachePrefill({ pool: db.pool, slots, share: 0.5 }).start();
    expect(second).toMatchObject({ ended: 'share', filled: 0 });
    expect(slots.cache.stats.evictions).toBe(evicted);

    // With room, a pass stores the days missing and skips the cached ones.
    const roomy = service();
    const day = { stylistId: ktm.id, serviceId: cut.id, date: '2027-03-02' };
    await roomy.answer(day, undefined);
    const third = await new CachePrefill({ pool: db.pool, slots: roomy, share: 1 }).start();
    expect(third).toMatchObject({ ended: 'done', filled: expectedKeys().length - 1, skipped: 1 });
  });

  it('stores nothing while the cache is untrusted or off, and stops when asked', async () => {
    const slots = service();
    slots.setTrusted(false);
    expect(await new CachePrefill({ pool: db.pool, slots, share: 1 }).start()).toMatchObject({ ended: 'stopped', filled: 0 });
    expect(slots.cache.size).toBe(0);

    const trusted = service();
    const p = new CachePrefill({ pool: db.pool, slots: trusted, share: 1, batchStylists: 1, batchDays: 1, sliceKeys: 1 });
    const run = p.start();
    await p.stop();
    const r = await run;
    expect(r.ended).toBe('stopped');
    expect(r.filled).toBeLessThan(expectedKeys().length);
  });

  it('answers requests while a pass runs, and with CACHE_PREFILL on the first read of a day is a hit', async () => {
    const srv = await startTestServer(db.pool, { now: () => NOW, env: { CACHE_PREFILL: 'on' } });
    try {
      // The app's own pass, started at attach: wait (bounded) until it has stored every day.
      const want = expectedKeys().length;
      for (let i = 0; i < 200 && srv.app.slots.cache.stats.filled < want; i++) await new Promise((r) => setTimeout(r, 25));
      expect(srv.app.slots.cache.stats.filled).toBe(want);
      const url = (date: string) =>
        `${srv.baseUrl}/api/bookings/available-slots?stylistId=${ktm.id}&serviceId=${colour.id}&targetDate=${date}`;
      const first = await fetch(url('2027-03-05'));
      expect(first.status).toBe(200);
      expect(first.headers.get('x-cache-hit')).toBe('true');

      // A pass whose query is held: a request is answered (a miss, from the same pool) before it ends.
      srv.app.slots.invalidateAll();
      await new Promise((r) => setTimeout(r, 50));
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const held = {
        query: (...a: unknown[]) => gate.then(() => (db.pool.query as (...x: unknown[]) => unknown)(...a)),
      } as unknown as Pool;
      const fresh = service();
      let ended = false;
      const run = new CachePrefill({ pool: held, slots: fresh, share: 1 }).start().then((r) => {
        ended = true;
        return r;
      });
      const during = await fetch(url('2027-03-06'));
      expect(during.status).toBe(200);
      expect(((await during.json()) as unknown[]).length).toBeGreaterThan(0);
      expect(ended).toBe(false);
      open();
      expect((await run).ended).toBe('done');
    } finally {
      await srv.close();
    }
  });
});

describe('prefill yields', () => {
  it('lets the event loop turn after every sliceKeys days it computes', async () => {
    const slots = service();
    const order: string[] = [];
    const fill = slots.fill.bind(slots);
    slots.fill = (...a) => {
      order.push('f');
      return fill(...a);
    };
    let done = false;
    const tick = () => {
      order.push('i');
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const r = await new CachePrefill({ pool: db.pool, slots, share: 1, sliceKeys: 4 }).start();
    done = true;
    expect(r.filled).toBe(expectedKeys().length);
    const runs = order
      .join('')
      .split('i')
      .map((x) => x.length);
    expect(Math.max(...runs)).toBeLessThanOrEqual(4);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(expectedKeys().length);
  });
});

describe('SlotService.fill and render agree with a read', () => {
  it('a prefilled entry renders the same bytes as a loaded one', async () => {
    const slots = service();
    await new CachePrefill({ pool: db.pool, slots, share: 1 }).start();
    const key = { stylistId: nyc.id, serviceId: cut.id, date: '2027-03-01' };
    const entry = (await slots.day(key)).entry;
    const loaded = await service().compute(key);
    expect(render(entry, 'Asia/Kathmandu', NOW).bytes.equals(render(loaded, 'Asia/Kathmandu', NOW).bytes)).toBe(true);
  });
});
