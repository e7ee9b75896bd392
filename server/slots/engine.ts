/**
 * The slot engine: one stylist, one service, one local date in, the day's working windows and
 * slots out (docs/domain.md §3). Pure: no I/O, no clock, and no dependence on the process
 * time zone — every wall time is resolved in the stylist's zone explicitly.
 *
 * Luxon is used for one thing only: the zone's UTC offset at an instant. Turning a local wall time
 * into an instant is done here rather than with `DateTime.fromObject`, because luxon pushes a time
 * inside a DST gap forward by the gap's length (02:30 → 03:30) and always picks the earlier of two
 * ambiguous instants, while docs/domain.md §4 wants the transition instant and an edge-dependent choice.
 * Everything after that is plain arithmetic on epoch milliseconds.
 */
import { IANAZone } from 'luxon';

export type SlotStatus = 'available' | 'booked' | 'held';

export interface ScheduleWindowRow {
  /** 0 = Sunday … 6 = Saturday. */
  dayOfWeek: number;
  /** "HH:MM" local wall time. */
  start: string;
  /** "HH:MM" local wall time; "24:00" is the midnight that ends the day. */
  end: string;
  /** YYYY-MM-DD, inclusive. */
  effectiveFrom: string;
  /** YYYY-MM-DD, inclusive; null = open-ended. */
  effectiveUntil: string | null;
}

export interface OverrideRow {
  id: string;
  kind: 'closed' | 'hours' | 'blocked';
  /** Inclusive local dates. */
  startDate: string;
  endDate: string;
  /** "HH:MM" for `hours` and `blocked`; unused for `closed`. */
  start: string | null;
  end: string | null;
  priority: number;
  createdAtMs: number;
}

/** Half-open [startMs, endMs), epoch milliseconds. */
export interface Interval {
  startMs: number;
  endMs: number;
}

export interface DayInput {
  /** YYYY-MM-DD, a date in the stylist's zone. */
  date: string;
  /** IANA zone of the stylist. */
  timezone: string;
  slotStepMinutes: number;
  /** The service's duration for this stylist. */
  durationMinutes: number;
  /** The stylist's buffer after each appointment. */
  bufferMinutes: number;
  /** All of the stylist's rows; the engine picks those for the date's weekday and effective on it. */
  schedule: ScheduleWindowRow[];
  /** Salon-wide and the stylist's; the engine picks those covering the date. */
  overrides: OverrideRow[];
  /** Active bookings, each already [start, end + its buffer). */
  bookings: Interval[];
  /** Unexpired holds, each already [start, end + buffer). */
  holds: Interval[];
}

export interface ComputedSlot {
  startMs: number;
  endMs: number;
  status: SlotStatus;
}

