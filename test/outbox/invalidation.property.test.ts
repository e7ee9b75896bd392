// Property: what a write invalidates (its own outbox events, applied by the writer after commit)
// covers every slot answer the write changed, and little else. "Changed" is judged by the real
// loader and engine, uncached, on a small universe of keys before and after each write.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../server/admin/service.ts';
import type { Actor } from '../../server/actor.ts';
import { BookingService } from '../../server/bookings/service.ts';
import { OverrideService } from '../../server/overrides/service.ts';
import type { CreateOverrideBody, ScheduleBody } from '../../server/contract/admin.ts';
import { AppError } from '../../server/errors.ts';
import { withOutbox } from '../../server/outbox/own.ts';
import { dayKeyString, type DayKey } from '../../server/slots/cache.ts';
import { SlotService } from '../../server/slots/service.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser } from '../setup/factories.ts';

/** The services' clock: before every date below. Holds expire 10 minutes after it (by the database's clock: years ahead). */
const NOW = Date.parse('2027-03-11T12:00:00Z');
/** New York springs forward on 2027-03-14. */
const DATES = ['2027-03-12', '2027-03-13', '2027-03-14', '2027-03-15', '2027-03-16', '2027-03-17'];
const shift = (date: string, days: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;

interface Call {
  stylistId: string | null;
  dates: string[] | null;
}

/** The real slot service, noting every invalidation it is asked for. */
class RecordingSlots extends SlotService {
  calls: Call[] = [];
  override invalidate(stylistId: string, dates: readonly string[] | null): number {
    this.calls.push({ stylistId, dates: dates && [...dates] });
    return super.invalidate(stylistId, dates);
  }
  override invalidateDates(dates: readonly string[]): number {
    this.calls.push({ stylistId: null, dates: [...dates] });
    return super.invalidateDates(dates);
  }
  override invalidateAll(): number {
    this.calls.push({ stylistId: null, dates: null });
    return super.invalidateAll();
  }
}
const covers = (c: Call, k: DayKey) =>
  (c.stylistId === null || c.stylistId === k.stylistId) && (c.dates === null || c.dates.includes(k.date));

let db: TestDb;
let clock = NOW;
let slots: RecordingSlots;
let bookings: BookingService;
let admin: AdminService;
let overrides: OverrideService;
let adminUser: Actor;
let customers: Actor[];
let stylists: { id: string; zone: string }[];
let services: string[];
let keys: DayKey[];

// Windows reaching midnight from both sides, so the day-before rule and the DST gap are exercised.
const WINDOW_SETS: { start: string; end: string }[][] = [
  [],
  [{ start: '09:00', end: '17:00' }],
  [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '24:00' },
  ],
  [
    { start: '00:00', end: '03:30' },
    { start: '20:00', end: '24:00' },
  ],
  [
    { start: '01:00', end: '04:00' },
    { start: '18:00', end: '23:30' },
  ],
];

beforeAll(async () => {
  db = await freshDatabase();
  const s60 = await createService(db.pool, { durationMinutes: 60 });
  const s45 = await createService(db.pool, { durationMinutes: 45 });
  services = [s60.id, s45.id];
  const every = (w: { start: string; end: string }[]) => [0, 1, 2, 3, 4, 5, 6].flatMap((d) => w.map((x) => ({ dayOfWeek: d, ...x })));
  const ny = await createStylist(db.pool, {
    timezone: 'America/New_York',
    bufferMinutes: 15,
    slotStepMinutes: 30,
    serviceIds: services,
    windows: every(WINDOW_SETS[3]),
  });
  const ktm = await createStylist(db.pool, {
    timezone: 'Asia/Kathmandu',
    bufferMinutes: 30,
    slotStepMinutes: 15,
    serviceIds: services,
    windows: every(WINDOW_SETS[2]),
  });
  stylists = [
    { id: ny.id, zone: ny.timezone },
    { id: ktm.id, zone: ktm.timezone },
  ];
  keys = stylists.flatMap((st) => services.flatMap((serviceId) => DATES.map((date) => ({ stylistId: st.id, serviceId, date }))));
  const session = (u: { id: string; email: string }, role: Actor['role']): Actor => ({ id: u.id, email: u.email, displayName: 'x', role });
  adminUser = session(await createUser(db.pool, { role: 'admin' }), 'admin');
  customers = await Promise.all([0, 1, 2].map(async () => session(await createUser(db.pool), 'customer')));
  slots = new RecordingSlots({ pool: db.pool, cacheEnabled: true, cacheMaxBytes: 10_000_000, cacheTtlMs: 300_000, now: () => clock });
  bookings = new BookingService({ pool: db.pool, slots, now: () => clock, holdMinutes: 10, holdRenewalWindowMinutes: 60 });
  admin = new AdminService({ pool: db.pool, slots, now: () => clock });
  overrides = new OverrideService({ pool: db.pool, slots });
});
afterAll(async () => db?.drop());

