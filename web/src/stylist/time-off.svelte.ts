// The stylist's own time off: the request form, what is left of this month's budgets, the requests
// with their status, and the bookings a new request put outside the hours (flagged, not cancelled:
// the salon contacts those customers).
import { ApiError, plainMessage, type Api } from '../lib/api.ts';
import { addDays, daysBetween } from '../lib/time.ts';
import type { AffectedBooking, TimeOffCreated, TimeOffList, TimeOffRequest } from '../lib/types.ts';

/** Longest request, in days (the server's MAX_TIME_OFF_DAYS). */
export const MAX_TIME_OFF_DAYS = 14;

export interface TimeOffDraft {
  startDate: string;
  endDate: string;
  reason: string;
  emergency: boolean;
}

/** What is wrong with the draft before sending, given today's date in the stylist's zone; '' when fine. */
export function timeOffProblem(d: TimeOffDraft, today: string): string {
  if (!d.startDate) return 'Choose the first day off.';
  const end = d.endDate || d.startDate;
  if (end < d.startDate) return 'The last day is before the first.';
  if (daysBetween(d.startDate, end) + 1 > MAX_TIME_OFF_DAYS) return `Ask for at most ${MAX_TIME_OFF_DAYS} days at a time.`;
  if (today && d.startDate < today) return 'That day has passed.';
  if (today && d.startDate === today && !d.emergency)
    return 'Time off starting today is an emergency: tick “Emergency”, or start tomorrow.';
  if (d.reason.length > 200) return 'Please shorten the reason to 200 characters.';
  return '';
}

/** The server's refusal in words: its own sentence for a date rule, the month's budget when spent. */
export function timeOffError(err: unknown): string {
  if (err instanceof ApiError && err.code === 'INVALID_INPUT') {
    const f = (err.details as { fields?: { field: string; code: string; message: string }[] } | undefined)?.fields ?? [];
    // The date rules (tomorrow, how far ahead) are written for people; schema messages are not.
    if (f.length === 1 && f[0].code === 'custom' && err.message === f[0].message) return err.message;
  }
  return plainMessage(err);
}

export const emptyTimeOffDraft = (): TimeOffDraft => ({ startDate: '', endDate: '', reason: '', emergency: false });

export class TimeOff {
  list = $state.raw<TimeOffList | null>(null);
  draft = $state<TimeOffDraft>(emptyTimeOffDraft());
  busy = $state(false);
  error = $state('');
  message = $state('');
  /** The bookings the last request put outside the hours. */
  affected = $state.raw<AffectedBooking[]>([]);
  #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  requests = $derived<TimeOffRequest[]>(this.list?.requests ?? []);

  async load(): Promise<void> {
    try {
      this.list = await this.#api.get<TimeOffList>('/api/stylist/time-off');
    } catch (err) {
      this.error = plainMessage(err);
    }
  }

  /** Sends the request; true when granted. `today` is today in the stylist's zone. */
  async submit(today: string): Promise<boolean> {
    const problem = timeOffProblem(this.draft, today);
    if (problem) {
      this.error = problem;
      return false;
    }
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      const d = this.draft;
      const res = await this.#api.post<TimeOffCreated>('/api/stylist/time-off', {
        startDate: d.startDate,
        endDate: d.endDate || d.startDate,
        ...(d.reason.trim() ? { reason: d.reason.trim() } : {}),
        ...(d.emergency ? { emergency: true } : {}),
      });
      this.affected = res.affectedBookings;
      const n = res.affectedBookings.length;
      this.message = n
        ? `Time off saved. ${n} booking${n === 1 ? ' is' : 's are'} on those days: the salon will contact ${n === 1 ? 'that customer' : 'those customers'}.`
        : 'Time off saved. No bookings were on those days.';
      this.draft = emptyTimeOffDraft();
      await this.load();
      return true;
    } catch (err) {
      this.error = timeOffError(err);
      this.affected = [];
      if (err instanceof ApiError && err.code === 'BUDGET_EXHAUSTED') await this.load();
      return false;
    } finally {
      this.busy = false;
    }
  }
}

/** "12 Mar" or "12 Mar – 14 Mar" for a request's days (local dates). */
export function requestDays(r: Pick<TimeOffRequest, 'startDate' | 'endDate'>, format: (d: string) => string): string {
  return r.startDate === r.endDate ? format(r.startDate) : `${format(r.startDate)} – ${format(r.endDate)}`;
}

/** The last day a request could cover (for the date inputs' max). */
export const lastDayOf = (start: string) => (start ? addDays(start, MAX_TIME_OFF_DAYS - 1) : '');

/** "March 2027" for "2027-03". */
export function monthName(ym: string): string {
  return new Date(`${ym}-15T12:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
