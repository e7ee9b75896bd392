// The public slot query cannot be used to flood the cache or drive database load: a day outside
// the stylist's bookable window answers [] without touching the database and is never cached, and
// cache misses are limited per client IP (hits are not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../server/db/pool.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

// 2027-03-01T00:00Z is 05:45 on 2027-03-01 in Kathmandu; the stylist's horizon is 60 days, so the
// bookable window is 2027-02-28 (yesterday) … 2027-04-30 (today + 60).
const NOW = Date.parse('2027-03-01T00:00:00Z');
let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;
/** Queries that load a stylist's day or settings, made through the server's pool. */
let loads = 0;

/** The test pool, counting the queries that read a stylist's day or its settings. */
function countingPool(pool: Pool): Pool {
  return new Proxy(pool, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop === 'query') {
        return (...args: unknown[]) => {
          const q = args[0] as string | { name?: string; text?: string };
          const text = typeof q === 'string' ? q : `${q.name ?? ''} ${q.text ?? ''}`;
          if (/kb_load_day|horizon_days/.test(text)) loads++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', horizonDays: 60 });
});
afterAll(async () => {
  await db?.drop();
});

const path = (date: string) =>
  `/api/bookings/available-slots?${new URLSearchParams({ stylistId: salon.stylist.id, serviceId: salon.service.id, targetDate: date })}`;

describe('days outside the bookable window', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(countingPool(db.pool), { now: () => NOW, env: { RATE_LIMIT_SLOT_MISSES: '100000' } });
  });
  afterAll(async () => {
    await srv?.close();
  });
  const get = (date: string, headers: Record<string, string> = {}) => fetch(srv.baseUrl + path(date), { headers });

  it('answers [] without a query and caches nothing, for any number of distinct dates', async () => {
    const warm = await get('2027-03-10');
    expect(warm.status).toBe(200);
    expect(await warm.json()).toHaveLength(15);
    const size = srv.app.slots.cache.size;
    const before = loads;
    const outside: string[] = [];
    for (let d = Date.UTC(2027, 4, 1); outside.length < 200; d += 86_400_000) outside.push(new Date(d).toISOString().slice(0, 10));
    for (let d = Date.UTC(2027, 1, 27); outside.length < 400; d -= 86_400_000) outside.push(new Date(d).toISOString().slice(0, 10));
    for (const date of outside) {
      const r = await get(date);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-cache-hit')).toBe('false');
      expect(await r.json()).toEqual([]);
    }
    expect(loads).toBe(before);
    expect(srv.app.slots.cache.size).toBe(size);
    expect(srv.app.slots.cache.stats.evictions).toBe(0);
    // Asked again: still not cached.
    const again = await get('2027-05-01');
    expect(again.headers.get('x-cache-hit')).toBe('false');
    expect(await again.json()).toEqual([]);
    // The warm day is still a hit.
    expect((await get('2027-03-10')).headers.get('x-cache-hit')).toBe('true');
  });

  it('keeps yesterday and today + horizon inside the window', async () => {
    for (const date of ['2027-02-28', '2027-03-01', '2027-04-30']) {
      const slots = await (await get(date)).json();
      expect(slots, date).toHaveLength(15);
    }
    // Yesterday has passed: every slot is reported, none bookable.
    expect(((await (await get('2027-02-28')).json()) as { status: string }[]).every((s) => s.status === 'unavailable')).toBe(true);
  });

  it.each(['0001-01-01', '1999-12-31', '2100-01-01', '9999-12-31'])('refuses %s outside the calendar window with 400', async (date) => {
    const r = await get(date);
    expect(r.status).toBe(400);
    expect((await r.json()).error.code).toBe('INVALID_INPUT');
  });

  it('follows a change of the stylist\u2019s horizon (the relay drops what it knew)', async () => {
    expect(await (await get('2027-05-15')).json()).toEqual([]);
    await db.pool.query('update stylists set horizon_days = 120 where id = $1', [salon.stylist.id]);
    let slots: unknown[] = [];
    for (let i = 0; i < 100 && slots.length === 0; i++) {
      slots = await (await get('2027-05-15')).json();
      if (slots.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(slots).toHaveLength(15);
    await db.pool.query('update stylists set horizon_days = 60 where id = $1', [salon.stylist.id]);
  });
});

describe('cache misses per client IP', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(db.pool, { now: () => NOW, env: { TRUST_PROXY: 'on', RATE_LIMIT_SLOT_MISSES: '5' } });
  });
  afterAll(async () => {
    await srv?.close();
  });
  const get = (date: string, ip: string) => fetch(srv.baseUrl + path(date), { headers: { 'x-forwarded-for': ip } });

  it('answers 429 with Retry-After past the limit of misses, while hits from the same IP still answer', async () => {
    const ip = '203.0.113.7';
    const first = await get('2027-03-10', ip);
    expect(first.headers.get('x-cache-hit')).toBe('false');
    for (const date of ['2027-03-11', '2027-03-12', '2027-03-13', '2027-03-14']) expect((await get(date, ip)).status).toBe(200);
    const limited = await get('2027-03-15', ip);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Hits are never limited.
    for (let i = 0; i < 30; i++) {
      const hit = await get('2027-03-10', ip);
      expect(hit.status).toBe(200);
      expect(hit.headers.get('x-cache-hit')).toBe('true');
    }
    // Another client is not affected, and what it loads becomes a hit for everyone.
    const other = await get('2027-03-15', '203.0.113.8');
    expect(other.status).toBe(200);
    expect((await get('2027-03-15', ip)).headers.get('x-cache-hit')).toBe('true');
  });
});
