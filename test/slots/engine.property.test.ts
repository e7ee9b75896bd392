import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  computeDaySlots,
  localTimeToInstant,
  type DayInput,
  type DayResult,
  type Interval,
  type OverrideRow,
  type ScheduleWindowRow,
} from '../../server/slots/engine.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

// Zones with gaps and repeated hours (New York, London, Santiago at midnight, Lord Howe by 30
// minutes, Chatham at +12:45/+13:45), one with a fractional offset and none (Kathmandu), and UTC.
const ZONES = ['America/New_York', 'Europe/London', 'Asia/Kathmandu', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Chatham', 'UTC'];
// The 2027 transitions of those zones: local date and the wall minute where the gap or the
// repeated hour begins. Most generated days sit on one of them with times close to that minute.
const TRANSITIONS: { zone: string; date: string; hot: number }[] = [
  { zone: 'America/New_York', date: '2027-03-14', hot: 120 }, // gap 02:00–03:00
  { zone: 'America/New_York', date: '2027-11-07', hot: 60 }, // repeated 01:00–02:00
  { zone: 'Europe/London', date: '2027-03-28', hot: 60 }, // gap 01:00–02:00
  { zone: 'Europe/London', date: '2027-10-31', hot: 60 }, // repeated 01:00–02:00
  { zone: 'America/Santiago', date: '2027-09-05', hot: 0 }, // gap 00:00–01:00
  { zone: 'America/Santiago', date: '2027-09-04', hot: 1440 }, // "24:00" is in that gap
  { zone: 'America/Santiago', date: '2027-04-03', hot: 1380 }, // repeated 23:00–24:00
  { zone: 'Australia/Lord_Howe', date: '2027-10-03', hot: 120 }, // gap 02:00–02:30
  { zone: 'Australia/Lord_Howe', date: '2027-04-04', hot: 90 }, // repeated 01:30–02:00
  { zone: 'Pacific/Chatham', date: '2027-09-26', hot: 165 }, // gap 02:45–03:45
  { zone: 'Pacific/Chatham', date: '2027-04-04', hot: 165 }, // repeated 02:45–03:45
];
const PROCESS_ZONES = ['UTC', 'Pacific/Chatham', 'America/New_York', 'Asia/Kathmandu'];

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const pad = (n: number): string => String(n).padStart(2, '0');
/** Minutes after local midnight → "HH:MM"; 1440 → "24:00". */
const hhmm = (minutes: number): string => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const dateOf = (dayIndex: number): string => new Date(Date.UTC(2026, 0, 1) + dayIndex * 86_400_000).toISOString().slice(0, 10);
const weekdayUtc = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

interface Scene {
  zone: string;
  date: string;
  /** Minutes of the local day, biased towards the transition when there is one. */
  minute: fc.Arbitrary<number>;
}
const anyMinute = fc.integer({ min: 0, max: 24 * 60 });
const arbScene: fc.Arbitrary<Scene> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...TRANSITIONS).map(({ zone, date, hot }) => ({
      zone,
      date,
      minute: fc.oneof(fc.integer({ min: Math.max(0, hot - 90), max: Math.min(1440, hot + 90) }), anyMinute),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 3 * 365 }).map(dateOf))
      .map(([zone, date]) => ({ zone, date, minute: anyMinute })),
  },
);
const rangeOf = (minute: fc.Arbitrary<number>): fc.Arbitrary<[number, number]> =>
  fc.tuple(minute, minute).map(([a, b]) => (a <= b ? [a, b] : [b, a]));

// ─── an independent oracle for wall time → instant, built on Intl directly ───────────────────────

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The local wall time of instant t in zone, encoded as if UTC. */
function wallOf(zone: string, t: number): number {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** Every instant showing `wall`, found by trying each offset seen within ±16 h; the gap case scans minutes. */
function oracleInstant(zone: string, date: string, minutes: number, edge: 'start' | 'end'): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * MIN;
  const offsets = new Set<number>();
  for (let t = wall - 16 * HOUR; t <= wall + 16 * HOUR; t += 15 * MIN) offsets.add(wallOf(zone, t) - t);
  const hits = [...offsets].map((o) => wall - o).filter((t) => wallOf(zone, t) === wall);
  if (hits.length > 0) return edge === 'start' ? Math.min(...hits) : Math.max(...hits);
  // In a gap: the first instant whose wall time is past `wall` is the transition.
  for (let t = wall - Math.max(...offsets); ; t += MIN) if (wallOf(zone, t) > wall) return t;
}

