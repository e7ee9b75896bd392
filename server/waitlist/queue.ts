// Offer passes, one at a time per process: events that may free time add to the pending scope,
// and one pass at a time runs over what is pending (events arriving meanwhile wait for the next).
import type { Logger } from 'pino';
import type { RelayEvent } from '../realtime/events.ts';

/** What a pass looks at: waiting entries of these stylists (null: all) on these dates (null: all), or of these customers. */
export interface OfferScope {
  stylists: Set<string> | null;
  dates: Set<string> | null;
  customers: Set<string>;
}

/** Event kinds that may free time: cancelled or moved bookings, ended holds, overrides, schedules. */
const FREEING = new Set<RelayEvent['kind']>([
  'booking.updated',
  'hold.deleted',
  'override.created',
  'override.deleted',
  'schedule.changed',
  'stylist.changed',
]);

export class OfferQueue {
  readonly #log: Logger;
  readonly #run: (scope: OfferScope) => Promise<void>;
  #pending: OfferScope | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(o: { log: Logger; run: (scope: OfferScope) => Promise<void> }) {
    this.#log = o.log;
    this.#run = o.run;
  }

  /** A batch of committed events (the relay's): those that may free time schedule a pass. */
  noteEvents(events: readonly RelayEvent[]): void {
    for (const ev of events) {
      if (!FREEING.has(ev.kind)) continue;
      const p = (this.#pending ??= { stylists: new Set(), dates: new Set(), customers: new Set() });
      if (ev.stylistId === null) p.stylists = null;
      else p.stylists?.add(ev.stylistId);
      if (ev.dates === null) p.dates = null;
      else for (const d of ev.dates) p.dates?.add(d);
      // A waiter passed over while holding something is looked at again when that hold ends.
      if (ev.kind === 'hold.deleted' && typeof ev.data.customerId === 'string') p.customers.add(ev.data.customerId);
    }
    this.#kick();
  }

  /** Resolves once no pass is running or pending (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  close(): void {
    this.#closed = true;
    this.#pending = null;
  }

  #kick(): void {
    if (this.#running || !this.#pending || this.#closed) return;
    this.#running = (async () => {
      while (this.#pending && !this.#closed) {
        const scope = this.#pending;
        this.#pending = null;
        try {
          await this.#run(scope);
        } catch (err) {
          this.#log.warn({ err: (err as Error).message }, 'waitlist offer pass failed; the next event retries');
        }
      }
      this.#running = null;
    })();
  }
}
