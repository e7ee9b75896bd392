// The salon's numbers in the console: the range picked, the summary read from
// GET /api/admin/reports/summary, the series the charts draw and the CSV export.
import { plainMessage, query, type Api } from '../lib/api.ts';
import type { LiveConnection } from '../lib/live.svelte.ts';
import { addDays, daysBetween } from '../lib/time.ts';
import type { ReportRow, ReportSummary } from '../lib/types.ts';
import { MAX_REPORT_DAYS } from '../../../server/contract/limits.ts';

export { MAX_REPORT_DAYS };

/** The quick ranges: the last N days, today included. */
export const REPORT_PRESETS = [7, 30, 90] as const;

/** [from, to] of the last `days` days ending `today` (both included). */
export function presetRange(today: string, days: number): { from: string; to: string } {
  return { from: addDays(today, -(days - 1)), to: today };
}

/** Why a custom range cannot be asked for, or '' when it can. */
export function rangeProblem(from: string, to: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return 'Pick both dates.';
  if (to < from) return 'The last day is before the first.';
  if (daysBetween(from, to) + 1 > MAX_REPORT_DAYS) return `At most ${MAX_REPORT_DAYS} days at a time.`;
  return '';
}

/** A date (YYYY-MM-DD) as the x value of a chart: seconds at its UTC midnight (labelled in UTC). */
export function dateX(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/** Per-day series: bookings, completed, no-shows, revenue (in currency units) and no-show rate (%). */
export function dailySeries(s: ReportSummary): {
  x: number[];
  bookings: number[];
  completed: number[];
  noShows: number[];
  revenue: number[];
  noShowRate: (number | null)[];
} {
  return {
    x: s.days.map((d) => dateX(d.date)),
    bookings: s.days.map((d) => d.bookings),
    completed: s.days.map((d) => d.completed),
    noShows: s.days.map((d) => d.noShows),
    revenue: s.days.map((d) => d.revenueCompletedCents / 100),
    noShowRate: s.days.map((d) => (d.noShowRate === null ? null : round(d.noShowRate * 100, 1))),
  };
}

/** Utilisation (%) per day, one series per stylist; null on a day without working minutes. */
export function utilisationSeries(s: ReportSummary): { x: number[]; stylists: { name: string; values: (number | null)[] }[] } {
  const byKey = new Map(s.rows.map((r) => [`${r.date} ${r.stylistId}`, r]));
  return {
    x: s.days.map((d) => dateX(d.date)),
    stylists: s.stylists.map((st) => ({
      name: st.displayName,
      values: s.days.map((d) => {
        const u = byKey.get(`${d.date} ${st.id}`)?.utilisation ?? null;
        return u === null ? null : round(u * 100, 1);
      }),
    })),
  };
}

export const CSV_COLUMNS = [
  'date',
  'stylist',
  'bookings',
  'completed',
  'no_shows',
  'cancellations',
  'cancelled_late',
  'cancelled_early',
  'cancelled_by_customer',
  'cancelled_by_stylist',
  'cancelled_by_desk',
  'booked_minutes',
  'working_minutes',
  'utilisation',
  'revenue_completed',
  'revenue_upcoming',
  'currency',
] as const;

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or leading/trailing space; quotes doubled. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  // A cell a spreadsheet would run as a formula starts with an apostrophe (names are typed by people).
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The per-day-per-stylist table as CSV (CRLF line ends, a header row; amounts in currency units). */
export function reportCsv(s: ReportSummary): string {
  const names = new Map(s.stylists.map((st) => [st.id, st.displayName]));
  const money = (cents: number) => (cents / 100).toFixed(2);
  const line = (r: ReportRow) =>
    [
      r.date,
      names.get(r.stylistId) ?? r.stylistId,
      r.bookings,
      r.completed,
      r.noShows,
      r.cancellations,
      r.cancelledLate,
      r.cancelledEarly,
      r.cancelledBy.customer,
      r.cancelledBy.stylist,
      r.cancelledBy.desk,
      r.bookedMinutes,
      r.workingMinutes,
      r.utilisation === null ? null : r.utilisation.toFixed(4),
      money(r.revenueCompletedCents),
      money(r.revenueUpcomingCents),
      s.currency,
    ]
      .map(csvField)
      .join(',');
  return [CSV_COLUMNS.join(','), ...s.rows.map(line)].join('\r\n') + '\r\n';
}

/** Offers `text` as a file download (a Blob URL on a temporary link). */
export function downloadText(doc: Document, name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A summary read for a range; a newer read wins over one still running for an older range. */
export class ReportSummaryState {
  summary = $state.raw<ReportSummary | null>(null);
  loading = $state(false);
  error = $state('');
  #api: Api;
  #seq = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  async load(from: string, to: string): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const s = await this.#api.get<ReportSummary>(`/api/admin/reports/summary${query({ from, to })}`);
      if (seq !== this.#seq) return;
      this.summary = s;
      this.error = '';
    } catch (err) {
      if (seq === this.#seq) this.error = plainMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /**
   * Reads again (`delayMs` after the first of a burst, which it coalesces) whenever a booking is created or changes, and
   * after a resync or reconnect. Returns the stop function.
   */
  follow(live: Pick<LiveConnection, 'on' | 'onResync' | 'onReconnect'>, range: () => { from: string; to: string }, delayMs = 500) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // At most one read per `delayMs`, however busy the salon: a pending read serves later events too.
    const again = () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        const r = range();
        void this.load(r.from, r.to);
      }, delayMs);
    };
    const offs = [live.on('booking:created', again), live.on('booking:updated', again), live.onResync(again), live.onReconnect(again)];
    return () => {
      clearTimeout(timer);
      for (const off of offs) off();
    };
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
