// The slot engine's verdict on one requested start, taken inside the writing transaction.
import { DateTime } from 'luxon';
import type pg from 'pg';
import type { AlternativeSlot } from '../contract/bookings.ts';
import { AppError } from '../errors.ts';
import { bookableRange, computeDaySlots, horizonAt, type ComputedSlot, type DayInput, type Interval } from '../slots/engine.ts';
import { loadDay, type StylistDaySettings } from '../slots/load.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Advisory-lock namespace (the first key of the two-int4 form) of per-stylist write serialisation.
 * Single-key locks 7412000–7412003 are used by the migration runner, the outbox, the seed and the
 * event pruner; this two-key space is separate from theirs, and the number is kept apart for clarity.
 */
export const STYLIST_LOCK_NS = 7412100;

/**
 * Serialises availability-changing writes for one stylist until the transaction ends: the engine
 * re-check and the insert then see one consistent state. Needs an open transaction.
 */
export async function lockStylist(db: Queryable, stylistId: string): Promise<void> {
  await db.query('select pg_advisory_xact_lock($1, hashtext($2))', [STYLIST_LOCK_NS, stylistId]);
}

export interface StylistRow {
  id: string;
  user_id: string;
  timezone: string;
  buffer_minutes: number;
}

/** An active stylist, or 404. */
export async function loadStylist(db: Queryable, stylistId: string): Promise<StylistRow> {
  const { rows } = await db.query<StylistRow>('select id, user_id, timezone, buffer_minutes from stylists where id = $1 and active', [
    stylistId,
  ]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'Unknown stylist');
  return rows[0];
}

export const localDateOf = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toISODate()!;

export interface CheckRequest {
  stylist: StylistRow;
  serviceId: string;
  startMs: number;
  /** The customer the appointment is for: their own holds never block them. */
  customerId: string;
  nowMs: number;
  /** "now" for the minimum notice, when earlier than nowMs (confirming a hold made back then). */
  noticeFromMs?: number;
  /** A booking being rescheduled: it does not block its own move. */
  exclude?: Interval;
  /**
   * A booking made at the front desk: no minimum notice (a start in the current slot is still
   * accepted), and with `force` a start outside the working hours or off the grid, never over
   * another booking or a live hold.
   */
  desk?: { force: boolean };
}

export interface CheckedStart {
  settings: StylistDaySettings;
  date: string;
  startMs: number;
  endMs: number;
  occupiedUntilMs: number;
  /** A desk booking forced outside the working hours (or off the grid). */
  forced?: boolean;
}

/**
 * Accepts `startMs` only if the engine reports it available right now (docs/domain.md §3),
 * else throws NOT_ON_GRID, OUTSIDE_HOURS, IN_PAST, SLOT_TAKEN or SLOT_HELD (the last two with the
 * nearest available alternatives of that day). Call it after lockStylist, in the same transaction.
 * Holds are judged by the injected clock (nowMs), not the database's.
 */
