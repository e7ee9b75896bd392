import { plainMessage, type Api } from '../lib/api.ts';
import { attemptWith, type Progress } from '../lib/attempt.ts';
import type { LiveConnection } from '../lib/live.svelte.ts';
import type { Booking } from '../lib/types.ts';
import { isActiveStatus } from '../../../server/contract/enums.ts';

/** The customer's own bookings: list, cancel; rescheduling runs through the booking modal. */
export class MyBookings {
  items = $state.raw<Booking[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  /** Id of the booking a request is running for. */
  busyId = $state<string | null>(null);
  /** Last finished action, for the polite live region. */
  message = $state('');
  #api: Api;
  #now: () => number;

  constructor(api: Api, live?: LiveConnection, now: () => number = Date.now) {
    this.#api = api;
    this.#now = now;
    live?.onResync(() => void this.load());
    live?.onReconnect(() => void this.load());
  }

  upcoming = $derived(
    this.items
      .filter((b) => isActiveStatus(b.status) && Date.parse(b.endUtc) > this.#now())
      .sort((a, b) => a.startUtc.localeCompare(b.startUtc)),
  );
  past = $derived(this.items.filter((b) => !this.upcoming.includes(b)));

  canChange(b: Booking): boolean {
    return (b.status === 'pending' || b.status === 'confirmed') && Date.parse(b.startUtc) > this.#now();
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.items = await this.#api.get<Booking[]>('/api/bookings/mine');
      this.error = '';
    } catch (err) {
      this.error = plainMessage(err);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
  }

  async cancel(id: string, reason?: string): Promise<boolean> {
    // Busy is per booking: the row being cancelled shows it.
    const progress: Progress = { busy: (on) => (this.busyId = on ? id : null), error: (message) => (this.error = message) };
    return attemptWith(progress, async () => {
      const updated = await this.#api.post<Booking>(`/api/bookings/${id}/cancel`, reason?.trim() ? { reason: reason.trim() } : {});
      this.upsert(updated);
      this.message = 'Your booking was cancelled.';
    });
  }

  upsert(b: Booking): void {
    const i = this.items.findIndex((x) => x.id === b.id);
    this.items = i < 0 ? [b, ...this.items] : this.items.map((x) => (x.id === b.id ? b : x));
  }
}