export interface DayResult {
  /** Working windows of the day after overrides, as instants, sorted, disjoint and not touching. */
  windows: Interval[];
  /** Sorted by startMs, strictly increasing. endMs = startMs + duration (the buffer is not included). */
  slots: ComputedSlot[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Seconds are tolerated because Postgres `time` columns come back as "HH:MM:SS".
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

// ─── validators and calendar arithmetic ──────────────────────────────────────────────────────────

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Midnight of the date read as UTC, in epoch ms ("wall ms"), or NaN when the string is not a real date. */
function dateToWallMs(date: string): number {
  const m = DATE_RE.exec(date);
  if (m === null) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (year >= 100) return Date.UTC(year, month - 1, day);
  // Date.UTC maps years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function requireDateWallMs(date: string): number {
  const wall = dateToWallMs(date);
  if (Number.isNaN(wall)) throw new RangeError(`invalid local date ${JSON.stringify(date)}; expected YYYY-MM-DD`);
  return wall;
}

/** Milliseconds after local midnight for "HH:MM" (or "HH:MM:SS"); "24:00" gives a full day. */
function timeToMs(time: string): number {
  const m = TIME_RE.exec(time);
  if (m !== null) {
    const h = Number(m[1]);
    const min = Number(m[2]);
    const s = m[3] === undefined ? 0 : Number(m[3]);
    if (min <= 59 && s <= 59 && (h <= 23 || (h === 24 && min === 0 && s === 0))) {
      return ((h * 60 + min) * 60 + s) * 1000;
    }
  }
  throw new RangeError(`invalid local time ${JSON.stringify(time)}; expected HH:MM between 00:00 and 24:00`);
}

/** Strict YYYY-MM-DD that exists on the (proleptic Gregorian) calendar. */
export function isValidLocalDate(date: string): boolean {
  return typeof date === 'string' && !Number.isNaN(dateToWallMs(date));
}

function weekdayOfWallMs(dayWall: number): number {
  // 1970-01-01 was a Thursday.
  return (((Math.floor(dayWall / DAY_MS) + 4) % 7) + 7) % 7;
}

/** 0 = Sunday … 6 = Saturday. Throws RangeError for an invalid date. */
export function weekdayOf(date: string): number {
  return weekdayOfWallMs(requireDateWallMs(date));
}

/**
 * True for a zone name the runtime's time zone database knows (e.g. "Asia/Kathmandu", "UTC").
 * Numeric offsets such as "+05:45" are rejected: a stylist lives in a place, not an offset.
 * Deliberately uncached so arbitrary input cannot grow memory.
 */
export function isValidZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  if (zone[0] === '+' || zone[0] === '-') return false;
  return IANAZone.isValidZone(zone);
}

function requireZone(zone: string): IANAZone {
  // IANAZone.create caches per name; names reaching the engine come from the database.
  const z = IANAZone.create(zone);
  if (!z.isValid || zone[0] === '+' || zone[0] === '-') throw new RangeError(`invalid time zone ${JSON.stringify(zone)}`);
  return z;
}

// ─── wall time → instant (docs/domain.md §4) ─────────────────────────────────────────────────────

/** The zone's offset at instant t, in ms (luxon answers in minutes, possibly fractional for LMT). */
function offsetMs(zone: IANAZone, t: number): number {
  return Math.round(zone.offset(t) * MINUTE_MS);
}

/**
 * The instant whose local wall time in `zone` is `wall` (a local date-time encoded as if it were
 * UTC). Offsets a day either side bound every solution; each distinct offset gives one candidate,
 * kept if it really maps back to `wall`. Two survivors = the repeated hour; none = a gap.
 */
function wallToInstant(zone: IANAZone, wall: number, edge: 'start' | 'end'): number {
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  const tBefore = wall - before;
  const atBefore = offsetMs(zone, tBefore);
  // The common case: no transition near, three offset look-ups.
  if (before === after && atBefore === before) return tBefore;

  let earliest = Infinity;
  let latest = -Infinity;
  for (const o of atBefore === before || atBefore === after ? [before, after] : [before, after, atBefore]) {
    const t = wall - o;
    if ((o === before ? atBefore : offsetMs(zone, t)) === o) {
      if (t < earliest) earliest = t;
      if (t > latest) latest = t;
    }
  }
  if (earliest !== Infinity) return edge === 'start' ? earliest : latest;
  // No instant shows this wall time: it lies in a gap, between wall - after and wall - before.
  if (after > before) return transitionInstant(zone, wall - after, tBefore, before);
  return tBefore; // unreachable with real tzdata; any answer beats throwing on the hot path
}

/**
 * The first instant in (lo, hi] whose offset is no longer `oldOffset`: for a wall time inside a
 * gap, the moment the clocks jumped, i.e. the first instant after the gap. Luxon (via Intl)
 * resolves offsets per whole second, so the search runs over seconds (~12 steps for a 1 h gap).
 */
function transitionInstant(zone: IANAZone, lo: number, hi: number, oldOffset: number): number {
  let loS = Math.floor(lo / 1000);
  let hiS = Math.floor(hi / 1000);
  while (hiS - loS > 1) {
    const mid = loS + Math.floor((hiS - loS) / 2);
    if (offsetMs(zone, mid * 1000) === oldOffset) loS = mid;
    else hiS = mid;
  }
  return hiS * 1000;
}

/**
 * Local wall time "HH:MM" on local date `date` in `zone` → epoch ms (docs/domain.md §4): inside a DST
 * gap → the first instant after the gap; in the repeated hour → the earlier instant for a 'start'
 * and the later for an 'end'; "24:00" → midnight at the start of the next local day.
 * Throws RangeError for an invalid date, time or zone.
 */
export function localTimeToInstant(date: string, time: string, zone: string, edge: 'start' | 'end'): number {
  return wallToInstant(requireZone(zone), requireDateWallMs(date) + timeToMs(time), edge);
}

/** Resolves wall times (as wall ms) within one local day. */
type Resolve = (wall: number, edge: 'start' | 'end') => number;

/**
 * A resolver for the wall times of one local day. Most days have one offset throughout; checking
 * that once (four offset look-ups) lets every bound of the day be a subtraction. Days near a
 * transition resolve each bound on its own.
 */
function dayResolver(zone: IANAZone, dayWall: number): Resolve {
  const o = offsetMs(zone, dayWall - DAY_MS);
  if (offsetMs(zone, dayWall + 2 * DAY_MS) === o && offsetMs(zone, dayWall - o) === o && offsetMs(zone, dayWall + DAY_MS - o) === o) {
    return (wall) => wall - o;
  }
  return (wall, edge) => wallToInstant(zone, wall, edge);
}

// ─── windows (docs/domain.md §2) ─────────────────────────────────────────────────────────────────

/**
 * Local [start, end) on the day → instants. A range that is empty or inverted in wall time stays
 * empty: otherwise "01:30–01:30" on a fall-back day would become the hour between the two 01:30s.
 */
function boundsToInterval(resolve: Resolve, dayWall: number, start: string, end: string): Interval {
  const startWall = dayWall + timeToMs(start);
  const endWall = dayWall + timeToMs(end);
  const startMs = resolve(startWall, 'start');
  return { startMs, endMs: endWall > startWall ? resolve(endWall, 'end') : startMs };
}

function overrideBounds(o: OverrideRow): { start: string; end: string } {
  if (o.start === null || o.end === null) {
    throw new RangeError(`override ${o.id} of kind ${o.kind} needs start and end times`);
  }
  return { start: o.start, end: o.end };
}

/** Higher priority wins; then the most recently created; then the larger id, so input order never matters. */
function beats(a: OverrideRow, b: OverrideRow): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs > b.createdAtMs;
  return a.id > b.id;
}

