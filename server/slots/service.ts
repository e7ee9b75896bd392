import { DateTime } from 'luxon';
import type { Pool } from '../db/pool.ts';
import type { Slot, SlotStatus } from '../contract/slots.ts';
import { AppError } from '../errors.ts';
import { fnv1a } from '../hash.ts';
import { SlotCache, type CachedDay, type DayKey } from './cache.ts';
import { canonicalZone, labelRepeated, mayRepeat, offsetMinutes } from '../contract/wall-clock.ts';
import { addLocalDays, bookableRange, computeDaySlots, horizonAt, isValidZone, type Horizon, type Interval } from './engine.ts';
import { loadDay, type LoadedDay, type StylistDaySettings } from './load.ts';

interface EntrySlot {
  startMs: number;
  startUtc: string;
  endUtc: string;
  startLocal: string;
  /** "10:30 AM" in the stylist's zone, with the offset in a repeated hour. */
  localDisplay: string;
  status: Exclude<SlotStatus, 'unavailable'>;
}

/**
 * One rendered answer: the slots, and the same as a body encoded once (its bytes are the answer's
 * identity: a transport may memoise what it derives from them, as the REST route does its headers).
 */
export interface Rendered {
  slots: Slot[];
  /** The body as sent (the slots' JSON), encoded once. */
  bytes: Buffer;
  /** A weak validator of these bytes. */
  etag: string;
  /** When the day was computed (ISO instant) and the availability version it was computed at. */
  computedAt: string;
  version: number;
}

/** One computed day: what the engine said, before "now" and the customer's zone are applied. */
export interface DayEntry extends CachedDay {
  key: DayKey;
  settings: StylistDaySettings;
  version: number;
  computedAtMs: number;
  computedAt: string;
  windows: Interval[];
  /** A closure override (salon-wide or the stylist's) covers the date. */
  closed: boolean;
  slots: EntrySlot[];
  /** The stylist's zone by its canonical name: a customer zone naming the same zone renders as none. */
  zoneKey: string;
  /** Rendered answers by (customer zone, bookable range): the cached path does no per-slot work. */
  rendered: Map<string, Rendered>;
}

export interface SlotAnswer extends Rendered {
  entry: DayEntry;
  hit: boolean;
}

/** What the REST route sends: a computed day, or OUTSIDE_WINDOW (no ETag, time or version). */
export type Sendable = Pick<SlotAnswer, 'bytes' | 'etag' | 'hit'> & { computedAt: string | null; version: number | null };

/**
 * The answer for a day outside the stylist's bookable window: no slots, computed by nobody, cached
 * nowhere. No ETag (nothing to revalidate: the same request may get a real day once the window moves).
 */
export const OUTSIDE_WINDOW: Sendable = { bytes: Buffer.from('[]'), etag: '', hit: false, computedAt: null, version: null };

/** What decides a stylist's bookable window of local dates. */
interface StylistWindow {
  timezone: string;
  horizonDays: number;
}

/**
 * Whether `date` (the stylist's local date) is in the window a slot query may ask about: from the
 * day before today in the stylist's zone (a customer behind it in time may still be on it) to the
 * horizon's last day (today + horizonDays, bookable whole: the engine's horizonAt, as the answers
 * and the booking checks use it). The dates are YYYY-MM-DD within the API's window, so they
 * compare as strings.
 */
export function inBookableWindow(date: string, w: StylistWindow, nowMs: number): boolean {
  const h = horizonFor(w.timezone, w.horizonDays, nowMs);
  return date >= addLocalDays(h.today, -1) && date <= h.lastDate;
}

const horizons = new Map<string, Horizon>();

/**
 * The engine's horizon for (zone, days) at `nowMs`, memoised while "now" stays within the same
 * local day (the answer changes only at the stylist's midnight): the cached path pays a map lookup.
 */
export function horizonFor(zone: string, horizonDays: number, nowMs: number): Horizon {
  const k = `${zone}|${horizonDays}`;
  let h = horizons.get(k);
  if (!h || nowMs < h.fromMs || nowMs >= h.untilMs) {
    h = horizonAt(nowMs, horizonDays, zone);
    if (horizons.size >= 1000) horizons.clear();
    horizons.set(k, h);
  }
  return h;
}

/** Stylists whose window is remembered: far more than a salon has; only existing stylists get in. */
const MAX_WINDOWS = 10_000;

