// Bookings that need attention: active bookings an override (closure, special hours, block) puts
// outside the stylist's working hours, and those of a deactivated stylist that have not ended. Derived on read, never stored (docs/decisions.md): every
// view that shows bookings passes them through `withAttention`, and the override writes record a
// `booking.updated` event for each booking whose attention they change (`recordAttentionChanges`),
// so live views learn of it through the outbox like any other change.
import { DateTime } from 'luxon';
import type pg from 'pg';
import type { BookingAttention, BookingDto } from '../contract/bookings.ts';
import { isActiveStatus, type BookingStatus } from '../contract/enums.ts';
import type { Interval, OverrideRow } from '../slots/engine.ts';
import { isCovered, loadHours, workingWindows, type HoursRows } from '../stylist/hours.ts';
import { ACTIVE_STATUSES_SQL } from './status.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** What deciding a booking's attention needs of it. */
export interface AttentionSubject {
  id: string;
  stylistId: string;
  startMs: number;
  endMs: number;
  status: BookingStatus;
}

/** Local dates of one appointment looked at (an appointment is shorter than a day; a row written by hand may not be). */
const MAX_APPOINTMENT_DATES = 7;

const KIND_ORDER: Record<OverrideRow['kind'], number> = { closed: 0, blocked: 1, hours: 2 };

/** Which override to name when several exclude a booking: a closure first, then a block, then hours; the oldest first. */
function byBlame(a: OverrideRow, b: OverrideRow): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The engine's rule for special hours on one date: highest priority, then the newest, then the larger id. */
function beats(a: OverrideRow, b: OverrideRow): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs > b.createdAtMs;
  return a.id > b.id;
}

