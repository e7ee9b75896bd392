// The desk's calendar: one salon-local day of every active stylist in a fixed number of queries,
// whatever the number of stylists (docs/api.md "Front desk").
import { DateTime } from 'luxon';
import type pg from 'pg';
import type { DeskCalendarDto, DeskColumnDto, DeskHoldDto, DeskWaitlistCountDto } from '../contract/desk.ts';
import { ANY_STYLIST } from '../contract/slots.ts';
import type { OverrideDto } from '../contract/admin.ts';
import { loadBookingsWithDeskContext } from '../bookings/present.ts';
import { OVERRIDE_DTO, overrideDto } from '../overrides/present.ts';
import { loadHours, workingWindows } from '../stylist/hours.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Most bookings one calendar shows (every status, all stylists): far above a real salon's day (the
 * exclusion constraint bounds the active ones); `truncated` says when a day has more.
 */
export const DESK_DAY_MAX_BOOKINGS = 2000;

/** The salon-local date of `nowMs` (the calendar's default). */
export const todayIn = (zone: string, nowMs: number): string => DateTime.fromMillis(nowMs, { zone }).toISODate()!;

/**
 * `date` (salon-local) for every active stylist, by display name: working windows after overrides,
 * the bookings starting that day with the desk's customer context, live holds (by `nowMs`, without
 * whose they are), the overrides that apply and how many wait for the date (the waitlist).
 */
export async function deskCalendar(
  db: Queryable,
  q: { date: string; salonZone: string; nowMs: number },
): Promise<DeskCalendarDto & { truncated: boolean }> {
  const { date, salonZone: zone } = q;
  const { rows: stylists } = await db.query<{ id: string; display_name: string; timezone: string }>(
    'select id, display_name, timezone from stylists where active order by display_name, id',
  );
  const ids = stylists.map((s) => s.id);
  const dayStart = `($2::date::timestamp at time zone $3)`;
  const dayEnd = `(($2::date + 1)::timestamp at time zone $3)`;
  const [hours, { rows: bookingIds }, { rows: holds }, { rows: overrides }, waitlist] = await Promise.all([
    loadHours(db, ids, date, date),
    // Through the (stylist_id, start_at) index, one range per stylist.
    db.query<{ id: string }>(
      `select b.id from bookings b
        where b.stylist_id = any($1::uuid[]) and b.start_at >= ${dayStart} and b.start_at < ${dayEnd}
        order by b.start_at, b.id limit $4`,
      [ids, date, zone, DESK_DAY_MAX_BOOKINGS + 1],
    ),
    db.query<{ id: string; stylist_id: string; service_id: string; start_at: Date; end_at: Date; expires_at: Date }>(
      `select h.id, h.stylist_id, h.service_id, h.start_at, h.end_at, h.expires_at from holds h
        where h.stylist_id = any($1::uuid[]) and h.expires_at > $4
          and h.start_at < ${dayEnd} and h.end_at > ${dayStart} and h.start_at > ${dayStart} - interval '1 day'
        order by h.start_at, h.id`,
      // Holds are judged by the app's clock, as when booking; an appointment is at most a day long.
      [ids, date, zone, new Date(q.nowMs)],
    ),
    db.query<{ stylist_id: string | null; dto: unknown }>(
      `select o.stylist_id, ${OVERRIDE_DTO} from overrides o
        where (o.stylist_id = any($1::uuid[]) or o.stylist_id is null) and $2::date between o.start_date and o.end_date
        order by o.created_at, o.id`,
      [ids, date],
    ),
    waitlistCount(db, date),
  ]);
  const truncated = bookingIds.length > DESK_DAY_MAX_BOOKINGS;
  const bookings = await loadBookingsWithDeskContext(
    db,
    bookingIds.slice(0, DESK_DAY_MAX_BOOKINGS).map((b) => b.id),
  );

  const columns = new Map<string, DeskColumnDto>(
    stylists.map((s) => [
      s.id,
      {
        stylistId: s.id,
        displayName: s.display_name,
        timezone: s.timezone,
        windows: workingWindows(s.timezone, date, hours.get(s.id)!).map((w) => ({
          startUtc: new Date(w.startMs).toISOString(),
          endUtc: new Date(w.endMs).toISOString(),
        })),
        bookings: [],
        holds: [],
        overrides: [],
      },
    ]),
  );
  for (const b of bookings) columns.get(b.stylistId)?.bookings.push(b);
  for (const h of holds) {
    const hold: DeskHoldDto = {
      id: h.id,
      serviceId: h.service_id,
      startUtc: h.start_at.toISOString(),
      endUtc: h.end_at.toISOString(),
      expiresAt: h.expires_at.toISOString(),
    };
    columns.get(h.stylist_id)?.holds.push(hold);
  }
  for (const o of overrides) {
    const dto: OverrideDto = overrideDto(o);
    if (o.stylist_id === null) for (const c of columns.values()) c.overrides.push(dto);
    else columns.get(o.stylist_id)?.overrides.push(dto);
  }
  return { date, timezone: zone, stylists: [...columns.values()], waitlist, truncated };
}

/** Waiting entries for `date` by stylist (`any` apart), in one query (the date index of sql/000017). */
async function waitlistCount(db: Queryable, date: string): Promise<DeskWaitlistCountDto> {
  const { rows } = await db.query<{ stylist_id: string | null; n: number }>(
    `select stylist_id, count(*)::int as n from waitlist_entries where status = 'waiting' and date = $1::date group by stylist_id`,
    [date],
  );
  const byStylist: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    byStylist[r.stylist_id ?? ANY_STYLIST] = r.n;
    total += r.n;
  }
  return { total, byStylist };
}