// ─── random days ─────────────────────────────────────────────────────────────────────────────────

const arbDay: fc.Arbitrary<DayInput> = arbScene
  .chain((scene) =>
    fc.record({
      date: fc.constant(scene.date),
      timezone: fc.constant(scene.zone),
      slotStepMinutes: fc.constantFrom(5, 10, 15, 20, 30, 45, 60),
      durationMinutes: fc.constantFrom(15, 30, 45, 60, 90, 120),
      bufferMinutes: fc.constantFrom(0, 5, 10, 15, 30),
      rows: fc.array(
        fc.record({
          range: rangeOf(scene.minute),
          toMidnight: fc.constantFrom(false, false, false, true),
          otherWeekday: fc.constantFrom(false, false, false, true),
          version: fc.constantFrom('2020-01-01', '2027-03-14', '2027-10-31'),
          until: fc.constantFrom<string | null>(null, null, null, '2027-03-28', '2028-12-31'),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      overrides: fc.array(
        fc.record({
          kind: fc.constantFrom<OverrideRow['kind']>('blocked', 'blocked', 'blocked', 'hours', 'hours', 'closed'),
          covers: fc.constantFrom(true, true, true, false),
          range: rangeOf(scene.minute),
          priority: fc.integer({ min: 0, max: 2 }),
          createdAtMs: fc.integer({ min: 0, max: 2 }),
        }),
        { maxLength: 3 },
      ),
      // Bookings and holds as minute offsets from 20 h before the date's UTC midnight, so they can
      // fall anywhere in the local day of every zone in the list.
      bookings: fc.array(fc.tuple(fc.integer({ min: 0, max: 68 * 60 }), fc.integer({ min: 1, max: 240 })), { maxLength: 12 }),
      holds: fc.array(fc.tuple(fc.integer({ min: 0, max: 68 * 60 }), fc.integer({ min: 1, max: 120 })), { maxLength: 4 }),
    }),
  )
  .map((r) => {
    const weekday = weekdayUtc(r.date);
    const base = Date.parse(`${r.date}T00:00:00Z`) - 20 * HOUR;
    const toInterval = ([offset, length]: [number, number]): Interval => ({
      startMs: base + offset * MIN,
      endMs: base + (offset + length) * MIN,
    });
    const schedule: ScheduleWindowRow[] = r.rows.map((w) => ({
      dayOfWeek: w.otherWeekday ? (weekday + 1) % 7 : weekday,
      start: hhmm(w.range[0]),
      end: w.toMidnight ? '24:00' : hhmm(w.range[1]),
      effectiveFrom: w.version,
      effectiveUntil: w.until,
    }));
    const overrides: OverrideRow[] = r.overrides.map((o, i) => ({
      id: `o${i}`,
      kind: o.kind,
      startDate: o.covers ? r.date : '2025-01-01',
      endDate: o.covers ? r.date : '2025-01-31',
      start: o.kind === 'closed' ? null : hhmm(o.range[0]),
      end: o.kind === 'closed' ? null : hhmm(o.range[1]),
      priority: o.priority,
      createdAtMs: o.createdAtMs,
    }));
    return {
      date: r.date,
      timezone: r.timezone,
      slotStepMinutes: r.slotStepMinutes,
      durationMinutes: r.durationMinutes,
      bufferMinutes: r.bufferMinutes,
      schedule,
      overrides,
      bookings: r.bookings.map(toInterval),
      holds: r.holds.map(toInterval),
    };
  });

// Half-open; an empty interval (a block wholly inside a gap, say) overlaps nothing.
const overlaps = (a: Interval, b: Interval): boolean =>
  a.startMs < a.endMs && b.startMs < b.endMs && a.startMs < b.endMs && b.startMs < a.endMs;

function checkInvariants(input: DayInput, result: DayResult): void {
  const durationMs = input.durationMinutes * MIN;
  const occupiedMs = durationMs + input.bufferMinutes * MIN;
  const { windows, slots } = result;

  for (let i = 0; i < windows.length; i++) {
    expect(windows[i].endMs).toBeGreaterThan(windows[i].startMs);
    if (i > 0) expect(windows[i].startMs).toBeGreaterThan(windows[i - 1].endMs); // sorted, apart
  }
  for (let i = 1; i < slots.length; i++) expect(slots[i].startMs).toBeGreaterThan(slots[i - 1].startMs);

  for (const s of slots) {
    expect(s.endMs - s.startMs).toBe(durationMs);
    const inWindow = windows.some((w) => s.startMs >= w.startMs && s.startMs + durationMs <= w.endMs);
    expect(inWindow).toBe(true);

    const occupied = { startMs: s.startMs, endMs: s.startMs + occupiedMs };
    const hitsBooking = input.bookings.some((b) => overlaps(occupied, b));
    const hitsHold = input.holds.some((h) => overlaps(occupied, h));
    expect(s.status).toBe(hitsBooking ? 'booked' : hitsHold ? 'held' : 'available');
  }

  // Complete: every window offers exactly start, start + step, … while the service fits.
  const stepMs = input.slotStepMinutes * MIN;
  const expectedCount = windows.reduce(
    (n, w) => n + (w.endMs - w.startMs >= durationMs ? Math.floor((w.endMs - w.startMs - durationMs) / stepMs) + 1 : 0),
    0,
  );
  expect(slots.length).toBe(expectedCount);
  for (const w of windows) {
    for (const s of slots) {
      if (s.startMs >= w.startMs && s.startMs < w.endMs) expect((s.startMs - w.startMs) % stepMs).toBe(0);
    }
  }

  // A closure covering the date leaves nothing; a covering block never overlaps a window.
  const covering = input.overrides.filter((o) => o.startDate <= input.date && input.date <= o.endDate);
  if (covering.some((o) => o.kind === 'closed')) expect(windows).toEqual([]);
  for (const o of covering) {
    if (o.kind !== 'blocked' || o.start === null || o.end === null || o.end <= o.start) continue; // "HH:MM" sorts as text
    const block = {
      startMs: localTimeToInstant(input.date, o.start, input.timezone, 'start'),
      endMs: localTimeToInstant(input.date, o.end, input.timezone, 'end'),
    };
    for (const w of windows) expect(overlaps(w, block)).toBe(false);
  }
}

describe('slot engine properties', () => {
  it('statuses are exactly right, slots lie in windows, starts increase, windows are complete', () => {
    fc.assert(
      fc.property(arbDay, (input) => {
        checkInvariants(input, computeDaySlots(input));
      }),
      { numRuns: 400 },
    );
  });

  it('the result does not depend on the process time zone', () => {
    fc.assert(
      fc.property(arbDay, fc.constantFrom(...PROCESS_ZONES), fc.constantFrom(...PROCESS_ZONES), (input, tzA, tzB) => {
        process.env.TZ = tzA;
        const a = computeDaySlots(input);
        process.env.TZ = tzB;
        const b = computeDaySlots(input);
        expect(b).toEqual(a);
      }),
      { numRuns: 150 },
    );
  });

  it('localTimeToInstant agrees with a brute-force Intl oracle, in every process zone', () => {
    fc.assert(
      fc.property(
        arbScene.chain((s) => fc.tuple(fc.constant(s), s.minute)),
        fc.constantFrom<'start' | 'end'>('start', 'end'),
        fc.constantFrom(...PROCESS_ZONES),
        ([{ zone, date }, minutes], edge, processZone) => {
          process.env.TZ = processZone;
          expect(new Date(localTimeToInstant(date, hhmm(minutes), zone, edge)).toISOString()).toBe(
            new Date(oracleInstant(zone, date, minutes, edge)).toISOString(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the windows of a single-row day are exactly that row’s bounds per the oracle', () => {
    fc.assert(
      fc.property(
        arbScene.chain((s) => fc.tuple(fc.constant(s), rangeOf(s.minute))),
        ([{ zone, date }, [from, to]]) => {
          fc.pre(from < to);
          const input: DayInput = {
            date,
            timezone: zone,
            slotStepMinutes: 30,
            durationMinutes: 30,
            bufferMinutes: 0,
            schedule: [
              { dayOfWeek: weekdayUtc(date), start: hhmm(from), end: hhmm(to), effectiveFrom: '2000-01-01', effectiveUntil: null },
            ],
            overrides: [],
            bookings: [],
            holds: [],
          };
          const startMs = oracleInstant(zone, date, from, 'start');
          const endMs = oracleInstant(zone, date, to, 'end');
          expect(computeDaySlots(input).windows).toEqual(endMs > startMs ? [{ startMs, endMs }] : []);
        },
      ),
      { numRuns: 300 },
    );
  });
});