// Rendered variants kept per entry: the stylist's zone and a few customer zones, each for the
// current bookable range (it moves as "now" passes a slot). An entry is charged for what it holds:
// the computed day when stored, each variant when rendered (the cache is told: SlotCache.recharge).
// Measured heap and buffers (V8, Node 24, days of 7 to 28 slots; docs/benchmarks.md, "The
// cache's bytes"): a computed day ≈ 1.8 KB + 220 B a slot; a variant ≈ 0.4 KB + 130 B a slot + its body.
const MAX_RENDERED = 4;
const ENTRY_BYTES = 1800;
const ENTRY_BYTES_PER_SLOT = 220;
const RENDERED_BYTES = 400;
const RENDERED_BYTES_PER_SLOT = 130;
/** A flat copy of a string built by concatenation (luxon's toISO: a rope of ≈ 250 B instead of ≈ 50 B). */
const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');
const displayFormats = new Map<string, Intl.DateTimeFormat>();

function displayFormat(zone: string): Intl.DateTimeFormat {
  let f = displayFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: zone });
    if (displayFormats.size > 1000) displayFormats.clear();
    displayFormats.set(zone, f);
  }
  return f;
}

const validZones = new Map<string, boolean>();
function checkZone(zone: string | undefined): void {
  if (zone !== undefined && !knownZone(zone)) throw new AppError('UNKNOWN_TIMEZONE', `Unknown time zone: ${zone}`);
}

/**
 * The key a customer zone renders and is watched under: its canonical name, so aliases and other
 * spellings (`Asia/Katmandu`, `asia/kathmandu`) share one rendering and one watch room; '' for none.
 */
export function zoneKeyOf(zone: string | undefined): string {
  return zone ? (canonicalZone(zone) ?? zone) : '';
}

/** IANA zone check, memoised (a bounded map: zone names are few and the check is not free). */
export function knownZone(zone: string): boolean {
  let ok = validZones.get(zone);
  if (ok === undefined) {
    ok = isValidZone(zone);
    if (validZones.size > 1000) validZones.clear();
    validZones.set(zone, ok);
  }
  return ok;
}

export interface SlotServiceOptions {
  pool: Pool;
  cacheEnabled: boolean;
  cacheMaxBytes: number;
  cacheTtlMs: number;
  now?: () => number;
}

/**
 * Slot answers for (stylist, service, date): served from the LRU cache unless the cache is off or
 * not trusted (the notification listener is down), computed from one round trip otherwise.
 */
export class SlotService {
  readonly cache: SlotCache<DayEntry>;
  readonly cacheEnabled: boolean;
  /** False while the relay cannot vouch that the cache has seen every event (it says so through setTrusted). */
  #trusted = true;
  readonly now: () => number;
  #pool: Pool;
  /**
   * stylistId → zone and horizon, so a miss for a day outside the window costs no query. Trusted
   * only while the cache is (the relay has seen every event); dropped with the stylist's every-date
   * invalidation (schedule.changed, stylist.changed: the stylists row or its services changed) and
   * with invalidateAll (a salon-wide change, the relay reconnecting).
   */
  #windows = new Map<string, StylistWindow>();
  /** Bumped whenever #windows loses entries: a read that began before must not store its result. */
  #windowsGeneration = 0;
  #emptied: (() => void)[] = [];

  constructor(opts: SlotServiceOptions) {
    this.#pool = opts.pool;
    this.now = opts.now ?? Date.now;
    this.cacheEnabled = opts.cacheEnabled;
    this.cache = new SlotCache<DayEntry>({
      maxBytes: opts.cacheMaxBytes,
      ttlMs: opts.cacheTtlMs,
      now: this.now,
      load: (key) => this.compute(key),
    });
  }

  get trusted(): boolean {
    return this.#trusted;
  }

  /** Grows whenever a stylist-wide or salon-wide change is invalidated: what is derived from the roster of stylists must be read again. */
  get stylistsGeneration(): number {
    return this.#windowsGeneration;
  }