// ── the engine's answers ───────────────────────────────────────────────────────────────────────

interface Answer {
  text: string;
  /** Start instants (ms) by status, to pick requests from. */
  available: number[];
  all: number[];
}

async function answerOf(k: DayKey): Promise<Answer> {
  try {
    const e = await slots.compute(k);
    return {
      text: JSON.stringify(e.slots.map((s) => [s.startMs, s.status])),
      available: e.slots.filter((s) => s.status === 'available').map((s) => s.startMs),
      all: e.slots.map((s) => s.startMs),
    };
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return { text: 'NOT_FOUND', available: [], all: [] };
    throw err;
  }
}

async function snapshot(): Promise<Map<string, Answer>> {
  const answers = await Promise.all(keys.map(answerOf));
  return new Map(keys.map((k, i) => [dayKeyString(k), answers[i]]));
}

// ── the writes ─────────────────────────────────────────────────────────────────────────────────

const keyArb = fc.record({ st: fc.nat(1), sv: fc.nat(1), day: fc.nat(DATES.length - 1) });
/** Which start to ask for: mostly an available one (a write happens), sometimes any (it may be refused). */
const pickArb = fc.record({ n: fc.nat(1000), anyStatus: fc.nat(4).map((n) => n === 0) });

const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('hold' as const), c: fc.nat(2), key: keyArb, pick: pickArb }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('book' as const), c: fc.nat(2), key: keyArb, pick: pickArb, fromHold: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release' as const), c: fc.nat(2) }) },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('reschedule' as const), b: fc.nat(1000), day: fc.nat(DATES.length - 1), pick: pickArb }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('cancel' as const), b: fc.nat(1000) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('status' as const),
      b: fc.nat(1000),
      to: fc.constantFrom('in_progress' as const, 'no_show' as const, 'completed' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('override' as const),
      salon: fc.boolean(),
      st: fc.nat(1),
      from: fc.integer({ min: -1, max: DATES.length - 1 }),
      days: fc.integer({ min: 1, max: 3 }),
      kind: fc.constantFrom('closed' as const, 'hours' as const, 'blocked' as const),
      window: fc.constantFrom(['10:00', '14:00'], ['20:00', '24:00'], ['00:00', '02:00'], ['23:00', '24:00']),
      priority: fc.integer({ min: -1, max: 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unoverride' as const), o: fc.nat(1000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('schedule' as const),
      st: fc.nat(1),
      from: fc.option(fc.nat(DATES.length - 1), { nil: undefined }),
      days: fc.uniqueArray(fc.record({ dow: fc.nat(6), w: fc.nat(WINDOW_SETS.length - 1) }), { selector: (d) => d.dow, maxLength: 7 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('stylistService' as const),
      st: fc.nat(1),
      sv: fc.nat(1),
      duration: fc.constantFrom(30, 45, 60, 90, null),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stylist' as const), st: fc.nat(1), buffer: fc.constantFrom(0, 15, 30, 45) }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function pickStart(a: Answer, pick: { n: number; anyStatus: boolean }): number | null {
  const list = pick.anyStatus ? a.all : a.available;
  return list.length ? list[pick.n % list.length] : null;
}
const keyOf = (k: { st: number; sv: number; day: number }): DayKey => ({
  stylistId: stylists[k.st].id,
  serviceId: services[k.sv],
  date: DATES[k.day],
});

async function activeBookings(): Promise<
  { id: string; customer_id: string; stylist_id: string; service_id: string; status: string; start_ms: number }[]
> {
  const { rows } = await db.pool.query(
    `select id, customer_id, stylist_id, service_id, status, (extract(epoch from start_at) * 1000)::float8 as start_ms
       from bookings where status in ('pending', 'confirmed', 'in_progress') order by created_at, id`,
  );
  return rows;
}

/**
 * Holds and bookings as (stylist, start, occupied until, status) by id: diffed around a write to see
 * which appointments it wrote.
 */
async function appointments(): Promise<Map<string, string>> {
  const { rows } = await db.pool.query<{ id: string; row: string }>(
    `select 'hold:' || id as id, concat_ws('|', stylist_id, (extract(epoch from start_at) * 1000)::bigint, (extract(epoch from occupied_until) * 1000)::bigint, 'held') as row from holds
     union all
     select 'booking:' || id, concat_ws('|', stylist_id, (extract(epoch from start_at) * 1000)::bigint, (extract(epoch from occupied_until) * 1000)::bigint, status) from bookings`,
  );
  return new Map(rows.map((r) => [r.id, r.row]));
}

/**
 * The stylist-days an appointment write may name: for each hold or booking it wrote (as it was and
 * as it is), the local dates from its start to its end, and the day before (a late candidate of that
 * day plus its buffer can reach it).
 */
function appointmentDays(before: Map<string, string>, after: Map<string, string>): Set<string> {
  const days = new Set<string>();
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(id) === after.get(id)) continue;
    for (const row of [before.get(id), after.get(id)]) {
      if (!row) continue;
      const [stylistId, start, until] = row.split('|');
      const zone = stylists.find((st) => st.id === stylistId)!.zone;
      const first = DateTime.fromMillis(Number(start), { zone }).toISODate()!;
      const last = DateTime.fromMillis(Number(until) - 1, { zone }).toISODate()!;
      for (let d = shift(first, -1), i = 0; d <= last && i < 5; d = shift(d, 1), i++) days.add(`${stylistId}|${d}`);
    }
  }
  return days;
}

/** What a write may invalidate: the days of the appointments it wrote, an override's dates, or one stylist. */
type Bound =
  { kind: 'appointment' } | { kind: 'dates'; stylistId: string | null; dates: string[] } | { kind: 'stylist'; stylistId: string };

/** Runs one write through the real services; answers what bounds its invalidations (null: nothing was written). */
async function run(o: Op, before: Map<string, Answer>): Promise<Bound | null> {
  const customer = (c: number) => customers[c];
  switch (o.t) {
    case 'hold': {
      const k = keyOf(o.key);
      const start = pickStart(before.get(dayKeyString(k))!, o.pick);
      if (start === null) return null;
      await bookings.createHold(customer(o.c), { stylistId: k.stylistId, serviceId: k.serviceId, startUtc: new Date(start).toISOString() });
      return { kind: 'appointment' };
    }
    case 'book': {
      const c = customer(o.c);
      const {
        rows: [hold],
      } = await db.pool.query('select id from holds where customer_id = $1', [c.id]);
      if (o.fromHold && hold) {
        await bookings.createBooking(c, { holdId: hold.id });
        return { kind: 'appointment' };
      }
      const k = keyOf(o.key);
      const start = pickStart(before.get(dayKeyString(k))!, o.pick);
      if (start === null) return null;
      await bookings.createBooking(c, { stylistId: k.stylistId, serviceId: k.serviceId, startUtc: new Date(start).toISOString() });
      return { kind: 'appointment' };
    }
    case 'release': {
      const c = customer(o.c);
      const {
        rows: [hold],
      } = await db.pool.query('select id from holds where customer_id = $1', [c.id]);
      if (!hold) return null;
      await bookings.deleteHold(c, hold.id);
      return { kind: 'appointment' };
    }
    case 'reschedule': {
      const movable = (await activeBookings()).filter((x) => x.status !== 'in_progress');
      const b = movable[o.b % Math.max(1, movable.length)];
      if (!b) return null;
      const start = pickStart(before.get(dayKeyString({ stylistId: b.stylist_id, serviceId: b.service_id, date: DATES[o.day] }))!, o.pick);
      if (start === null) return null;
      await bookings.reschedule(
        customers.find((c) => c.id === b.customer_id)!,
        b.id,
        new Date(start).toISOString(),
      );
      return { kind: 'appointment' };
    }
    case 'cancel': {
      const all = await activeBookings();
      const b = all[o.b % Math.max(1, all.length)];
      if (!b) return null;
      await bookings.cancel(
        b.status === 'in_progress' ? adminUser : customers.find((c) => c.id === b.customer_id)!,
        b.id,
        'changed my mind',
      );
      return { kind: 'appointment' };
    }
    case 'status': {
      const all = await activeBookings();
      const b = all[o.b % Math.max(1, all.length)];
      if (!b) return null;
      const to = b.status === 'in_progress' ? 'completed' : o.to === 'completed' ? 'in_progress' : o.to;
      // The timing rules judge the clock: stand at the booking's start for the change.
      clock = b.start_ms + 60_000;
      try {
        await bookings.setStatus(adminUser, b.id, to);
      } finally {
        clock = NOW;
      }
      return { kind: 'appointment' };
    }
    case 'override': {
      const startDate = shift(DATES[0], o.from);
      const endDate = shift(startDate, o.days - 1);
      const body: CreateOverrideBody = {
        scope: o.salon ? 'salon' : 'stylist',
        ...(o.salon ? {} : { stylistId: stylists[o.st].id }),
        startDate,
        endDate,
        kind: o.kind,
        ...(o.kind === 'closed' ? {} : { start: o.window[0], end: o.window[1] }),
        priority: o.priority,
        reason: 'property test',
      };
      await overrides.create(adminUser, body);
      return { kind: 'dates', stylistId: body.stylistId ?? null, dates: DATES.filter((d) => d >= startDate && d <= endDate) };
    }
    case 'unoverride': {
      const { rows } = await db.pool.query('select id, stylist_id, start_date, end_date from overrides order by created_at, id');
      const ov = rows[o.o % Math.max(1, rows.length)];
      if (!ov) return null;
      await overrides.delete(adminUser, ov.id);
      return { kind: 'dates', stylistId: ov.stylist_id, dates: DATES.filter((d) => d >= ov.start_date && d <= ov.end_date) };
    }
    case 'schedule': {
      const body: ScheduleBody = {
        ...(o.from === undefined ? {} : { effectiveFrom: DATES[o.from] }),
        days: o.days.map((d) => ({ dayOfWeek: d.dow, windows: WINDOW_SETS[d.w] })),
      };
      await admin.replaceSchedule(adminUser, stylists[o.st].id, body);
      return { kind: 'stylist', stylistId: stylists[o.st].id };
    }
    case 'stylistService': {
      // No API changes what a stylist offers yet: written as any writer would, through the same path.
      await withOutbox(db.pool, slots, (c) =>
        c.query('update stylist_services set duration_minutes = $3 where stylist_id = $1 and service_id = $2', [
          stylists[o.st].id,
          services[o.sv],
          o.duration,
        ]),
      );
      return { kind: 'stylist', stylistId: stylists[o.st].id };
    }
    case 'stylist': {
      await withOutbox(db.pool, slots, (c) =>
        c.query('update stylists set buffer_minutes = $2 where id = $1', [stylists[o.st].id, o.buffer]),
      );
      return { kind: 'stylist', stylistId: stylists[o.st].id };
    }
  }
}

/** Refusals a random write may meet; nothing is written then. */
const REFUSED = new Set([
  'SLOT_TAKEN',
  'SLOT_HELD',
  'IN_PAST',
  'OUTSIDE_HOURS',
  'NOT_ON_GRID',
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'HOLD_EXPIRED',
  // One chair per customer: a hold or booking over the customer's own appointment (docs/domain.md §5).
  'CUSTOMER_BUSY',
]);

/** Every kind of write once, on the fresh salon, before the random sequences: each is exercised on every run. */
const p0 = { n: 0, anyStatus: false };
const EVERY_KIND: Op[] = [
  { t: 'hold', c: 0, key: { st: 0, sv: 0, day: 2 }, pick: p0 },
  { t: 'book', c: 0, key: { st: 0, sv: 0, day: 2 }, pick: p0, fromHold: true },
  { t: 'book', c: 1, key: { st: 1, sv: 1, day: 1 }, pick: { n: 7, anyStatus: false }, fromHold: false },
  { t: 'reschedule', b: 0, day: 3, pick: { n: 3, anyStatus: false } },
  { t: 'status', b: 1, to: 'in_progress' },
  { t: 'cancel', b: 0 },
  { t: 'hold', c: 2, key: { st: 1, sv: 0, day: 4 }, pick: { n: 40, anyStatus: false } },
  { t: 'release', c: 2 },
  { t: 'override', salon: true, st: 0, from: 1, days: 2, kind: 'closed', window: ['10:00', '14:00'], priority: 0 },
  { t: 'override', salon: false, st: 1, from: 3, days: 1, kind: 'hours', window: ['20:00', '24:00'], priority: 1 },
  { t: 'unoverride', o: 0 },
  {
    t: 'schedule',
    st: 0,
    from: 2,
    days: [
      { dow: 0, w: 4 },
      { dow: 1, w: 1 },
    ],
  },
  { t: 'stylistService', st: 1, sv: 0, duration: 90 },
  { t: 'stylist', st: 0, buffer: 30 },
];

const stats = new Map<string, { writes: number; changed: number; invalidated: number; needless: number }>();

describe('what a write invalidates', () => {
  it('covers every answer it changed (no stale key), and nothing beyond the write\u2019s own days or scope', async () => {
    let before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          slots.calls = [];
          const rowsBefore = await appointments();
          let bound: Bound | null;
          try {
            bound = await run(o, before);
          } catch (err) {
            if (!(err instanceof AppError && REFUSED.has(err.code))) throw err;
            bound = null;
          }
          const after = await snapshot();
          const changed = keys.filter((k) => before.get(dayKeyString(k))!.text !== after.get(dayKeyString(k))!.text);
          const invalidated = keys.filter((k) => slots.calls.some((c) => covers(c, k)));
          before = after;

          // No stale key: every changed answer was invalidated by the write itself.
          const stale = changed.filter((k) => !invalidated.includes(k));
          expect({ op: o, stale }).toEqual({ op: o, stale: [] });
          if (bound === null) {
            // A refused write changed nothing, and named nothing.
            expect({ op: o, changed, invalidated }).toEqual({ op: o, changed: [], invalidated: [] });
            continue;
          }

          // Few needless ones: nothing beyond the write's own scope. (Within it a list may not change:
          // another service's grid misses the appointment, the day before has no late candidate, a
          // time already closed by an override frees nothing, a status keeps the time occupied.)
          const needless = invalidated.filter((k) => !changed.includes(k));
          const days = bound.kind === 'appointment' ? appointmentDays(rowsBefore, await appointments()) : null;
          const beyond = invalidated.filter((k) => {
            if (bound.kind === 'dates')
              return !(bound.stylistId === null || bound.stylistId === k.stylistId) || !bound.dates.includes(k.date);
            if (bound.kind === 'stylist') return k.stylistId !== bound.stylistId;
            return !days!.has(`${k.stylistId}|${k.date}`);
          });
          expect({ op: o, beyond }).toEqual({ op: o, beyond: [] });

          const s = stats.get(o.t) ?? { writes: 0, changed: 0, invalidated: 0, needless: 0 };
          s.writes++;
          s.changed += changed.length;
          s.invalidated += invalidated.length;
          s.needless += needless.length;
          stats.set(o.t, s);
        }
      }),
      { numRuns: 10, endOnFailure: true, examples: [[EVERY_KIND]] },
    );
    if (process.env.INVALIDATION_REPORT) console.info(Object.fromEntries(stats));
    // Every kind of write was made (not refused), and changed answers.
    expect([...stats.keys()].sort()).toEqual(
      [
        'book',
        'cancel',
        'hold',
        'override',
        'release',
        'reschedule',
        'schedule',
        'status',
        'stylist',
        'stylistService',
        'unoverride',
      ].sort(),
    );
    for (const kind of ['book', 'cancel', 'hold', 'override', 'release', 'reschedule', 'schedule', 'unoverride'])
      expect([kind, stats.get(kind)!.changed > 0]).toEqual([kind, true]);
  }, 60_000);
});
