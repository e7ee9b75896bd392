import { plainMessage, type Api } from '../lib/api.ts';
import type { LiveConnection } from '../lib/live.svelte.ts';
import type { Booking, WaitlistEntry, WaitlistJoin, WaitlistOffer, WaitlistOfferPayload } from '../lib/types.ts';

/**
 * The customer's waitlist: their entries (join, leave) and the live offer — a freed time held for
 * them alone, arriving on `waitlist:offer` wherever they are in the app, to book ("Book it") or
 * decline ("No thanks") before it expires. Re-read after a reconnect or a resync (offers are not
 * replayed: the list carries the live one).
 */
export class Waitlist {
  entries = $state.raw<WaitlistEntry[]>([]);
  /** The live offer shown in the banner (the newest). */
  offer = $state.raw<WaitlistOffer | null>(null);
  busy = $state(false);
  error = $state('');
  /** The last finished action, for the polite live region. */
  message = $state('');
  #api: Api;
  #now: () => number;
  #me: () => string | null;

  /** `me`: the signed-in customer's id (null: nobody, or not a customer; nothing is loaded). */
  constructor(api: Api, live: LiveConnection | undefined, now: () => number = Date.now, me: () => string | null = () => null) {
    this.#api = api;
    this.#now = now;
    this.#me = me;
    live?.on('waitlist:offer', (p) => this.receive(p));
    live?.onReconnect(() => void this.load());
    live?.onResync(() => void this.load());
  }

  /** Ms left on the offer's hold at `now` (0 when expired or none). */
  remainingMs(now: number): number {
    return this.offer ? Math.max(0, Date.parse(this.offer.hold.expiresAt) - now) : 0;
  }

  /** A live offer from the socket. */
  receive(p: WaitlistOfferPayload): void {
    const offer: WaitlistOffer = { id: p.offerId, entryId: p.entryId, hold: p.hold, slot: p.slot };
    this.offer = offer;
    this.entries = this.entries.map((e) => (e.id === p.entryId ? { ...e, offer } : e));
    this.message = 'A time you were waiting for is free and held for you.';
  }

  async load(): Promise<void> {
    if (!this.#me()) return;
    try {
      const list = await this.#api.get<WaitlistEntry[]>('/api/waitlist/mine');
      this.entries = list;
      const live = list.map((e) => e.offer).find((o) => o && Date.parse(o.hold.expiresAt) > this.#now());
      this.offer = live ?? null;
      this.error = '';
    } catch (err) {
      this.error = plainMessage(err);
    }
  }

  /** Joins; resolves with the entry, or null with `error` set (a free time in the range says so). */
  async join(body: WaitlistJoin): Promise<WaitlistEntry | null> {
    this.busy = true;
    try {
      const entry = await this.#api.post<WaitlistEntry>('/api/waitlist', body);
      this.entries = [...this.entries, entry];
      this.error = '';
      this.message = 'You are on the waitlist. We will hold the time for you when it frees up.';
      return entry;
    } catch (err) {
      this.error = joinProblem(err);
      return null;
    } finally {
      this.busy = false;
    }
  }

  async leave(entryId: string): Promise<void> {
    this.busy = true;
    try {
      await this.#api.delete(`/api/waitlist/${entryId}`);
      this.entries = this.entries.filter((e) => e.id !== entryId);
      if (this.offer?.entryId === entryId) this.offer = null;
      this.message = 'You left the waitlist.';
    } catch (err) {
      this.error = plainMessage(err);
    } finally {
      this.busy = false;
    }
  }

  /** "Book it": a booking from the offer's hold; resolves with the booking, or null with `error` set. */
  async book(): Promise<Booking | null> {
    const offer = this.offer;
    if (!offer) return null;
    this.busy = true;
    try {
      const booking = await this.#api.post<Booking>('/api/bookings', { holdId: offer.hold.id });
      this.offer = null;
      this.entries = this.entries.filter((e) => e.id !== offer.entryId);
      this.error = '';
      this.message = 'Booked. You will find it in My bookings.';
      return booking;
    } catch (err) {
      this.error = plainMessage(err);
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** "No thanks": the time goes to the next waiter; the entry keeps waiting for another time. */
  async decline(): Promise<void> {
    const offer = this.offer;
    if (!offer) return;
    this.busy = true;
    try {
      await this.#api.post(`/api/waitlist/${offer.entryId}/decline`);
    } catch {
      // Already ended (expired, or declined on another device): nothing left to decline.
    } finally {
      this.offer = null;
      this.entries = this.entries.map((e) => (e.id === offer.entryId ? { ...e, offer: null } : e));
      this.message = 'We offered the time to the next person.';
      this.busy = false;
    }
  }

  /** Forgets the offer on screen once it has expired (the server passes it on). */
  dismissExpired(): void {
    if (this.offer && this.remainingMs(this.#now()) === 0) this.offer = null;
  }

  clear(): void {
    this.entries = [];
    this.offer = null;
    this.error = '';
    this.message = '';
  }
}

function joinProblem(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'SLOTS_AVAILABLE') return 'There are free times in that range — pick one of them instead.';
  if (code === 'WAITLIST_FULL') return 'You are already waiting for five times. Leave one in My bookings first.';
  if (code === 'WAITLIST_DUPLICATE') return 'You are already on the waitlist for that.';
  return plainMessage(err);
}