  /** The cache's counters and size, and the trust flag, as the metrics read them at scrape time. */
  cacheStats() {
    return { ...this.cache.stats, entries: this.cache.size, bytes: this.cache.bytes, trusted: this.#trusted };
  }

  /**
   * The relay's verdict on the cache. Regaining trust drops every entry (and load in flight): they
   * may predate events the relay never saw as notifications. Returns whether the flag changed.
   */
  setTrusted(trusted: boolean): boolean {
    if (trusted === this.#trusted) return false;
    if (trusted) this.invalidateAll();
    this.#trusted = trusted;
    return true;
  }

  async day(key: DayKey): Promise<{ entry: DayEntry; hit: boolean }> {
    if (this.cacheEnabled && this.trusted) {
      const { value, hit } = await this.cache.get(key);
      return { entry: value, hit };
    }
    return { entry: await this.compute(key), hit: false };
  }

  async answer(key: DayKey, customerZone: string | undefined): Promise<SlotAnswer> {
    checkZone(customerZone);
    const { entry, hit } = await this.day(key);
    return this.#reply(entry, customerZone, hit);
  }

  /**
   * The answer when it is already cached (and the cache is on and trusted), synchronously: the hot
   * path pays for no promise. Null when it must be loaded; throws for a bad zone.
   */
  answerCached(key: DayKey, customerZone: string | undefined): SlotAnswer | null {
    if (!this.cacheEnabled || !this.trusted) return null;
    checkZone(customerZone);
    const entry = this.cache.peek(key);
    return entry ? this.#reply(entry, customerZone, true) : null;
  }

  /**
   * The REST route's miss path: a day outside the stylist's bookable window answers OUTSIDE_WINDOW
   * and is never loaded into the cache. While the cache is trusted the window comes from memory (one
   * small query the first time a stylist is asked about); otherwise the day is loaded (as every
   * request is then) and its settings decide.
   */
  async answerBookable(key: DayKey, customerZone: string | undefined): Promise<SlotAnswer | Sendable> {
    checkZone(customerZone);
    if (this.trusted) {
      const w = this.#windows.get(key.stylistId) ?? (this.cacheEnabled ? await this.#loadWindow(key.stylistId) : undefined);
      if (w) return inBookableWindow(key.date, w, this.now()) ? this.answer(key, customerZone) : OUTSIDE_WINDOW;
    }
    const generation = this.#windowsGeneration;
    const a = await this.answer(key, customerZone);
    const w = { timezone: a.entry.settings.timezone, horizonDays: a.entry.settings.horizonDays };
    this.#rememberWindow(key.stylistId, w, generation);
    return inBookableWindow(key.date, w, this.now()) ? a : OUTSIDE_WINDOW;
  }

  /** Whether the day is known, from memory, to be outside the stylist's bookable window (answered without any work). */
  knownOutsideWindow(key: DayKey): boolean {
    const w = this.trusted ? this.#windows.get(key.stylistId) : undefined;
    return w !== undefined && !inBookableWindow(key.date, w, this.now());
  }

  async #loadWindow(stylistId: string): Promise<StylistWindow> {
    const generation = this.#windowsGeneration;
    const { rows } = await this.#pool.query<{ timezone: string; horizon_days: number }>(
      'select timezone, horizon_days from stylists where id = $1 and active',
      [stylistId],
    );
    if (!rows[0]) throw new AppError('NOT_FOUND', 'Unknown stylist or service, or the stylist does not offer this service');
    const w = { timezone: rows[0].timezone, horizonDays: rows[0].horizon_days };
    this.#rememberWindow(stylistId, w, generation);
    return w;
  }

  #rememberWindow(stylistId: string, w: StylistWindow, generation: number): void {
    if (!this.trusted || generation !== this.#windowsGeneration) return;
    if (this.#windows.size >= MAX_WINDOWS) this.#windows.clear();
    this.#windows.set(stylistId, w);
  }

  #forgetWindows(stylistId: string | null): void {
    this.#windowsGeneration++;
    if (stylistId === null) this.#windows.clear();
    else this.#windows.delete(stylistId);
  }

