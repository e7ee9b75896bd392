// One-tap rebooking of a booking that needs attention: the nearest free times for its service, with
// any stylist offering it (GET /api/bookings/:id/alternatives), and moving it to one of them with
// the reschedule endpoint (which takes the stylist).
import { attempt } from '../lib/attempt.ts';
import type { Api } from '../lib/api.ts';
import type { Booking, BookingAlternative, BookingAlternatives } from '../lib/types.ts';

export class Rebook {
  alternatives = $state.raw<BookingAlternative[]>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state('');
  /** The start being moved to, while its request runs. */
  choosing = $state<string | null>(null);
  #api: Api;
  #bookingId: string;

  constructor(api: Api, bookingId: string) {
    this.#api = api;
    this.#bookingId = bookingId;
  }

  async load(): Promise<void> {
    await attempt(this, async () => {
      const r = await this.#api.get<BookingAlternatives>(`/api/bookings/${this.#bookingId}/alternatives`);
      this.alternatives = r.alternatives;
    });
    this.loaded = true;
  }

  /** Moves the booking to `alt`; the moved booking, or null (the error says why; the times are read again). */
  async choose(alt: BookingAlternative): Promise<Booking | null> {
    if (this.busy) return null;
    let moved: Booking | null = null;
    this.choosing = alt.startUtc + alt.stylistId;
    const ok = await attempt(this, async () => {
      moved = await this.#api.post<Booking>(`/api/bookings/${this.#bookingId}/reschedule`, {
        startUtc: alt.startUtc,
        stylistId: alt.stylistId,
      });
    });
    this.choosing = null;
    if (!ok) {
      // Taken meanwhile, most likely: offer what is free now, keeping the message.
      const error = this.error;
      await this.load();
      this.error ||= error;
    }
    return moved;
  }
}