/** Sorts, drops empty intervals and merges overlapping or touching ones. */
function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((w) => w.endMs > w.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: Interval[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && w.startMs <= last.endMs) {
      if (w.endMs > last.endMs) last.endMs = w.endMs;
    } else {
      out.push({ startMs: w.startMs, endMs: w.endMs });
    }
  }
  return out;
}

/** Removes [block) from sorted disjoint windows, splitting where needed; keeps the order. */
function subtract(windows: Interval[], block: Interval): Interval[] {
  if (block.endMs <= block.startMs) return windows;
  const out: Interval[] = [];
  for (const w of windows) {
    if (block.endMs <= w.startMs || block.startMs >= w.endMs) {
      out.push(w);
      continue;
    }
    if (w.startMs < block.startMs) out.push({ startMs: w.startMs, endMs: block.startMs });
    if (block.endMs < w.endMs) out.push({ startMs: block.endMs, endMs: w.endMs });
  }
  return out;
}

function workingWindows(input: DayInput, resolve: Resolve, dayWall: number, weekday: number): Interval[] {
  const { date } = input;

  let closed = false;
  let hours: OverrideRow | null = null;
  const blocks: OverrideRow[] = [];
  for (const o of input.overrides) {
    if (!(o.startDate <= date && date <= o.endDate)) continue;
    if (o.kind === 'closed') closed = true;
    else if (o.kind === 'hours') {
      if (hours === null || beats(o, hours)) hours = o;
    } else blocks.push(o);
  }
  // A closure is never re-opened, so nothing else needs resolving.
  if (closed) return [];

  let windows: Interval[];
  if (hours !== null) {
    const b = overrideBounds(hours);
    windows = mergeIntervals([boundsToInterval(resolve, dayWall, b.start, b.end)]);
  } else {
    // YYYY-MM-DD compares correctly as a string.
    const applies = (r: ScheduleWindowRow): boolean =>
      r.dayOfWeek === weekday && r.effectiveFrom <= date && (r.effectiveUntil === null || date <= r.effectiveUntil);
    let version: string | null = null;
    for (const r of input.schedule) {
      if (applies(r) && (version === null || r.effectiveFrom > version)) version = r.effectiveFrom;
    }
    const weekly: Interval[] = [];
    for (const r of input.schedule) {
      if (applies(r) && r.effectiveFrom === version) weekly.push(boundsToInterval(resolve, dayWall, r.start, r.end));
    }
    windows = mergeIntervals(weekly);
  }

  for (const o of blocks) {
    if (windows.length === 0) break;
    const b = overrideBounds(o);
    // Edges as for a window, so a block in the repeated hour covers both of its occurrences.
    windows = subtract(windows, boundsToInterval(resolve, dayWall, b.start, b.end));
  }
  return windows;
}

