// Dates and times without a date library: local dates are 'YYYY-MM-DD' strings, instants are ISO
// strings, and everything a person reads is formatted by Intl in the browser's locale.

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
export function sameZone(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const canonical = (z: string) => new Intl.DateTimeFormat('en', { timeZone: z }).resolvedOptions().timeZone;
    return canonical(a) === canonical(b);
  } catch {
    return false;
  }
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

export function formatTime(instant: string | number, zone: string): string {
  return fmt(`t|${zone}`, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

export function formatDateTime(instant: string | number, zone?: string): string {
  return fmt(`dt|${zone}`, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(
    new Date(instant),
  );
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
