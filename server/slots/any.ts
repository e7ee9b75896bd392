// "Any stylist": the union of the slots of every active stylist who offers a service, composed from
// the per-stylist answers of the slot cache (so it is invalidated by exactly the same events), each
// start with the stylists free for it. The day is a date in the salon's zone; a stylist in another
// zone contributes the starts of their local dates that fall inside it. docs/domain.md §3.
import { DateTime } from 'luxon';
import type { Pool } from '../db/pool.ts';
import { ANY_STYLIST, type Slot, type SlotStatus } from '../contract/slots.ts';
import { AppError } from '../errors.ts';
import { fnv1a } from '../hash.ts';
import type { SalonSettings } from '../salon.ts';
import type { DayKey } from './cache.ts';
import { displayIn, knownZone, type SlotAnswer, type SlotService } from './service.ts';

export { ANY_STYLIST };

/** An active stylist who offers the service, in the order ties are broken (name, then id). */
export interface RosterStylist {
  id: string;
  displayName: string;
  timezone: string;
}

interface Roster {
  stylists: RosterStylist[];
  /** Highest version of any stylist-wide change: a stylist leaving the roster still moves the union's version. */
  version: number;
  generation: number;
}

/** One stylist's contribution to a day: their answer for one of their local dates, or null outside their window. */
interface Part {
  stylist: RosterStylist;
  answer: SlotAnswer | null;
}

/** The union for one salon-local date, as the REST route and the socket send it. */
export interface AnyAnswer {
  slots: Slot[];
  bytes: Buffer;
  etag: string;
  computedAt: string;
  version: number;
  /** Every part was cached (and the roster known): nothing was computed for this answer. */
  hit: boolean;
  /** No starts, and a closure covers the date for every stylist (at least one). */
  closed: boolean;
  /** The date is outside every stylist's bookable window: nothing was computed (no version applies). */
  outside: boolean;
}

/** A stylist roster per service is a handful of rows; far more services than a salon has are remembered. */
const MAX_ROSTERS = 1000;
/** Composed answers remembered by (service, date, zone), reused while their parts are unchanged. */
const MAX_COMPOSED = 5000;
/** Stylists considered for one service: far more than a salon has, so the work per answer is bounded. */
export const MAX_ROSTER = 100;

const ROSTER_SQL = `
select s.id, s.display_name, s.timezone,
  (select coalesce(max(v.version), 0) from availability_versions v where v.day = '-infinity'::date) as version
from stylists s
join stylist_services ss on ss.stylist_id = s.id and ss.service_id = $1
join services sv on sv.id = ss.service_id and sv.active
where s.active
order by s.display_name, s.id
limit ${MAX_ROSTER}`;

interface Composed {
  /** The parts' encoded answers (identity: the cache renders each answer once), null outside a window. */
  parts: (Buffer | null)[];
  rosterVersion: number;
  answer: Omit<AnyAnswer, 'hit'>;
}

export class AnySlots {
  readonly #pool: Pool;
  readonly #slots: SlotService;
  readonly #salon: SalonSettings;
  #salonZone: string | undefined;
  #rosters = new Map<string, Roster>();
  #composed = new Map<string, Composed>();

  constructor(opts: { pool: Pool; slots: SlotService; salon: SalonSettings }) {
    this.#pool = opts.pool;
    this.#slots = opts.slots;
    this.#salon = opts.salon;
  }

  /** The salon's zone (the zone of an `any` date); read once. */
  async salonZone(): Promise<string> {
    return (this.#salonZone ??= await this.#salon.timezone());
  }

  /** The active stylists who offer the service (remembered until a stylist-wide change); 404 when none. */
  async roster(serviceId: string): Promise<Roster> {
    const cached = this.#cachedRoster(serviceId);
    if (cached) return cached;
    const generation = this.#slots.stylistsGeneration;
    const { rows } = await this.#pool.query<{ id: string; display_name: string; timezone: string; version: number }>(ROSTER_SQL, [
      serviceId,
    ]);
    if (rows.length === 0) throw new AppError('NOT_FOUND', 'Unknown service, or no active stylist offers it');
    const roster: Roster = {
      stylists: rows.map((r) => ({ id: r.id, displayName: r.display_name, timezone: r.timezone })),
      version: Number(rows[0].version),
      generation,
    };
    if (this.#slots.cacheEnabled && this.#slots.trusted && generation === this.#slots.stylistsGeneration) {
      if (this.#rosters.size >= MAX_ROSTERS) this.#rosters.clear();
      this.#rosters.set(serviceId, roster);
    }
    return roster;
  }

