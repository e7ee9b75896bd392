// What the slot cache's byte bound buys under the slots benchmark's Zipf mix, without a server or a
// quiet machine: the mix's exact sequence of draws (ZipfKeys seed 7, paths seed 11, three zones;
// slots.bench.ts) replayed twice through the real SlotCache and render, the second pass counted.
// Days have the mix's shape (14 slots for the 45-minute service, 12 for the 90-minute one). No
// writes and no clock: an upper bound for the benchmark's hit ratio at that bound. Prints the hit
// ratio, entries, what the cache charged and what the process really held for it (heap and
// ArrayBuffers after GC, before and after emptying the cache).
//   node --expose-gc test/bench/cache-bytes.ts [bound in MB, default 50] ...
import { DateTime } from 'luxon';
import { SlotCache, type DayKey } from '../../server/slots/cache.ts';
import { render, type DayEntry } from '../../server/slots/service.ts';
import { ZipfKeys } from './lib/slots-mix.ts';
import { rng } from './lib/stats.ts';

const ZONES = ['Asia/Kathmandu', 'America/New_York', 'Europe/London'];
const DRAWS = 300_000;
const NOW = Date.parse('2027-01-01T00:00:00Z');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const keys = new ZipfKeys({ stylists: 200, services: 2, days: 60, s: 1, seed: 7 });
const r = rng(11);
const draws = Array.from({ length: DRAWS }, () => ({ rank: keys.rank(r()), zone: ZONES[Math.floor(r() * ZONES.length)] }));

/** A computed day of the mix's shape, built as SlotService.compute builds one. */
function day(rank: number): DayEntry {
  const k = keys.keys[rank];
  const durationMinutes = k.serviceIndex === 0 ? 45 : 90;
  const timezone = ZONES[k.stylistIndex % ZONES.length];
  const first = Date.parse('2027-01-10T03:15:00Z') + k.day * 86_400_000;
  const slots = Array.from({ length: k.serviceIndex === 0 ? 14 : 12 }, (_, j) => {
    const startMs = first + j * 1_800_000;
    return {
      startMs,
      startUtc: new Date(startMs).toISOString(),
      endUtc: new Date(startMs + durationMinutes * 60_000).toISOString(),
      startLocal: Buffer.from(DateTime.fromMillis(startMs, { zone: timezone }).toISO()!, 'latin1').toString('latin1'),
      localDisplay: DateTime.fromMillis(startMs, { zone: timezone }).toFormat('h:mm a'),
      status: 'available' as const,
    };
  });
  return {
    key: { stylistId: crypto.randomUUID(), serviceId: crypto.randomUUID(), date: DateTime.fromMillis(first).toISODate()! },
    settings: { timezone, minNoticeMinutes: 60, horizonDays: 90, durationMinutes } as DayEntry['settings'],
    version: 1,
    computedAtMs: NOW,
    computedAt: new Date(NOW).toISOString(),
    windows: [],
    slots,
    rendered: new Map(),
    bytes: 1800 + slots.length * 220,
    expiresAtMs: Infinity,
    closed: false,
    zoneKey: timezone,
  };
}

const held = () => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function run(boundMb: number): Promise<void> {
  const cache = new SlotCache<DayEntry>({
    maxBytes: boundMb * 1024 * 1024,
    ttlMs: 3_600_000,
    now: () => NOW,
    load: async (k) => day(Number(k.date)),
  });
  // The rank stands in for the key (its date field), so the cache indexes and evicts as it does for real keys.
  const keyOf = (rank: number): DayKey => ({ stylistId: `s${rank % 200}`, serviceId: 'x', date: String(rank) });
  let hits = 0;
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) hits = 0;
    for (const { rank, zone } of draws) {
      const key = keyOf(rank);
      const { value, hit } = await cache.get(key);
      // SlotService's reply: render, and have the cache charge a variant rendered now.
      const charged = value.bytes;
      render(value, zone, NOW);
      if (value.bytes !== charged) cache.recharge(key, value);
      if (hit) hits++;
    }
  }
  const entries = cache.size;
  const charged = cache.bytes;
  const full = held();
  cache.invalidateAll();
  const real = full - held();
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  console.log(
    `bound ${boundMb} MB: hit ratio ${((hits / DRAWS) * 100).toFixed(1)}%, ${entries} entries ` +
      `(the most popular ${entries} keys take ${(keys.headShare(entries) * 100).toFixed(1)}% of draws), ` +
      `charged ${mb(charged)}, really held ${mb(real)} (${(real / entries / 1024).toFixed(2)} KB an entry)`,
  );
}

const bounds = process.argv.slice(2).map(Number);
for (const b of bounds.length > 0 ? bounds : [50]) {
  if (!(b > 0)) throw new Error('bounds are positive numbers of MB');
  await run(b);
}
