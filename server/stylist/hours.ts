// Working hours of stylists on given local dates, exactly as the slot engine computes them (weekly
// schedule, then overrides). Used by the stylist's day view and by the admin's override impact.
import type pg from 'pg';
import { OVERRIDE_ENGINE_COLUMNS, toOverrideRow, type OverrideEngineColumns } from '../overrides/present.ts';
import { computeDaySlots, type Interval, type OverrideRow, type ScheduleWindowRow } from '../slots/engine.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** A weekly schedule window as read from `schedule_windows w` (times as HH:MM, dates as text). */
export interface ScheduleWindowColumns {
  day_of_week: number;
  start: string;
  end: string;
  effective_from: string;
  effective_until: string | null;
}
export const SCHEDULE_WINDOW_COLUMNS = `w.day_of_week, to_char(w.start_time, 'HH24:MI') as start, to_char(w.end_time, 'HH24:MI') as "end",
              w.effective_from, w.effective_until`;

/** What the engine needs to compute one stylist's windows on the dates loaded. */
export interface HoursRows {
  schedule: ScheduleWindowRow[];
  overrides: OverrideRow[];
}

/**
 * Schedule rows and overrides (salon-wide and their own) of these stylists that can apply to a
 * local date in [from, to]. Every stylist asked for has an entry, empty when nothing applies.
 */
export async function loadHours(db: Queryable, stylistIds: string[], from: string, to: string): Promise<Map<string, HoursRows>> {
  const out = new Map<string, HoursRows>(stylistIds.map((id) => [id, { schedule: [], overrides: [] }]));
  if (stylistIds.length === 0) return out;
  const [{ rows: schedule }, { rows: overrides }] = await Promise.all([
    db.query<{ stylist_id: string } & ScheduleWindowColumns>(
      `select w.stylist_id, ${SCHEDULE_WINDOW_COLUMNS}
         from schedule_windows w
        where w.stylist_id = any($1::uuid[]) and w.effective_from <= $3::date
          and (w.effective_until is null or w.effective_until >= $2::date)`,
      [stylistIds, from, to],
    ),
    db.query<{ stylist_id: string | null } & OverrideEngineColumns>(
      `select o.stylist_id, ${OVERRIDE_ENGINE_COLUMNS}
         from overrides o
        where (o.stylist_id = any($1::uuid[]) or o.stylist_id is null)
          and o.end_date >= $2::date and o.start_date <= $3::date`,
      [stylistIds, from, to],
    ),
  ]);
  for (const w of schedule) {
    out.get(w.stylist_id)!.schedule.push({
      dayOfWeek: w.day_of_week,
      start: w.start,
      end: w.end,
      effectiveFrom: w.effective_from,
      effectiveUntil: w.effective_until,
    });
  }
  for (const o of overrides) {
    const row = toOverrideRow(o);
    if (o.stylist_id === null) for (const h of out.values()) h.overrides.push(row);
    else out.get(o.stylist_id)!.overrides.push(row);
  }
  return out;
}

/** The working windows of one local date after overrides: sorted, disjoint instants. */
export function workingWindows(timezone: string, date: string, rows: HoursRows): Interval[] {
  // Windows depend on neither the service nor bookings: any duration and step will do.
  return computeDaySlots({
    date,
    timezone,
    slotStepMinutes: 1440,
    durationMinutes: 1,
    bufferMinutes: 0,
    schedule: rows.schedule,
    overrides: rows.overrides,
    bookings: [],
    holds: [],
  }).windows;
}

/** Whether [startMs, endMs) lies inside the union of `windows` (which may come from several dates). */
export function isCovered(windows: readonly Interval[], startMs: number, endMs: number): boolean {
  const sorted = [...windows].sort((a, b) => a.startMs - b.startMs);
  let coveredUntil = startMs;
  for (const w of sorted) {
    if (w.startMs <= coveredUntil && w.endMs > coveredUntil) coveredUntil = w.endMs;
  }
  return coveredUntil >= endMs;
}
