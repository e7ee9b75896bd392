// SlotService owns the cache's trust flag: while untrusted it answers from the database and keeps
// nothing; regaining trust drops every entry (they may predate events never seen).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlotService } from '../../server/slots/service.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';

let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;
const NOW = Date.parse('2027-03-01T00:00:00Z');

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
});
afterAll(async () => {
  await db?.drop();
});

describe('slot cache trust', () => {
  it('untrusted: computes from the database and caches nothing; trusted again: starts from an empty cache', async () => {
    const slots = new SlotService({ pool: db.pool, cacheEnabled: true, cacheMaxBytes: 10_000_000, cacheTtlMs: 600_000, now: () => NOW });
    const key = { stylistId: salon.stylist.id, serviceId: salon.service.id, date: '2027-03-10' };
    expect(slots.trusted).toBe(true);
    expect((await slots.day(key)).hit).toBe(false);
    expect((await slots.day(key)).hit).toBe(true);

    expect(slots.setTrusted(false)).toBe(true);
    expect(slots.setTrusted(false)).toBe(false);
    expect(slots.trusted).toBe(false);
    expect((await slots.day(key)).hit).toBe(false);
    expect(slots.answerCached(key, undefined)).toBeNull();
    // The entry from before is still held (nothing dropped it yet)…
    expect(slots.cache.size).toBe(1);

    expect(slots.setTrusted(true)).toBe(true);
    // …and regaining trust drops it.
    expect(slots.cache.size).toBe(0);
    expect((await slots.day(key)).hit).toBe(false);
    expect((await slots.day(key)).hit).toBe(true);
    expect(slots.setTrusted(true)).toBe(false);
    expect(slots.cache.size).toBe(1);
  });
});
