// The manage page's state (/manage/<token>): one booking seen, cancelled or moved through the link
// in a message, without signing in. The link's own errors (expired, used, not valid) are kept as
// codes so the page can explain each one.
import { ApiError, plainMessage, type Api } from '../lib/api.ts';
import type { Booking, ManageResult, ManageView } from '../lib/types.ts';

/** What each link error means to a person. */
export const LINK_PROBLEMS: Record<string, { title: string; text: string }> = {
  LINK_EXPIRED: {
    title: 'This link has expired',
    text: 'Links in our messages work until the appointment is over, and for a limited time. Sign in to see your bookings, or use the link in your latest message.',
  },
  LINK_USED: {
    title: 'This link was already used',
    text: 'Each link can change a booking once. Use the link in your latest message, or sign in to see your bookings.',
  },
  LINK_INVALID: {
    title: 'This link is not valid',
    text: 'Check that the whole link was copied from the message. If the booking was removed, the link no longer works.',
  },
  LINK_NOT_ALLOWED: {
    title: 'This link cannot do that',
    text: 'The link in this message only lets you see the booking. Sign in to change it.',
  },
};

export class ManageLink {
  token = $state('');
  view = $state.raw<ManageView | null>(null);
  loading = $state(false);
  busy = $state(false);
  /** The link's own problem (a LINK_* code) when it cannot be used at all. */
  linkProblem = $state<string | null>(null);
  /** A sentence about the last failed action. */
  error = $state<string | null>(null);
  /** The latest outcome, for the live region. */
  message = $state('');

  #api: Api;
  #onToken: (token: string) => void;

  constructor(api: Api, token: string, onToken: (token: string) => void = () => {}) {
    this.#api = api;
    this.token = token;
    this.#onToken = onToken;
  }

  booking = $derived<Booking | null>(this.view?.booking ?? null);
  canCancel = $derived(this.view?.actions.includes('cancel') ?? false);
  canReschedule = $derived(this.view?.actions.includes('reschedule') ?? false);
  /** The booking's calendar file through this link. */
  calendarUrl = $derived(`/api/manage/${encodeURIComponent(this.token)}/calendar.ics`);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.view = await this.#api.get<ManageView>(`/api/manage/${encodeURIComponent(this.token)}`);
      this.linkProblem = null;
    } catch (err) {
      this.#fail(err);
    } finally {
      this.loading = false;
    }
  }

  async cancel(reason: string): Promise<boolean> {
    return this.#act(async () => {
      const r = await this.#api.post<ManageResult>(
        `/api/manage/${encodeURIComponent(this.token)}/cancel`,
        reason.trim() ? { reason: reason.trim() } : {},
      );
      this.message = 'Your booking is cancelled.';
      return r;
    });
  }

  async reschedule(startUtc: string): Promise<boolean> {
    return this.#act(async () => {
      const r = await this.#api.post<ManageResult>(`/api/manage/${encodeURIComponent(this.token)}/reschedule`, { startUtc });
      this.message = 'Your booking was moved.';
      return r;
    });
  }

  async #act(fn: () => Promise<ManageResult>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      const r = await fn();
      if (r.token) {
        // The used link can no longer change the booking: carry on with the fresh one.
        this.token = r.token;
        this.#onToken(r.token);
      }
      await this.load();
      return true;
    } catch (err) {
      this.#fail(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  #fail(err: unknown): void {
    if (err instanceof ApiError && err.code in LINK_PROBLEMS) {
      // A used link still shows its booking; an expired or invalid one shows nothing.
      if (err.code === 'LINK_USED' || err.code === 'LINK_NOT_ALLOWED') {
        this.error = LINK_PROBLEMS[err.code].title + '. ' + LINK_PROBLEMS[err.code].text;
        void this.load();
      } else {
        this.linkProblem = err.code;
        this.view = null;
      }
      return;
    }
    this.error = plainMessage(err);
  }
}