  #cachedRoster(serviceId: string): Roster | undefined {
    if (!this.#slots.cacheEnabled || !this.#slots.trusted) return undefined;
    const r = this.#rosters.get(serviceId);
    if (r && r.generation === this.#slots.stylistsGeneration) return r;
    if (r) this.#rosters.delete(serviceId);
    return undefined;
  }

  /** The union when everything it needs is cached, synchronously; null when something must be loaded. */
  answerCached(serviceId: string, date: string, customerZone: string | undefined): AnyAnswer | null {
    checkZone(customerZone);
    const salonZone = this.#salonZone;
    const roster = this.#cachedRoster(serviceId);
    if (salonZone === undefined || !roster) return null;
    const zone = customerZone || salonZone;
    const parts: Part[] = [];
    for (const { stylist, key } of this.#keys(roster, serviceId, date, salonZone)) {
      const a = this.#slots.answerCached(key, zone);
      if (a) parts.push({ stylist, answer: a });
      else if (this.#slots.knownOutsideWindow(key)) parts.push({ stylist, answer: null });
      else return null;
    }
    return { ...this.#compose(serviceId, date, zone, salonZone, roster, parts), hit: true };
  }

  /** The union for a salon-local date: cached parts as they are, the others loaded (outside a stylist's window: none). */
  async answer(serviceId: string, date: string, customerZone: string | undefined): Promise<AnyAnswer> {
    checkZone(customerZone);
    const salonZone = await this.salonZone();
    const rosterCached = this.#cachedRoster(serviceId) !== undefined;
    const roster = await this.roster(serviceId);
    const zone = customerZone || salonZone;
    let hit = rosterCached;
    const parts = await Promise.all(
      this.#keys(roster, serviceId, date, salonZone).map(async ({ stylist, key }): Promise<Part> => {
        const cached = this.#slots.answerCached(key, zone);
        if (cached) return { stylist, answer: cached };
        if (this.#slots.knownOutsideWindow(key)) return { stylist, answer: null };
        hit = false;
        try {
          const a = await this.#slots.answerBookable(key, zone);
          return { stylist, answer: 'entry' in a ? a : null };
        } catch (err) {
          // Left the roster since it was read (stopped offering the service): no starts.
          if (err instanceof AppError && err.code === 'NOT_FOUND') return { stylist, answer: null };
          throw err;
        }
      }),
    );
    return { ...this.#compose(serviceId, date, zone, salonZone, roster, parts), hit };
  }

  /** Parts of a day that are not cached (what answering it would compute), or null when the roster is not known. */
  uncachedParts(serviceId: string, date: string): number | null {
    const salonZone = this.#salonZone;
    const roster = this.#cachedRoster(serviceId);
    if (salonZone === undefined || !roster) return null;
    let n = 0;
    for (const { key } of this.#keys(roster, serviceId, date, salonZone)) {
      if (!this.#slots.answerCached(key, salonZone) && !this.#slots.knownOutsideWindow(key)) n++;
    }
    return n;
  }

  /** The stylist-local dates that cover the salon-local `date`, per stylist (one date when the zones agree). */
  #keys(roster: Roster, serviceId: string, date: string, salonZone: string): { stylist: RosterStylist; key: DayKey }[] {
    const out: { stylist: RosterStylist; key: DayKey }[] = [];
    for (const stylist of roster.stylists) {
      for (const d of coveringDates(date, salonZone, stylist.timezone))
        out.push({ stylist, key: { stylistId: stylist.id, serviceId, date: d } });
    }
    return out;
  }

  #compose(serviceId: string, date: string, zone: string, salonZone: string, roster: Roster, parts: Part[]): Omit<AnyAnswer, 'hit'> {
    const memoKey = `${serviceId}|${date}|${zone}`;
    const ids = parts.map((p) => p.answer?.bytes ?? null);
    const memo = this.#composed.get(memoKey);
    if (memo && memo.rosterVersion === roster.version && sameParts(memo.parts, ids)) return memo.answer;

    const dayStart = DateTime.fromISO(date, { zone: salonZone }).startOf('day');
    const fromMs = dayStart.toMillis();
    const toMs = dayStart.plus({ days: 1 }).toMillis();
    const byStart = new Map<string, { slot: Slot; rank: number; free: string[]; fromOtherZone: boolean }>();
    let version = roster.version;
    let computedAt = '';
    let closed = parts.length > 0;
    const outside = parts.every((p) => p.answer === null);
    for (const { stylist, answer } of parts) {
      if (!answer) {
        closed = false;
        continue;
      }
      if (answer.version > version) version = answer.version;
      if (answer.computedAt > computedAt) computedAt = answer.computedAt;
      if (!answer.entry.closed) closed = false;
      const otherZone = stylist.timezone !== salonZone;
      for (const s of answer.slots) {
        const ms = Date.parse(s.startUtc);
        if (otherZone && (ms < fromMs || ms >= toMs)) continue;
        const u = byStart.get(s.startUtc);
        if (!u) {
          byStart.set(s.startUtc, {
            slot: { ...s, stylistIds: [] },
            rank: RANK[s.status],
            free: s.status === 'available' ? [stylist.id] : [],
            fromOtherZone: otherZone,
          });
          continue;
        }
        if (s.status === 'available') {
          // The end of the first stylist free for it (durations may differ per stylist).
          if (u.free.length === 0) u.slot.endUtc = s.endUtc;
          u.free.push(stylist.id);
        }
        if (RANK[s.status] > u.rank) u.rank = RANK[s.status];
      }
    }
    const slots: Slot[] = [...byStart.values()]
      .sort((a, b) => (a.slot.startUtc < b.slot.startUtc ? -1 : a.slot.startUtc > b.slot.startUtc ? 1 : 0))
      .map((u) => ({
        startUtc: u.slot.startUtc,
        endUtc: u.slot.endUtc,
        startLocal: u.fromOtherZone ? DateTime.fromISO(u.slot.startUtc, { zone: salonZone }).toISO()! : u.slot.startLocal,
        // Salon time: a stylist in another zone has their start written in the salon's.
        localDisplay: u.fromOtherZone ? displayIn(Date.parse(u.slot.startUtc), salonZone) : u.slot.localDisplay,
        localZone: u.fromOtherZone ? salonZone : u.slot.localZone,
        display: u.slot.display,
        displayZone: u.slot.displayZone,
        displayDate: u.slot.displayDate,
        status: STATUS_OF_RANK[u.rank],
        stylistIds: u.free,
      }));
    if (slots.length > 0) closed = false;
    const body = JSON.stringify(slots);
    const bytes = Buffer.from(body);
    const answer = {
      slots,
      bytes,
      etag: `W/"any-${version}-${fnv1a(body).toString(36)}"`,
      computedAt: computedAt || new Date(this.#slots.now()).toISOString(),
      version,
      closed,
      outside,
    };
    if (this.#composed.size >= MAX_COMPOSED) this.#composed.clear();
    this.#composed.set(memoKey, { parts: ids, rosterVersion: roster.version, answer });
    return answer;
  }

  /** A watched `any` day for the live pushes: its version and its slots rendered in a zone. */
  async day(key: DayKey): Promise<{ version: number; slotsIn(zone: string, nowMs: number): Slot[] }> {
    const base = await this.answer(key.serviceId, key.date, undefined);
    return {
      version: base.version,
      // Parts are cached now (just loaded); a part dropped meanwhile is loaded again, bounded by the roster.
      slotsIn: (zone) => this.answerCached(key.serviceId, key.date, zone || undefined)?.slots ?? base.slots,
    };
  }
}

/** Union status: a start is available when one stylist is free; else held (may free up), booked, unavailable. */
const RANK: Record<SlotStatus, number> = { unavailable: 0, booked: 1, held: 2, available: 3 };
const STATUS_OF_RANK: SlotStatus[] = ['unavailable', 'booked', 'held', 'available'];

function sameParts(a: (Buffer | null)[], b: (Buffer | null)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkZone(zone: string | undefined): void {
  if (zone !== undefined && zone !== '' && !knownZone(zone)) throw new AppError('UNKNOWN_TIMEZONE', `Unknown time zone: ${zone}`);
}

/** The local dates in `stylistZone` that the salon-local `date` overlaps (1 to 3; one when the zones are the same). */
export function coveringDates(date: string, salonZone: string, stylistZone: string): string[] {
  if (salonZone === stylistZone) return [date];
  const start = DateTime.fromISO(date, { zone: salonZone }).startOf('day');
  const last = start.plus({ days: 1 }).minus({ milliseconds: 1 }).setZone(stylistZone).toISODate()!;
  const out: string[] = [];
  // A salon day is at most 25 hours, which touches at most three local dates anywhere.
  for (let d = start.setZone(stylistZone).startOf('day'), i = 0; i < 3; d = d.plus({ days: 1 }), i++) {
    const iso = d.toISODate()!;
    if (iso > last) break;
    out.push(iso);
  }
  return out;
}