/** Stylist-local dates [start, end) touches, at most MAX_APPOINTMENT_DATES. */
function localDates(zone: string, startMs: number, endMs: number): string[] {
  const out: string[] = [];
  let d = DateTime.fromMillis(startMs, { zone }).startOf('day');
  for (let i = 0; i < MAX_APPOINTMENT_DATES && d.toMillis() < endMs; i++, d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

/**
 * The attention of each active subject an override puts outside the working hours: inside the
 * weekly schedule's windows, outside the windows after every override of its dates. Bookings
 * already outside the schedule (a schedule changed after booking) are not an override's doing and
 * are left out. Three small queries for any number of bookings (zones, schedule rows, overrides),
 * none when no subject is active.
 */
export async function attentionOf(db: Queryable, subjects: readonly AttentionSubject[]): Promise<Map<string, BookingAttention>> {
  const out = new Map<string, BookingAttention>();
  const active = subjects.filter((s) => isActiveStatus(s.status));
  if (active.length === 0) return out;
  const stylistIds = [...new Set(active.map((s) => s.stylistId))];
  const { rows: zones } = await db.query<{ id: string; timezone: string; active: boolean; now_ms: number }>(
    `select id, timezone, active, (extract(epoch from now()) * 1000)::float8 as now_ms from stylists where id = any($1::uuid[])`,
    [stylistIds],
  );
  const zoneOf = new Map(zones.map((z) => [z.id, z.timezone]));
  // A deactivated stylist's bookings that have not ended need attention whatever the overrides say.
  const inactive = new Map(zones.filter((z) => !z.active).map((z) => [z.id, z.now_ms]));
  const datesOf = new Map<string, string[]>();
  let from: string | null = null;
  let to: string | null = null;
  for (const s of active) {
    const since = inactive.get(s.stylistId);
    if (since !== undefined && s.endMs > since) {
      out.set(s.id, { reason: 'inactive', overrideId: null });
      continue;
    }
    const zone = zoneOf.get(s.stylistId);
    if (!zone) continue;
    const dates = localDates(zone, s.startMs, s.endMs);
    if (dates.length === 0) continue;
    datesOf.set(s.id, dates);
    if (from === null || dates[0] < from) from = dates[0];
    if (to === null || dates[dates.length - 1] > to) to = dates[dates.length - 1];
  }
  if (from === null || to === null) return out;
  const hours = await loadHours(db, stylistIds, from, to);
  const windows = new Map<string, Interval[]>();
  const windowsOf = (stylistId: string, zone: string, date: string, variant: string, rows: HoursRows): Interval[] => {
    const key = `${stylistId}|${date}|${variant}`;
    let w = windows.get(key);
    if (!w) windows.set(key, (w = workingWindows(zone, date, rows)));
    return w;
  };
  for (const s of active) {
    const dates = datesOf.get(s.id);
    const rows = hours.get(s.stylistId);
    const zone = zoneOf.get(s.stylistId);
    if (!dates || !rows || !zone) continue;
    const relevant = rows.overrides.filter((o) => dates.some((d) => o.startDate <= d && d <= o.endDate));
    if (relevant.length === 0) continue;
    const covered = (variant: string, overrides: OverrideRow[]) =>
      isCovered(
        dates.flatMap((d) => windowsOf(s.stylistId, zone, d, variant, { schedule: rows.schedule, overrides })),
        s.startMs,
        s.endMs,
      );
    if (!covered('schedule', []) || covered('all', rows.overrides)) continue;
    // The overrides that alone put it outside; special hours only where they are the ones in force.
    const winning = (o: OverrideRow) =>
      !relevant.some((x) => x !== o && x.kind === 'hours' && x.startDate <= o.endDate && o.startDate <= x.endDate && beats(x, o));
    const blamed = relevant.filter((o) => (o.kind !== 'hours' || winning(o)) && !covered(`only:${o.id}`, [o])).sort(byBlame);
    const culprit = blamed[0] ?? [...relevant].sort(byBlame)[0];
    out.set(s.id, { reason: culprit.kind, overrideId: culprit.id });
  }
  return out;
}

/** The attention of each of these bookings that has one (by booking id). */
export function attentionOfBookings(db: Queryable, bookings: readonly BookingDto[]): Promise<Map<string, BookingAttention>> {
  return attentionOf(
    db,
    bookings.map((b) => ({
      id: b.id,
      stylistId: b.stylistId,
      startMs: Date.parse(b.startUtc),
      endMs: Date.parse(b.endUtc),
      status: b.status,
    })),
  );
}

/** The DTOs with their `attention` from `att` (a copy of each). */
export function applyAttention<T extends BookingDto>(bookings: readonly T[], att: ReadonlyMap<string, BookingAttention>): T[] {
  return bookings.map((b) => ({ ...b, attention: att.get(b.id) ?? null }));
}

/** The DTOs with their `attention` set (a copy of each). */
export async function withAttention<T extends BookingDto>(db: Queryable, bookings: readonly T[]): Promise<T[]> {
  return applyAttention(bookings, await attentionOfBookings(db, bookings));
}

/** Active bookings of these stylists touching their local dates [from, to], as attention subjects. */
export async function activeSubjects(db: Queryable, stylistIds: readonly string[], from: string, to: string): Promise<AttentionSubject[]> {
  if (stylistIds.length === 0) return [];
  const { rows } = await db.query<SubjectRow>(
    `select b.id, b.stylist_id, b.start_at, b.end_at, b.status from bookings b join stylists s on s.id = b.stylist_id
      where b.stylist_id = any($1::uuid[]) and b.status in (${ACTIVE_STATUSES_SQL})
        and b.start_at < (($3::date + 2)::timestamp at time zone s.timezone)
        and b.end_at > (($2::date - 1)::timestamp at time zone s.timezone)
      order by b.start_at, b.id`,
    // A day either side (in SQL: an override may end on 9999-12-31): an appointment may cross midnight.
    [stylistIds, from, to],
  );
  return rows.map(subjectOf);
}

/** A booking row as the attention queries read it. */
interface SubjectRow {
  id: string;
  stylist_id: string;
  start_at: Date;
  end_at: Date;
  status: BookingStatus;
}

const subjectOf = (r: SubjectRow): AttentionSubject => ({
  id: r.id,
  stylistId: r.stylist_id,
  startMs: r.start_at.getTime(),
  endMs: r.end_at.getTime(),
  status: r.status,
});

/** Active bookings of one stylist that have not ended (the database's clock), as attention subjects, in start order. */
export async function futureSubjects(db: Queryable, stylistId: string): Promise<AttentionSubject[]> {
  const { rows } = await db.query<SubjectRow>(
    `select b.id, b.stylist_id, b.start_at, b.end_at, b.status from bookings b
      where b.stylist_id = $1 and b.status in (${ACTIVE_STATUSES_SQL}) and b.end_at > now()
      order by b.start_at, b.id`,
    [stylistId],
  );
  return rows.map(subjectOf);
}

/** Active bookings of one stylist starting on their local `date` that need attention, in start order. */
export async function dayAttention(db: Queryable, stylistId: string, date: string): Promise<({ bookingId: string } & BookingAttention)[]> {
  const subjects = await activeSubjects(db, [stylistId], date, date);
  const { rows: z } = await db.query<{ timezone: string }>('select timezone from stylists where id = $1', [stylistId]);
  const zone = z[0]?.timezone;
  if (!zone) return [];
  const onDate = subjects.filter((s) => DateTime.fromMillis(s.startMs, { zone }).toISODate() === date);
  const att = await attentionOf(db, onDate);
  return onDate.flatMap((s) => {
    const a = att.get(s.id);
    return a ? [{ bookingId: s.id, ...a }] : [];
  });
}

const sameAttention = (a: BookingAttention | undefined, b: BookingAttention | undefined) =>
  a?.reason === b?.reason && a?.overrideId === b?.overrideId;

/**
 * Records a `booking.updated` outbox event (data `{status, attention}`) for each booking whose
 * attention differs between `before` and `after`, in the caller's transaction: the relay then
 * pushes the booking, as it is then, to its stylist and admins (and the customer's room). The
 * events name no dates: the booking's time is unchanged, so no slot answer is (the override's own
 * event invalidates its dates, and stays the reason watchers are given). Returns the ids changed.
 */
export async function recordAttentionChanges(
  db: Queryable,
  ids: readonly string[],
  before: ReadonlyMap<string, BookingAttention>,
  after: ReadonlyMap<string, BookingAttention>,
): Promise<string[]> {
  const changed = ids.filter((id) => !sameAttention(before.get(id), after.get(id)));
  if (changed.length === 0) return changed;
  await db.query(
    `select kb_record_event('booking.updated', b.stylist_id, '{}'::date[], b.id,
              jsonb_build_object('status', b.status, 'attention', c.attention::jsonb))
       from unnest($1::uuid[], $2::text[]) with ordinality as c(id, attention, n)
       join bookings b on b.id = c.id
      order by c.n`,
    [changed, changed.map((id) => JSON.stringify(after.get(id) ?? null))],
  );
  return changed;
}

/**
 * Runs `write` (an override write, in the caller's transaction, after the scope's stylists are
 * locked) and records events for the bookings of `stylistIds` on local dates [from, to] whose
 * attention it changes. Answers what `write` answers.
 */
export async function trackAttention<T>(
  db: Queryable,
  scope: { stylistIds: readonly string[]; from: string; to: string },
  write: () => Promise<T>,
): Promise<T> {
  const subjects = await activeSubjects(db, scope.stylistIds, scope.from, scope.to);
  return (await trackAttentionOf(db, subjects, write)).result;
}

/**
 * Runs `write` in the caller's transaction and records events for the `subjects` whose attention
 * it changes. Answers what `write` answers and the ids flagged or cleared (changed to or from none).
 */
export async function trackAttentionOf<T>(
  db: Queryable,
  subjects: readonly AttentionSubject[],
  write: () => Promise<T>,
): Promise<{ result: T; changed: string[]; before: Map<string, BookingAttention>; after: Map<string, BookingAttention> }> {
  const before = await attentionOf(db, subjects);
  const result = await write();
  const after = await attentionOf(db, subjects);
  const changed = await recordAttentionChanges(
    db,
    subjects.map((s) => s.id),
    before,
    after,
  );
  return { result, changed, before, after };
}
