import { plainMessage, type Api } from '../lib/api.ts';
import { attemptWith, type Progress } from '../lib/attempt.ts';
import { statusLabel } from '../lib/labels.ts';
import { isStaffBooking, type LiveConnection } from '../lib/live.svelte.ts';
import type { Booking, StylistBooking } from '../lib/types.ts';
import { isActiveStatus } from '../../../server/contract/enums.ts';

/**
 * The customer's own bookings: list, cancel; rescheduling runs through the booking modal. Stays
 * current without a reload: the customer's own `booking:created`/`booking:updated` events (every
 * tab and device of theirs, replayed after a reconnect) and the answers of their own actions
 * (book, cancel, reschedule, through `upsert`) update the list in place.
 */
export class MyBookings {
  items = $state.raw<Booking[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  /** Id of the booking a request is running for. */
  busyId = $state<string | null>(null);
  /** Last finished action, for the polite live region. */
  message = $state('');
  /** The bookings a live event added or changed since the list was loaded (marked on screen), by id. */
  changed = $state.raw<ReadonlyMap<string, 'added' | 'updated'>>(new Map());
  #api: Api;
  #now: () => number;
  #me: () => string | null;
  /** Bookings received while a load is in flight: applied over its answer, which may predate them. */
  #duringLoad: Booking[] | null = null;
  #loadSeq = 0;

  /** `me`: the signed-in user's id; an event about anyone else's booking is ignored. */
  constructor(api: Api, live?: LiveConnection, now: () => number = Date.now, me: () => string | null = () => null) {
    this.#api = api;
    this.#now = now;
    this.#me = me;
    live?.onResync(() => void this.load());
    live?.onReconnect(() => void this.load());
    live?.on('booking:created', (p) => this.receive(p.booking));
    live?.on('booking:updated', (p) => this.receive(p.booking));
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
    const seq = ++this.#loadSeq;
    this.loading = true;
    const during: Booking[] = [];
    this.#duringLoad = during;
    try {
      const list = await this.#api.get<Booking[]>('/api/bookings/mine');
      if (seq !== this.#loadSeq) return;
      this.#duringLoad = null;
      this.items = list;
      for (const b of during) this.upsert(b);
      this.error = '';
    } catch (err) {
      if (seq === this.#loadSeq) this.error = plainMessage(err);
    } finally {
      if (seq === this.#loadSeq) {
        this.#duringLoad = null;
        this.loading = false;
        this.loaded = true;
      }
    }
  }

  /** Forgets everything (sign-out): the next customer's list is loaded afresh. */
  clear(): void {
    this.#loadSeq++;
    this.#duringLoad = null;
    this.items = [];
    this.changed = new Map();
    this.loaded = false;
    this.message = '';
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

  /** A booking of this customer as the server now has it (an action's answer or a live event). */
  upsert(b: Booking): void {
    this.#duringLoad?.push(b);
    const i = this.items.findIndex((x) => x.id === b.id);
    this.items = i < 0 ? [b, ...this.items] : this.items.map((x) => (x.id === b.id ? b : x));
  }

  /** A live event: only the customer's own view of their own booking is taken. */
  receive(b: Booking | StylistBooking): void {
    if (isStaffBooking(b)) return;
    const me = this.#me();
    if (me !== null && b.customerId !== me) return;
    const known = this.items.find((x) => x.id === b.id);
    // The answer to this tab's own action may have brought it already.
    if (known && JSON.stringify(known) === JSON.stringify(b)) return;
    this.upsert(b);
    this.changed = new Map([...this.changed, [b.id, known ? 'updated' : 'added']]);
    this.message = !known
      ? 'A new booking was added to your list.'
      : known.status !== b.status
        ? `A booking is now ${statusLabel(b.status).toLowerCase()}.`
        : 'A booking was changed.';
  }
}