// ─── slots (docs/domain.md §3, rules 3 and 4) ────────────────────────────────────────────────────

function sortedNonEmpty(intervals: Interval[]): Interval[] {
  return intervals.filter((i) => i.endMs > i.startMs).sort((a, b) => a.startMs - b.startMs);
}

function requireMinutes(name: string, value: number, min: number, strict: boolean): number {
  if (!Number.isFinite(value) || value < min || (strict && value === min)) {
    throw new RangeError(`${name} must be a finite number ${strict ? '>' : '>='} ${min}, got ${value}`);
  }
  return value * MINUTE_MS;
}

export function computeDaySlots(input: DayInput): DayResult {
  const zone = requireZone(input.timezone);
  const dayWall = requireDateWallMs(input.date);
  const stepMs = requireMinutes('slotStepMinutes', input.slotStepMinutes, 0, true);
  const durationMs = requireMinutes('durationMinutes', input.durationMinutes, 0, true);
  const bufferMs = requireMinutes('bufferMinutes', input.bufferMinutes, 0, false);
  const windows = workingWindows(input, dayResolver(zone, dayWall), dayWall, weekdayOfWallMs(dayWall));
  if (windows.length === 0) return { windows, slots: [] };

  // Windows are sorted, disjoint and never touch, so starts come out strictly increasing.
  const slots: ComputedSlot[] = [];
  for (const w of windows) {
    for (let start = w.startMs; start + durationMs <= w.endMs; start += stepMs) {
      slots.push({ startMs: start, endMs: start + durationMs, status: 'available' });
    }
  }

  // Sweep: every occupied interval has the same length, so both its start and its end increase
  // with the slot. An interval overlaps [s, e) iff it starts before e and ends after s; the
  // intervals starting before e are a growing prefix of the sorted list, so keeping the largest
  // end seen in that prefix answers "does any of them end after s" in O(1) per slot.
  const occupiedMs = durationMs + bufferMs;
  const bookings = sortedNonEmpty(input.bookings);
  const holds = sortedNonEmpty(input.holds);
  let bi = 0;
  let hi = 0;
  let bookedUntil = -Infinity;
  let heldUntil = -Infinity;
  for (const slot of slots) {
    const end = slot.startMs + occupiedMs;
    while (bi < bookings.length && bookings[bi].startMs < end) {
      if (bookings[bi].endMs > bookedUntil) bookedUntil = bookings[bi].endMs;
      bi++;
    }
    while (hi < holds.length && holds[hi].startMs < end) {
      if (holds[hi].endMs > heldUntil) heldUntil = holds[hi].endMs;
      hi++;
    }
    if (bookedUntil > slot.startMs) slot.status = 'booked';
    else if (heldUntil > slot.startMs) slot.status = 'held';
  }

  return { windows, slots };
}

