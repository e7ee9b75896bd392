// What an override does to booked appointments: the active bookings it would put outside the
// working hours, computed exactly as the slot engine computes windows (stylist/hours.ts).
import { DateTime } from 'luxon';
import type { AffectedBookingDto } from '../contract/admin.ts';
import type { BookingDto } from '../contract/bookings.ts';
import { BOOKING_COLUMNS, type BookingRow } from '../bookings/present.ts';
import { ACTIVE_STATUSES_SQL } from '../bookings/status.ts';
import type { PoolClient } from '../db/pool.ts';
import type { Interval, OverrideRow } from '../slots/engine.ts';
import { isCovered, loadHours, workingWindows } from '../stylist/hours.ts';

/** Local dates of one appointment looked at when judging an override's impact. */
const MAX_APPOINTMENT_DATES = 7;

/**
 * Active bookings of these stylists touching the override's local dates that lie inside the
 * working windows without `override` and not with it (as the slot engine computes windows).
 * Bookings already outside the hours are not the override's doing and are left out.
 */
export async function newlyOutside(db: PoolClient, stylistIds: string[], override: OverrideRow): Promise<BookingRow[]> {
  if (stylistIds.length === 0) return [];
  const { rows: bookings } = await db.query<BookingRow & { timezone: string }>(
    `select ${BOOKING_COLUMNS}, s.timezone from bookings b join stylists s on s.id = b.stylist_id
      where b.stylist_id = any($1::uuid[]) and b.status in (${ACTIVE_STATUSES_SQL})
        and b.start_at < (($3::date + 1)::timestamp at time zone s.timezone)
        and b.end_at > ($2::date::timestamp at time zone s.timezone)
      order by b.start_at, b.id`,
    [stylistIds, override.startDate, override.endDate],
  );
  if (bookings.length === 0) return [];
  // An appointment is shorter than a day, so one touching the range touches at most a day either side.
  const day = (d: string, n: number) => DateTime.fromISO(d, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
  const hours = await loadHours(db, [...new Set(bookings.map((b) => b.stylist_id))], day(override.startDate, -1), day(override.endDate, 1));
  const cache = new Map<string, { without: Interval[]; with: Interval[] }>();
  const windowsOf = (stylistId: string, zone: string, date: string) => {
    const key = `${stylistId}|${date}`;
    let w = cache.get(key);
    if (!w) {
      const rows = hours.get(stylistId)!;
      const others = rows.overrides.filter((o) => o.id !== override.id);
      w = {
        without: workingWindows(zone, date, { schedule: rows.schedule, overrides: others }),
        with: workingWindows(zone, date, { schedule: rows.schedule, overrides: [...others, override] }),
      };
      cache.set(key, w);
    }
    return w;
  };
  return bookings.filter((b) => {
    const zone = b.timezone;
    const startMs = b.start_at.getTime();
    const endMs = b.end_at.getTime();
    // Windows of every local date the appointment touches, merged across midnight.
    const without: Interval[] = [];
    const withIt: Interval[] = [];
    // Bounded by construction: an appointment is shorter than a day, a row written by hand may not be.
    let d = DateTime.fromMillis(startMs, { zone }).startOf('day');
    for (let i = 0; i < MAX_APPOINTMENT_DATES && d.toMillis() < endMs; i++, d = d.plus({ days: 1 })) {
      const w = windowsOf(b.stylist_id, zone, d.toISODate()!);
      without.push(...w.without);
      withIt.push(...w.with);
    }
    return isCovered(without, startMs, endMs) && !isCovered(withIt, startMs, endMs);
  });
}

/** The bookings with how to reach their customers (name, phone, e-mail), for the admin who calls them. */
export async function withCustomerContact(db: PoolClient, bookings: readonly BookingDto[]): Promise<AffectedBookingDto[]> {
  if (bookings.length === 0) return [];
  const { rows } = await db.query<{ id: string; display_name: string; phone: string | null; email: string }>(
    'select id, display_name, phone, email from users where id = any($1::uuid[])',
    [[...new Set(bookings.map((b) => b.customerId))]],
  );
  const byId = new Map(rows.map((u) => [u.id, u]));
  return bookings.map((b) => {
    const u = byId.get(b.customerId);
    return { ...b, customer: { id: b.customerId, displayName: u?.display_name ?? '', phone: u?.phone ?? null, email: u?.email ?? '' } };
  });
}