export async function checkStart(db: Queryable, req: CheckRequest): Promise<CheckedStart> {
  const { stylist, serviceId, startMs, nowMs } = req;
  const date = localDateOf(startMs, stylist.timezone);
  const day = await loadDay(db, { stylistId: stylist.id, serviceId, date });
  if (!day) throw new AppError('NOT_FOUND', 'Unknown service, or the stylist does not offer it');
  const { rows: holds } = await db.query<{ s: number; e: number }>(
    `select (extract(epoch from start_at) * 1000)::float8 as s, (extract(epoch from occupied_until) * 1000)::float8 as e
       from holds
      where stylist_id = $1 and customer_id <> $2 and expires_at > $3
        and start_at > $4 and start_at < $5`,
    // Any hold that can overlap a candidate of the day starts within two days of this start.
    [stylist.id, req.customerId, new Date(nowMs), new Date(startMs - 2 * 86_400_000), new Date(startMs + 2 * 86_400_000)],
  );
  const input = { ...day.input, holds: holds.map((h) => ({ startMs: h.s, endMs: h.e })) };
  if (req.exclude) {
    const ex = req.exclude;
    // Within a millisecond: rows written by other clients may carry microseconds.
    const i = input.bookings.findIndex((b) => Math.abs(b.startMs - ex.startMs) < 1 && Math.abs(b.endMs - ex.endMs) < 1);
    if (i >= 0) input.bookings = input.bookings.filter((_, k) => k !== i);
  }
  const { settings } = day;
  // The bookable range first: a time in the past or beyond the horizon is that, grid or not.
  // (The same bounds as bookableRange, which reports such slots `unavailable`.)
  const stepMs = settings.slotStepMinutes * 60_000;
  if (req.desk) {
    // The desk books inside the notice (a walk-in is now), but not a slot that has already ended.
    if (startMs + stepMs <= nowMs)
      throw new AppError('IN_PAST', 'That time has passed: book the current slot or a later one', { minNoticeMinutes: 0 });
  } else if (startMs < Math.min(nowMs, req.noticeFromMs ?? nowMs) + settings.minNoticeMinutes * 60_000 || startMs <= nowMs) {
    throw new AppError('IN_PAST', `Book at least ${settings.minNoticeMinutes} minutes ahead`, {
      minNoticeMinutes: settings.minNoticeMinutes,
    });
  }
  // The horizon counts calendar days in the stylist's zone: its last day is bookable whole.
  const horizon = horizonAt(nowMs, settings.horizonDays, stylist.timezone);
  if (startMs >= horizon.endMs) {
    throw new AppError('OUTSIDE_HOURS', `Bookings open ${settings.horizonDays} days ahead: the last bookable day is ${horizon.lastDate}`, {
      horizonDays: settings.horizonDays,
      lastDate: horizon.lastDate,
    });
  }
  const { windows, slots } = computeDaySlots(input);
  const idx = slots.findIndex((s) => s.startMs === startMs);
  if (idx < 0 && req.desk?.force) return forcedStart(input, settings, date, startMs);
  if (idx < 0) {
    const inWindow = windows.find((w) => startMs >= w.startMs && startMs < w.endMs);
    if (inWindow && (startMs - inWindow.startMs) % stepMs !== 0) {
      throw new AppError('NOT_ON_GRID', 'That start is not on the stylist\u2019s slot grid', {
        date,
        stepMinutes: settings.slotStepMinutes,
      });
    }
    throw new AppError('OUTSIDE_HOURS', 'The appointment would not fit in the stylist\u2019s working hours', { date });
  }
  const { from, to } = bookableRange(slots, Math.min(nowMs, req.noticeFromMs ?? nowMs), settings.minNoticeMinutes, horizon.endMs);
  const status = slots[idx].status;
  if (status !== 'available') {
    const alternatives = nearestAvailable(slots, idx, from, to, settings, stylist.timezone);
    throw status === 'booked'
      ? new AppError('SLOT_TAKEN', 'That time is already booked', { alternatives })
      : new AppError('SLOT_HELD', 'Someone is checking out that time; it may free up in a few minutes', { alternatives });
  }
  const endMs = startMs + settings.durationMinutes * 60_000;
  return { settings, date, startMs, endMs, occupiedUntilMs: endMs + settings.bufferMinutes * 60_000 };
}

/**
 * A desk booking forced outside the hours: only the other bookings (buffers included) and live
 * holds of the stylist stand in its way.
 */
function forcedStart(input: DayInput, settings: StylistDaySettings, date: string, startMs: number): CheckedStart {
  const endMs = startMs + settings.durationMinutes * 60_000;
  const occupiedUntilMs = endMs + settings.bufferMinutes * 60_000;
  const overlaps = (i: Interval) => i.startMs < occupiedUntilMs && i.endMs > startMs;
  if (input.bookings.some(overlaps)) throw new AppError('SLOT_TAKEN', 'That time is already booked', { alternatives: [] });
  if (input.holds.some(overlaps))
    throw new AppError('SLOT_HELD', 'Someone is checking out that time; it may free up in a few minutes', { alternatives: [] });
  return { settings, date, startMs, endMs, occupiedUntilMs, forced: true };
}

/** Up to `perSide` available starts on each side of slots[idx] within [from, to), nearest first. */
export function nearestAvailable(
  slots: readonly ComputedSlot[],
  idx: number,
  from: number,
  to: number,
  settings: Pick<StylistDaySettings, 'durationMinutes'>,
  zone: string,
  perSide = 3,
): AlternativeSlot[] {
  const picked: ComputedSlot[] = [];
  let before = 0;
  for (let i = idx - 1; i >= from && before < perSide; i--) {
    if (slots[i].status === 'available') {
      picked.push(slots[i]);
      before++;
    }
  }
  let after = 0;
  for (let i = idx + 1; i < to && after < perSide; i++) {
    if (slots[i].status === 'available') {
      picked.push(slots[i]);
      after++;
    }
  }
  const t = slots[idx].startMs;
  picked.sort((a, b) => Math.abs(a.startMs - t) - Math.abs(b.startMs - t) || a.startMs - b.startMs);
  return picked.map((s) => ({
    startUtc: new Date(s.startMs).toISOString(),
    endUtc: new Date(s.startMs + settings.durationMinutes * 60_000).toISOString(),
    startLocal: DateTime.fromMillis(s.startMs, { zone }).toISO()!,
  }));
}
