import { z } from 'zod';
import { localDate } from './common.ts';
import { MAX_REPORT_DAYS } from './limits.ts';

/** The salon's numbers: `GET /api/admin/reports/summary` (docs/api.md "Admin: reports"). */

export { MAX_REPORT_DAYS };
/** A cancellation made less than this many hours before the start (or after it) is late. */
export const LATE_CANCEL_HOURS = 24;

const DAY_MS = 86_400_000;

export const reportQuery = z
  .strictObject({
    /** First salon-local date, inclusive. */
    from: localDate,
    /** Last salon-local date, inclusive. */
    to: localDate,
  })
  .superRefine((q, ctx) => {
    if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'before from' });
    else if ((Date.parse(q.to) - Date.parse(q.from)) / DAY_MS + 1 > MAX_REPORT_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_REPORT_DAYS} days from from, both included` });
  });
export type ReportQuery = z.infer<typeof reportQuery>;

/** The counts and sums of a set of bookings (one stylist's day, a day, a stylist, the range). */
export interface ReportFiguresDto {
  /** Bookings made for the day (by their start, in the stylist's zone), whatever their status now. */
  bookings: number;
  completed: number;
  noShows: number;
  /** noShows / (completed + noShows); null when neither happened. */
  noShowRate: number | null;
  cancellations: number;
  /** Cancelled less than LATE_CANCEL_HOURS before the start, or after it. */
  cancelledLate: number;
  cancelledEarly: number;
  /**
   * Who cancelled, from the audit log: the booking's stylist, or the front desk (reception, admins).
   * A cancellation the audit log does not record is the customer's own (their cancellations are
   * the one unaudited path; so is a row written outside the API).
   */
  cancelledBy: { customer: number; stylist: number; desk: number };
  /** Minutes of appointments (start to end, no buffer) not cancelled: pending to completed, and no-shows (the chair was kept). */
  bookedMinutes: number;
  /** Minutes of working windows after overrides (a closure day: 0). */
  workingMinutes: number;
  /** bookedMinutes / workingMinutes; null when there were no working minutes. */
  utilisation: number | null;
  /** Prices of completed bookings, in cents of `currency`. */
  revenueCompletedCents: number;
  /** Prices of confirmed (and pending) bookings that have not started yet. */
  revenueUpcomingCents: number;
}

export interface ReportRowDto extends ReportFiguresDto {
  date: string;
  stylistId: string;
}

export interface ReportStylistDto {
  id: string;
  displayName: string;
  timezone: string;
  active: boolean;
}

export interface ReportSummaryDto {
  from: string;
  to: string;
  /** The salon's zone (dates are each stylist's local dates; the salon's for the totals). */
  timezone: string;
  currency: string;
  /** Active stylists, and inactive ones with bookings in the range; by name. */
  stylists: ReportStylistDto[];
  /** One row per date and stylist, every date of the range, by date then stylist order. */
  rows: ReportRowDto[];
  /** Per date, all stylists together. */
  days: (ReportFiguresDto & { date: string })[];
  /** Per stylist, the whole range. */
  byStylist: (ReportFiguresDto & { stylistId: string })[];
  totals: ReportFiguresDto;
}