  #reply(entry: DayEntry, customerZone: string | undefined, hit: boolean): SlotAnswer {
    const charged = entry.bytes;
    const r = render(entry, customerZone, this.now());
    if (entry.bytes !== charged) this.cache.recharge(entry.key, entry);
    return { ...r, entry, hit };
  }

  /**
   * Stores a day loaded ahead of any read (./prefill.ts), from rows read at the cache's `epoch`:
   * only while the cache is on and trusted, and only as SlotCache.fill allows (nothing invalidated
   * since, not already cached or loading, room within the bound and `limitBytes`). Returns whether it was stored.
   */
  fill(key: DayKey, day: LoadedDay, epoch: number, limitBytes?: number): boolean {
    if (!this.cacheEnabled || !this.#trusted || !this.cache.fillable(key, epoch)) return false;
    return this.cache.fill(key, this.entryOf(key, day), epoch, limitBytes);
  }

  /** Loads and computes one day, never from the cache. */
  async compute(key: DayKey): Promise<DayEntry> {
    const day = await loadDay(this.#pool, key);
    if (!day) throw new AppError('NOT_FOUND', 'Unknown stylist or service, or the stylist does not offer this service');
    return this.entryOf(key, day);
  }

  /** The cache entry of a loaded day: the engine's slots, with their times written once. */
  entryOf(key: DayKey, day: LoadedDay): DayEntry {
    const { windows, slots } = computeDaySlots(day.input);
    const zone = day.settings.timezone;
    const durationMs = day.settings.durationMinutes * 60_000;
    const fmt = displayFormat(zone);
    const repeats = slots.length > 0 && mayRepeat(slots[0].startMs, slots[slots.length - 1].startMs, zone);
    // One offset all day (the common case): the times are written by arithmetic, not per slot by luxon and Intl.
    const fixed = slots.length > 0 && !repeats ? steadyOffset(slots[0].startMs, zone, fmt) : null;
    const entrySlots: EntrySlot[] = slots.map((s) => ({
      startMs: s.startMs,
      startUtc: new Date(s.startMs).toISOString(),
      endUtc: new Date(s.startMs + durationMs).toISOString(),
      // ASCII (an ISO date-time), so latin1 copies it exactly.
      startLocal: flat(fixed === null ? DateTime.fromMillis(s.startMs, { zone }).toISO()! : isoLocal(s.startMs, fixed)),
      localDisplay: fixed === null ? displayText(fmt, s.startMs, zone, repeats) : flat(clockText(s.startMs, fixed)),
      status: s.status,
    }));
    const computedAtMs = this.now();
    return {
      key,
      settings: day.settings,
      version: day.version,
      computedAtMs,
      computedAt: new Date(computedAtMs).toISOString(),
      windows,
      closed: day.input.overrides.some((o) => o.kind === 'closed' && o.startDate <= key.date && key.date <= o.endDate),
      slots: entrySlots,
      zoneKey: canonicalZone(zone) ?? zone,
      rendered: new Map(),
      bytes: ENTRY_BYTES + entrySlots.length * ENTRY_BYTES_PER_SLOT,
      // The cache's clock, shifted by how far this holds' expiry is from the database's clock.
      expiresAtMs: day.earliestHoldExpiryMs === Infinity ? Infinity : computedAtMs + (day.earliestHoldExpiryMs - day.dbNowMs),
    };
  }

  invalidate(stylistId: string, dates: readonly string[] | null): number {
    if (dates === null) this.#forgetWindows(stylistId);
    return this.cache.invalidate(stylistId, dates);
  }

  invalidateDates(dates: readonly string[]): number {
    return this.cache.invalidateDates(dates);
  }

  invalidateAll(): number {
    this.#forgetWindows(null);
    const n = this.cache.invalidateAll();
    for (const f of this.#emptied) f();
    return n;
  }

  /** Calls `f` after every emptying of the whole cache (regaining trust, a salon-wide change), while trusted or not. */
  onEmptied(f: () => void): void {
    this.#emptied.push(f);
  }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `ms` as an ISO local date-time at a UTC offset of `offsetMin` minutes, as luxon writes it: "2027-03-10T09:00:00.000+05:45". */
function isoLocal(ms: number, offsetMin: number): string {
  const a = Math.abs(offsetMin);
  const offset = `${offsetMin < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
  return new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23) + offset;
}

/** `ms` on a 12-hour clock at a UTC offset of `offsetMin` minutes, as displayText writes it (en-US): "9:00 AM". */
function clockText(ms: number, offsetMin: number): string {
  const minutes = (((Math.floor(ms / 60_000) + offsetMin) % 1440) + 1440) % 1440;
  const h = Math.floor(minutes / 60);
  return `${h % 12 || 12}:${pad2(minutes % 60)} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * For a day on which `zone` keeps one offset (mayRepeat said so): that offset in minutes, when the
 * arithmetic above writes the day's first instant exactly as luxon and Intl do (checked once a day,
 * so a zone luxon writes as "Z" or an ICU that writes otherwise keeps the slow path); else null.
 */
function steadyOffset(ms: number, zone: string, clock: Intl.DateTimeFormat, date?: Intl.DateTimeFormat): number | null {
  const o = offsetMinutes(ms, zone);
  // How a zone's times are written depends only on the zone and its offset: checked once for each.
  const k = `${date ? 'd' : 'i'}|${zone}|${o}`;
  let same = writtenAlike.get(k);
  if (same === undefined) {
    same =
      clockText(ms, o) === displayText(clock, ms, zone, false) &&
      (date ? isoLocal(ms, o).slice(0, 10) === date.format(ms) : isoLocal(ms, o) === DateTime.fromMillis(ms, { zone }).toISO());
    if (writtenAlike.size >= 1000) writtenAlike.clear();
    writtenAlike.set(k, same);
  }
  return same ? o : null;
}
const writtenAlike = new Map<string, boolean>();

/** "10:30 AM" (en-US) at `ms` in `zone`; in a repeated hour, with the offset: "1:00 AM −04:00". */
function displayText(fmt: Intl.DateTimeFormat, ms: number, zone: string, mayBeRepeated: boolean): string {
  const text = fmt.format(ms).replace(/\u202f/g, ' ');
  return mayBeRepeated ? labelRepeated(text, ms, zone) : text;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** One instant as the grid writes it in `zone` (the repeated hour labelled): for slots composed across zones. */
export function displayIn(ms: number, zone: string): string {
  return displayText(displayFormat(zone), ms, zone, true);
}

function dateFormat(zone: string): Intl.DateTimeFormat {
  let f = dateFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (dateFormats.size > 1000) dateFormats.clear();
    dateFormats.set(zone, f);
  }
  return f;
}

/**
 * Applies "now" and the customer's zone to a computed day. Results are memoised on the entry by
 * (zone, bookable range), so a cached answer costs two binary searches and a map lookup. The zone
 * is keyed by its canonical name, and one naming the stylist's own zone is keyed as none: aliases
 * share a rendering.
 */
export function render(entry: DayEntry, customerZone: string | undefined, nowMs: number): Rendered {
  const local = entry.settings.timezone;
  let zoneKey = zoneKeyOf(customerZone);
  if (zoneKey === entry.zoneKey) zoneKey = '';
  const { minNoticeMinutes, horizonDays } = entry.settings;
  const { from, to } = bookableRange(entry.slots, nowMs, minNoticeMinutes, horizonFor(local, horizonDays, nowMs).endMs);
  const memoKey = `${zoneKey}|${from}|${to}`;
  let r = entry.rendered.get(memoKey);
  if (r) return r;
  // No zone (or the stylist's own) shows the stylist's time, spelt as the stylist's zone is.
  const zone = zoneKey || local;
  const fmt = zoneKey ? displayFormat(zone) : null;
  const dates = zoneKey ? dateFormat(zone) : null;
  const n = entry.slots.length;
  const repeats = zoneKey !== '' && n > 0 && mayRepeat(entry.slots[0].startMs, entry.slots[n - 1].startMs, zone);
  const fixed = fmt && dates && n > 0 && !repeats ? steadyOffset(entry.slots[0].startMs, zone, fmt, dates) : null;
  const slots: Slot[] = entry.slots.map((s, i) => ({
    startUtc: s.startUtc,
    endUtc: s.endUtc,
    startLocal: s.startLocal,
    localDisplay: s.localDisplay,
    localZone: local,
    display: fixed !== null ? clockText(s.startMs, fixed) : fmt ? displayText(fmt, s.startMs, zone, repeats) : s.localDisplay,
    displayZone: zone,
    displayDate: fixed !== null ? isoLocal(s.startMs, fixed).slice(0, 10) : dates ? dates.format(s.startMs) : s.startLocal.slice(0, 10),
    status: i >= from && i < to ? s.status : 'unavailable',
  }));
  const bytes = unpooled(JSON.stringify(slots));
  const etag = `W/"${entry.version}-${entry.computedAtMs.toString(36)}-${fnv1a(memoKey).toString(36)}"`;
  r = { slots, bytes, etag, computedAt: entry.computedAt, version: entry.version };
  if (entry.rendered.size >= MAX_RENDERED) {
    for (const old of entry.rendered.values()) entry.bytes -= renderedBytes(old);
    entry.rendered.clear();
  }
  entry.rendered.set(memoKey, r);
  entry.bytes += renderedBytes(r);
  return r;
}

/**
 * The body's bytes in a buffer of their own. Buffer.from would carve small ones out of a shared 8 KB
 * slab, which stays allocated while any one body cut from it is cached: with entries evicted in LRU
 * order, the slabs pinned that way came to about three times the bodies' own bytes.
 */
function unpooled(json: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  b.write(json);
  return b;
}

/** What one rendered variant adds to its entry's charge. */
const renderedBytes = (r: Rendered): number => RENDERED_BYTES + r.bytes.length + r.slots.length * RENDERED_BYTES_PER_SLOT;
