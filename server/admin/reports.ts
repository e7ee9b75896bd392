// The salon's numbers over a range of local dates: bookings, outcomes, cancellations, utilisation
// and revenue per date and stylist. A fixed number of queries whatever the range: the stylists, one
// aggregate over the bookings, and one load of the working hours (server/stylist/hours.ts).
import type pg from 'pg';
import {
  LATE_CANCEL_HOURS,
  type ReportFiguresDto,
  type ReportQuery,
  type ReportRowDto,
  type ReportStylistDto,
  type ReportSummaryDto,
} from '../contract/reports.ts';
import { loadHours, workingWindows } from '../stylist/hours.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

const DAY_MS = 86_400_000;

interface AggregateRow {
  stylist_id: string;
  date: string;
  bookings: number;
  completed: number;
  no_shows: number;
  cancellations: number;
  cancelled_late: number;
  by_stylist: number;
  by_desk: number;
  booked_minutes: number;
  revenue_completed: string;
  revenue_upcoming: string;
}

/** The local dates from `from` to `to`, both included (the range is bounded by the query schema). */
export function datesOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from), end = Date.parse(to); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function emptyCounts(): Omit<ReportFiguresDto, 'noShowRate' | 'utilisation'> {
  return {
    bookings: 0,
    completed: 0,
    noShows: 0,
    cancellations: 0,
    cancelledLate: 0,
    cancelledEarly: 0,
    cancelledBy: { customer: 0, stylist: 0, desk: 0 },
    bookedMinutes: 0,
    workingMinutes: 0,
    revenueCompletedCents: 0,
    revenueUpcomingCents: 0,
  };
}

/** Adds `b`'s counts into `a`. */
function add(a: Omit<ReportFiguresDto, 'noShowRate' | 'utilisation'>, b: Omit<ReportFiguresDto, 'noShowRate' | 'utilisation'>): void {
  a.bookings += b.bookings;
  a.completed += b.completed;
  a.noShows += b.noShows;
  a.cancellations += b.cancellations;
  a.cancelledLate += b.cancelledLate;
  a.cancelledEarly += b.cancelledEarly;
  a.cancelledBy.customer += b.cancelledBy.customer;
  a.cancelledBy.stylist += b.cancelledBy.stylist;
  a.cancelledBy.desk += b.cancelledBy.desk;
  a.bookedMinutes += b.bookedMinutes;
  a.workingMinutes += b.workingMinutes;
  a.revenueCompletedCents += b.revenueCompletedCents;
  a.revenueUpcomingCents += b.revenueUpcomingCents;
}

/** The rates of a set of counts. */
function withRates<T extends Omit<ReportFiguresDto, 'noShowRate' | 'utilisation'>>(c: T): T & ReportFiguresDto {
  const reached = c.completed + c.noShows;
  return {
    ...c,
    noShowRate: reached > 0 ? c.noShows / reached : null,
    utilisation: c.workingMinutes > 0 ? c.bookedMinutes / c.workingMinutes : null,
  };
}

/**
 * The summary of [from, to] (local dates: each stylist's day in their zone). `nowMs` decides which
 * confirmed bookings are upcoming.
 */
