// How a time is written for a person, shared by the server (the slots' `display` strings) and the
// web app (every time it shows): zone names compared by what they mean, not how they are spelled,
// and a wall time the clocks show twice (the repeated hour of a fall-back) written with its UTC
// offset so the two can be told apart. Intl only: no Node imports, no zod, no luxon.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Bound of each memo below: zone names in use are few; arbitrary input cannot grow memory. */
const MAX_ZONES = 1000;

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size >= MAX_ZONES) map.clear();
  map.set(key, value);
  return value;
}

const canonical = new Map<string, string | null>();

/**
 * The runtime's canonical name of an IANA zone (aliases and case variants give one name:
 * `Asia/Katmandu`, `Asia/Kathmandu` and `asia/kathmandu` all give the same), or null for a name
 * the runtime does not know. Numeric offsets (`+05:45`) are not zones here.
 */
export function canonicalZone(zone: string): string | null {
  let c = canonical.get(zone);
  if (c !== undefined) return c;
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64 || zone[0] === '+' || zone[0] === '-') return null;
  try {
    c = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    c = null;
  }
  return remember(canonical, zone, c);
}

/** Whether two zone names are the same zone (an alias, or another spelling, of one another). */
export function sameZone(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = canonicalZone(a);
  return ca !== null && ca === canonicalZone(b);
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in minutes (−300 for New York in winter). */
export function offsetMinutes(ms: number, zone: string): number {
  const f =
    offsetFormats.get(zone) ??
    remember(offsetFormats, zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset', year: 'numeric' }));
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // "GMT-05:00", "GMT+05:45", or plain "GMT" at offset zero.
  const m = /([+\u2212-])(\d{1,2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '+' ? minutes : -minutes;
}

/** "−04:00", "+05:45", "+00:00" (a typographic minus: this is for reading). */
export function formatOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '\u2212' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * Whether the wall time at `ms` in `zone` is shown by the clocks twice that day (it lies in the
 * repeated hour of a fall-back). Each offset the zone has within a day of `ms` gives one other
 * instant that could show the same wall time; it does if the zone really has that offset there.
 */
export function isRepeatedWallTime(ms: number, zone: string): boolean {
  const o = offsetMinutes(ms, zone);
  for (const probe of [ms - DAY_MS, ms + DAY_MS]) {
    const other = offsetMinutes(probe, zone);
    if (other !== o && offsetMinutes(ms + (o - other) * MINUTE_MS, zone) === other) return true;
  }
  return false;
}

/**
 * Whether any wall time in [fromMs, toMs] can be a repeated one: false when the zone keeps one
 * offset from a day before to a day after (the common case, three look-ups for a whole day).
 */
export function mayRepeat(fromMs: number, toMs: number, zone: string): boolean {
  const o = offsetMinutes(fromMs - DAY_MS, zone);
  return offsetMinutes(toMs + DAY_MS, zone) !== o || offsetMinutes(fromMs, zone) !== o || offsetMinutes(toMs, zone) !== o;
}

/** `text` (a wall time at `ms` in `zone`), followed by the UTC offset when that wall time is repeated. */
export function labelRepeated(text: string, ms: number, zone: string): string {
  return isRepeatedWallTime(ms, zone) ? `${text} ${formatOffset(offsetMinutes(ms, zone))}` : text;
}
