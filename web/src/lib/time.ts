// Dates and times without a date library: local dates are 'YYYY-MM-DD' strings, instants are ISO
// strings, and everything a person reads is formatted by Intl in the browser's locale. A wall time
// the clocks show twice (a fall-back's repeated hour) is written with its offset, as the server's
// slot displays are (server/contract/wall-clock.ts).
import { canonicalZone, labelRepeated, offsetMinutes, sameZone } from '../../../server/contract/wall-clock.ts';

const dateParts = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `instant` in `zone`, as YYYY-MM-DD. */
export function dateIn(zone: string, instant: number | Date = Date.now()): string {
  let f = dateParts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateParts.set(zone, f);
  }
  const p = f.formatToParts(instant);
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function utcOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

export function addDays(date: string, days: number): string {
  return new Date(utcOf(date) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first day of the month `months` after the month of `date` (YYYY-MM-01). */
export function addMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return d.toISOString().slice(0, 10);
}

/** Every date of the month of `date`, first to last. */
export function monthDates(date: string): string[] {
  const first = date.slice(0, 8) + '01';
  const n = daysBetween(first, addMonths(first, 1));
  return Array.from({ length: n }, (_, i) => addDays(first, i));
}

/** 0 = Sunday … 6 = Saturday, as in the schedule API. */
export function weekdayOf(date: string): number {
  return new Date(utcOf(date)).getUTCDay();
}

export function daysBetween(from: string, to: string): number {
  return Math.round((utcOf(to) - utcOf(from)) / 86_400_000);
}

/** Minutes since midnight of `instant` in `zone`. */
export function minutesInZone(instant: string | number, zone: string): number {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const [h, m] = f.format(new Date(instant)).split(':').map(Number);
  return h * 60 + m;
}

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Whether two zone names are the same zone (browsers report some under old aliases: Asia/Katmandu). */
export { sameZone };

/** The place a zone is named after, for reading: "Kathmandu", "New York", "UTC". */
export function zonePlace(zone: string): string {
  const parts = zone.split('/');
  return (parts.length > 1 && parts[0] !== 'Etc' ? parts[parts.length - 1] : zone).replace(/_/g, ' ');
}

/** How every time names its zone: "Kathmandu time". */
export function zoneTimeName(zone: string): string {
  return `${zonePlace(zone)} time`;
}

/**
 * The zones a person may pick, one name per zone (the runtime lists some under old aliases), with
 * `preferred` names (the salon's spelling, the current choice) kept over their aliases.
 */
export function pickableZones(preferred: string[]): string[] {
  const seen = new Map<string, string>();
  for (const z of [...preferred, ...allZones()]) {
    const key = canonicalZone(z) ?? z;
    if (!seen.has(key)) seen.set(key, z);
  }
  return [...seen.values()];
}

export function allZones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  return supported ? supported('timeZone') : ['UTC', 'Asia/Kathmandu', 'Asia/Kolkata', 'Europe/London', 'America/New_York'];
}

// Formatting: `undefined` locale = the browser's.
const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, opts);
    fmtCache.set(key, f);
  }
  return f;
}

/** "10:30 AM" in `zone`; in a repeated hour, with its offset: "1:00 AM −04:00". */
export function formatTime(instant: string | number, zone: string): string {
  const ms = new Date(instant).getTime();
  return labelRepeated(fmt(`t|${zone}`, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(ms), ms, zone);
}

/** "Sat, Dec 5, 10:30 AM" in `zone` (the browser's without one), labelled in a repeated hour as formatTime. */
export function formatDateTime(instant: string | number, zone?: string): string {
  const ms = new Date(instant).getTime();
  const text = fmt(`dt|${zone}`, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  }).format(ms);
  return zone ? labelRepeated(text, ms, zone) : text;
}

/**
 * The same instant in the customer's own zone, as a second line under the salon's time: "" when
 * the two zones are one. `withDate`: always with the date; otherwise the weekday only when the
 * customer's date differs from the salon's ("11:45 PM Fri").
 */
export function otherZoneTime(instant: string | number, salonZone: string, yourZone: string, withDate = false): string {
  if (sameZone(salonZone, yourZone)) return '';
  const ms = new Date(instant).getTime();
  if (withDate) return formatDateTime(ms, yourZone);
  const time = formatTime(ms, yourZone);
  return dateIn(yourZone, ms) === dateIn(salonZone, ms)
    ? time
    : `${time} ${fmt(`wdz|${yourZone}`, { timeZone: yourZone, weekday: 'short' }).format(ms)}`;
}

/** A local date (YYYY-MM-DD) for reading: "Tue 12 Mar". */
export function formatDay(date: string, style: 'short' | 'long' = 'short'): string {
  const opts: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
      : { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' };
  return fmt(`d|${style}`, opts).format(new Date(utcOf(date)));
}

export function formatWeekday(date: string): string {
  return fmt('wd', { timeZone: 'UTC', weekday: 'short' }).format(new Date(utcOf(date)));
}

export function formatDayNumber(date: string): string {
  return fmt('dn', { timeZone: 'UTC', day: 'numeric' }).format(new Date(utcOf(date)));
}

export function formatMonth(date: string): string {
  return fmt('mo', { timeZone: 'UTC', month: 'short' }).format(new Date(utcOf(date)));
}

/**
 * A price in the currency the catalogue states (the server's CURRENCY); without one (nothing loaded
 * yet, or a code this browser does not know) the plain amount.
 */
export function formatPrice(cents: number, currency?: string | null): string {
  const digits = { maximumFractionDigits: cents % 100 ? 2 : 0, minimumFractionDigits: cents % 100 ? 2 : 0 };
  if (currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency, ...digits }).format(cents / 100);
    } catch {
      // RangeError: not a well-formed currency code. Fall through to the plain amount.
    }
  }
  return new Intl.NumberFormat(undefined, digits).format(cents / 100);
}

/** The one way the app writes a length of time: "45 min", "1 h", "1 h 30 min". */
export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? (m ? `${h} h ${m} min` : `${h} h`) : `${m} min`;
}

/** "4:59" for a countdown. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatClock(instant: number | string): string {
  return fmt('clock', { hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

/**
 * The instant of a wall time (`minutes` after midnight of `date`) in `zone`: in a repeated hour the
 * first of the two; a time the clocks skip is read with the offset before the change (2:30 on a
 * spring-forward night is 3:30).
 */
export function instantAt(date: string, minutes: number, zone: string): number {
  const guess = utcOf(date) + minutes * 60_000;
  const near = offsetMinutes(guess, zone);
  const offsets = [...new Set([offsetMinutes(guess - near * 60_000, zone), near])];
  const valid = offsets.map((o) => guess - o * 60_000).filter((ms) => guess - offsetMinutes(ms, zone) * 60_000 === ms);
  return valid.length ? Math.min(...valid) : guess - Math.min(...offsets) * 60_000;
}