export async function reportSummary(
  db: Queryable,
  q: ReportQuery,
  opts: { nowMs: number; timezone: string; currency: string },
): Promise<ReportSummaryDto> {
  // Every zone's local dates [from, to] lie within these instants (offsets are within ±14 h).
  const lo = new Date(Date.parse(q.from) - DAY_MS);
  const hi = new Date(Date.parse(q.to) + 2 * DAY_MS);
  const [{ rows: stylistRows }, { rows: agg }] = await Promise.all([
    db.query<{ id: string; display_name: string; timezone: string; active: boolean }>(
      `select s.id, s.display_name, s.timezone, s.active
         from stylists s
        where s.active
           or exists (select 1 from bookings b
                       where b.stylist_id = s.id and b.start_at >= $1 and b.start_at < $2
                         and (b.start_at at time zone s.timezone)::date between $3::date and $4::date)
        order by s.display_name, s.id`,
      [lo, hi, q.from, q.to],
    ),
    db.query<AggregateRow>(
      `select b.stylist_id, to_char((b.start_at at time zone s.timezone)::date, 'YYYY-MM-DD') as date,
              count(*)::int as bookings,
              count(*) filter (where b.status = 'completed')::int as completed,
              count(*) filter (where b.status = 'no_show')::int as no_shows,
              count(*) filter (where b.status = 'cancelled')::int as cancellations,
              count(*) filter (where b.status = 'cancelled'
                and coalesce(b.cancelled_at, b.updated_at) > b.start_at - make_interval(hours => $5))::int as cancelled_late,
              count(*) filter (where c.role = 'stylist')::int as by_stylist,
              count(*) filter (where c.role in ('desk', 'reception', 'admin'))::int as by_desk,
              coalesce(round(sum(extract(epoch from b.end_at - b.start_at) / 60) filter (where b.status <> 'cancelled')), 0)::int
                as booked_minutes,
              coalesce(sum(b.price_cents) filter (where b.status = 'completed'), 0)::text as revenue_completed,
              coalesce(sum(b.price_cents) filter (where b.status in ('pending', 'confirmed') and b.start_at > $6), 0)::text
                as revenue_upcoming
         from bookings b
         join stylists s on s.id = b.stylist_id
         left join lateral (
           select a.details->>'role' as role
             from audit_log a
            where b.status = 'cancelled' and a.target = 'booking:' || b.id::text
              and a.action = 'booking.status' and a.details->>'to' = 'cancelled'
            order by a.id desc limit 1) c on true
        where b.start_at >= $1 and b.start_at < $2
          and (b.start_at at time zone s.timezone)::date between $3::date and $4::date
        group by 1, 2`,
      [lo, hi, q.from, q.to, LATE_CANCEL_HOURS, new Date(opts.nowMs)],
    ),
  ]);
  const stylists: ReportStylistDto[] = stylistRows.map((s) => ({
    id: s.id,
    displayName: s.display_name,
    timezone: s.timezone,
    active: s.active,
  }));
  const hours = await loadHours(
    db,
    stylists.map((s) => s.id),
    q.from,
    q.to,
  );
  const byKey = new Map(agg.map((a) => [`${a.date} ${a.stylist_id}`, a]));
  const dates = datesOf(q.from, q.to);

  const rows: ReportRowDto[] = [];
  const days: ReportSummaryDto['days'] = [];
  const perStylist = new Map(stylists.map((s) => [s.id, emptyCounts()]));
  const totals = emptyCounts();
  for (const date of dates) {
    const day = emptyCounts();
    for (const s of stylists) {
      const a = byKey.get(`${date} ${s.id}`);
      const working = workingWindows(s.timezone, date, hours.get(s.id)!).reduce((m, w) => m + (w.endMs - w.startMs) / 60_000, 0);
      const counts = emptyCounts();
      counts.workingMinutes = Math.round(working);
      if (a) {
        const stylistCancels = a.by_stylist;
        const deskCancels = a.by_desk;
        Object.assign(counts, {
          bookings: a.bookings,
          completed: a.completed,
          noShows: a.no_shows,
          cancellations: a.cancellations,
          cancelledLate: a.cancelled_late,
          cancelledEarly: a.cancellations - a.cancelled_late,
          cancelledBy: { customer: a.cancellations - stylistCancels - deskCancels, stylist: stylistCancels, desk: deskCancels },
          bookedMinutes: a.booked_minutes,
          revenueCompletedCents: Number(a.revenue_completed),
          revenueUpcomingCents: Number(a.revenue_upcoming),
        });
      }
      rows.push({ date, stylistId: s.id, ...withRates(counts) });
      add(day, counts);
      add(perStylist.get(s.id)!, counts);
      add(totals, counts);
    }
    days.push({ date, ...withRates(day) });
  }
  return {
    from: q.from,
    to: q.to,
    timezone: opts.timezone,
    currency: opts.currency,
    stylists,
    rows,
    days,
    byStylist: stylists.map((s) => ({ stylistId: s.id, ...withRates(perStylist.get(s.id)!) })),
    totals: withRates(totals),
  };
}