// ─── "now" (docs/domain.md §3, rule 5) ───────────────────────────────────────────────────────────

/** First index whose startMs >= t, in slots sorted by startMs. */
function lowerBound(slots: readonly { startMs: number }[], t: number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (slots[mid].startMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The local date (YYYY-MM-DD) of instant `ms` in `zone`. Throws RangeError for an invalid zone.
 */
export function localDateAt(ms: number, zone: string): string {
  if (!Number.isFinite(ms)) throw new RangeError('localDateAt needs a finite instant');
  const wall = ms + offsetMs(requireZone(zone), ms);
  return new Date(wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS)).toISOString().slice(0, 10);
}

/** The date `days` after `date` (YYYY-MM-DD, proleptic Gregorian, days may be negative). */
export function addLocalDays(date: string, days: number): string {
  return new Date(requireDateWallMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** What the horizon is at one "now": valid for every now in [fromMs, untilMs) (today in the zone). */
export interface Horizon {
  /** Today's local date at that now. */
  today: string;
  /** The last local date that may hold a bookable start: today + horizonDays. */
  lastDate: string;
  /** The end of that date (its 24:00, resolved as a window end): bookable starts are before it. */
  endMs: number;
  /** Today's local day, the range of "now" this answer holds for. */
  fromMs: number;
  untilMs: number;
}

/**
 * The booking horizon counted in calendar days of the stylist's zone (docs/domain.md §3, rule 5):
 * the last bookable day is today + `horizonDays`, bookable whole, whatever the time of day now.
 * Throws RangeError for an invalid zone or a non-finite input.
 */
export function horizonAt(nowMs: number, horizonDays: number, zone: string): Horizon {
  if (!Number.isFinite(nowMs) || !Number.isInteger(horizonDays)) throw new RangeError('horizonAt needs a finite now and whole days');
  const z = requireZone(zone);
  const today = localDateAt(nowMs, zone);
  const todayWall = requireDateWallMs(today);
  const lastDate = addLocalDays(today, horizonDays);
  return {
    today,
    lastDate,
    endMs: wallToInstant(z, requireDateWallMs(lastDate) + DAY_MS, 'end'),
    fromMs: wallToInstant(z, todayWall, 'start'),
    untilMs: wallToInstant(z, todayWall + DAY_MS, 'end'),
  };
}

/**
 * Index range [from, to) of slots that may be booked at `nowMs`: start >= now + minNotice and
 * start < `horizonEndMs` (the end of the last bookable day, `horizonAt(...).endMs`). Slots outside
 * it are reported 'unavailable' when answering. `slots` must be sorted by startMs (as
 * computeDaySlots returns them).
 */
export function bookableRange(
  slots: readonly { startMs: number }[],
  nowMs: number,
  minNoticeMinutes: number,
  horizonEndMs: number,
): { from: number; to: number } {
  if (!Number.isFinite(nowMs) || !Number.isFinite(minNoticeMinutes) || !Number.isFinite(horizonEndMs)) {
    throw new RangeError('bookableRange needs finite nowMs, minNoticeMinutes and horizonEndMs');
  }
  const from = lowerBound(slots, nowMs + minNoticeMinutes * MINUTE_MS);
  const to = lowerBound(slots, horizonEndMs);
  return { from, to: Math.max(from, to) };
}
