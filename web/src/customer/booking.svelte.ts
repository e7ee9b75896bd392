// The customer's booking flow as one state object: choose a service and a stylist, look along a
// strip of days, open a day in the booking modal (a live slot grid), hold a time, sign in inline if
// needed (the selection survives), confirm. Also drives rescheduling an existing booking.
import { alternativesOf, ApiError, plainMessage, query, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import type { Clock } from '../lib/clock.svelte.ts';
import { DaySlots, nearestAvailable } from '../lib/day-slots.svelte.ts';
import type { LiveConnection } from '../lib/live.svelte.ts';
import type { Session } from '../lib/session.svelte.ts';
import { addDays, browserZone, dateIn, formatTime } from '../lib/time.ts';
import type { Booking, Hold, Slot } from '../lib/types.ts';

export type Step = 'pick' | 'auth' | 'held' | 'done';

export interface StripDay {
  date: string;
  /** null while loading or after an error */
  available: number | null;
  total: number | null;
}

export interface FlowDeps {
  api: Api;
  live: LiveConnection;
  session: Session;
  catalogue: Catalogue;
  clock: Clock;
  now?: () => number;
  /** Where a hold released as the page goes away is remembered for its reload (the tab's sessionStorage). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
}

/** How long after the page went away a reload takes back the hold it released. */
export const RESUME_WITHIN_MS = 60_000;
const STASH_KEY = 'kb.releasedHold';

interface ReleasedHold {
  userId: string;
  stylistId: string;
  serviceId: string;
  startUtc: string;
  at: number;
}

export const STRIP_DAYS = 14;

export class BookingFlow {
  serviceId = $state<string | null>(null);
  stylistId = $state<string | null>(null);
  /** The customer's own zone: times are shown in it. */
  zone = $state(browserZone());
  stripStart = $state<string | null>(null);
  strip = $state.raw<StripDay[]>([]);
  /** The open day (stylist-local date); null when the modal is closed. */
  date = $state<string | null>(null);
  day = $state.raw<DaySlots | null>(null);
  selected = $state<string | null>(null);
  step = $state<Step>('pick');
  hold = $state.raw<(Hold & { deadline: number }) | null>(null);
  booking = $state.raw<Booking | null>(null);
  /** Set while a request is in flight. */
  busy = $state(false);
  error = $state('');
  /** Alternatives the server offered with a 409 (start instants). */
  offered = $state.raw<string[] | null>(null);
  /** Rescheduling this booking instead of making a new one. */
  rescheduling = $state.raw<Booking | null>(null);
  notes = $state('');
  /** Closing (Escape, ✕) with a live hold asks first: the modal shows the question while this is set. */
  confirmingClose = $state(false);
  /** Set when the hold on screen was found again after a reload (not made in this page). */
  resumed = $state(false);

  #deps: FlowDeps;
  #now: () => number;
  #stopDay: (() => void) | null = null;
  #stripToken = 0;
  #idempotencyKey = '';
  #storage: FlowDeps['storage'];

  constructor(deps: FlowDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#storage = deps.storage === undefined ? sessionStore() : deps.storage;
    deps.live.onResync(() => this.refresh());
    deps.live.onReconnect(() => void this.loadStrip());
  }

  stylist = $derived.by(() => this.#deps.catalogue.stylist(this.stylistId));
  service = $derived.by(() => this.#deps.catalogue.service(this.serviceId));
  offer = $derived.by(() => this.#deps.catalogue.offer(this.stylistId, this.serviceId));
  /** The currency of the salon's prices, as the catalogue states it. */
  currency = $derived.by(() => this.#deps.catalogue.currency);
  /** The stylist's zone, else the salon's (before the catalogue loads, the browser's). */
  salonZone = $derived.by(() => this.stylist?.timezone ?? this.#deps.catalogue.salonZone ?? browserZone());
  ready = $derived(!!this.stylistId && !!this.serviceId && !!this.offer);
  isOpen = $derived(this.date !== null);
  selectedSlot = $derived(this.day?.slots.find((s) => s.startUtc === this.selected) ?? null);
  /** The selection is mine while I hold it or a hold/reschedule request for it is in flight. */
  selectionMine = $derived(!!this.selected && (this.hold?.startUtc === this.selected || (this.busy && this.step !== 'held')));
  /** Someone else took the selected time while I looked (or the day changed under it). */
  selectionLost = $derived(
    !!this.selected &&
      this.step !== 'done' &&
      !this.selectionMine &&
      !!this.day &&
      !this.day.loading &&
      (!this.selectedSlot || this.selectedSlot.status !== 'available'),
  );
  lostBecause = $derived<'booked' | 'held' | 'gone'>(
    this.selectedSlot?.status === 'booked' ? 'booked' : this.selectedSlot?.status === 'held' ? 'held' : 'gone',
  );
  /** The nearest free times to the selection: the server's offer after a 409, else the live grid's. */
  alternatives = $derived.by<Slot[]>(() => {
    const slots = this.day?.slots ?? [];
    if (this.offered) {
      const offered = this.offered
        .map((t) => slots.find((s) => s.startUtc === t && s.status === 'available'))
        .filter((s): s is Slot => !!s);
      if (offered.length) return offered;
    }
    if (!this.selected || !(this.selectionLost || this.offered)) return [];
    return nearestAvailable(slots, this.selected, 3);
  });
  remainingMs = $derived.by(() => (this.hold ? Math.max(0, this.hold.deadline - this.#deps.clock.now) : 0));
  holdExpired = $derived(this.hold !== null && this.remainingMs <= 0);

  /** "10:30 AM" in the customer's zone and the browser's locale. */
  timeOf(startUtc: string): string {
    return formatTime(startUtc, this.zone);
  }

  today(): string {
    return dateIn(this.salonZone, this.#now());
  }

  setService(id: string | null): void {
    this.serviceId = id;
    if (this.stylistId && !this.#deps.catalogue.stylistsFor(id).some((s) => s.id === this.stylistId)) this.stylistId = null;
    void this.loadStrip();
  }

  setStylist(id: string | null): void {
    this.stylistId = id;
    void this.loadStrip();
  }

  setZone(zone: string): void {
    this.zone = zone;
  }

  /** Counts the free times of each day on the strip (the server caches these reads). */
  async loadStrip(): Promise<void> {
    if (!this.ready) {
      this.strip = [];
      return;
    }
    const token = ++this.#stripToken;
    const today = this.today();
    if (!this.stripStart || this.stripStart < today) this.stripStart = today;
    const dates = Array.from({ length: STRIP_DAYS }, (_, i) => addDays(this.stripStart!, i));
    this.strip = dates.map((date) => ({ date, available: this.strip.find((d) => d.date === date)?.available ?? null, total: null }));
    const { stylistId, serviceId } = this;
    await Promise.all(
      dates.map(async (date) => {
        try {
          const slots = await this.#deps.api.get<Slot[]>(
            `/api/bookings/available-slots${query({ stylistId, serviceId, targetDate: date })}`,
          );
          if (token === this.#stripToken) this.#setStripDay(date, slots);
        } catch {
          /* the day shows as unknown; opening it will say why */
        }
      }),
    );
  }

  pageStrip(direction: 1 | -1): void {
    const today = this.today();
    const next = addDays(this.stripStart ?? today, direction * STRIP_DAYS);
    this.stripStart = next < today ? today : next;
    void this.loadStrip();
  }

  #setStripDay(date: string, slots: Slot[]): void {
    this.strip = this.strip.map((d) =>
      d.date === date ? { date, available: slots.filter((s) => s.status === 'available').length, total: slots.length } : d,
    );
  }

  /** Opens the booking modal on a day (or moves it to another day). */
  openDay(date: string): void {
    if (!this.ready) return;
    this.#stopDay?.();
    this.date = date;
    this.selected = this.step === 'held' ? this.selected : null;
    if (this.step === 'done') {
      this.step = 'pick';
      this.booking = null;
    }
    this.error = '';
    this.offered = null;
    const day = new DaySlots(
      { stylistId: this.stylistId!, serviceId: this.serviceId!, date },
      {
        api: this.#deps.api,
        live: this.#deps.live,
        isOwn: (t) => this.hold?.startUtc === t || (this.busy && this.selected === t) || this.rescheduling?.startUtc === t,
        describe: (t) => this.timeOf(t),
        onApply: (slots) => this.#setStripDay(date, slots),
      },
    );
    this.day = day;
    this.#stopDay = day.start();
  }

  moveDay(delta: number): void {
    if (!this.date || this.step === 'held' || this.busy) return;
    const next = addDays(this.date, delta);
    if (next < this.today()) return;
    this.openDay(next);
  }

  /**
   * The modal's close (Escape, ✕): with a live hold, asks before releasing it; asked already, a
   * second Escape keeps the hold.
   */
  requestClose(): void {
    if (this.confirmingClose) {
      this.confirmingClose = false;
      return;
    }
    if (this.step === 'held' && this.hold && !this.holdExpired && !this.busy) {
      this.confirmingClose = true;
      return;
    }
    this.close();
  }

  keepHold(): void {
    this.confirmingClose = false;
  }

  /** Closes the modal; a hold not turned into a booking is released for others. */
  close(): void {
    this.confirmingClose = false;
    this.resumed = false;
    this.#stopDay?.();
    this.#stopDay = null;
    if (this.hold && this.step === 'held') void this.releaseHold();
    this.date = null;
    this.day = null;
    this.selected = null;
    this.step = 'pick';
    this.error = '';
    this.offered = null;
    this.booking = null;
    this.rescheduling = null;
    this.notes = '';
  }

  select(startUtc: string): void {
    if (this.step === 'held' || this.busy) return;
    const slot = this.day?.slots.find((s) => s.startUtc === startUtc);
    if (!slot || slot.status !== 'available') return;
    this.selected = startUtc;
    this.error = '';
    this.offered = null;
    if (this.step === 'done') this.step = 'pick';
  }

  /** Holds the selected time (or asks the visitor to sign in first, keeping the selection). */
  async holdSelected(): Promise<void> {
    if (!this.selected || this.busy) return;
    if (this.rescheduling) return this.reschedule();
    const user = this.#deps.session.user;
    if (!user) {
      this.step = 'auth';
      return;
    }
    if (user.role !== 'customer') {
      this.error = 'Bookings are made with a customer account. Sign out and sign in as a customer to book.';
      return;
    }
    this.busy = true;
    this.error = '';
    this.offered = null;
    const startUtc = this.selected;
    try {
      const res = await this.#deps.api.request<Hold>('POST', '/api/holds', {
        stylistId: this.stylistId,
        serviceId: this.serviceId,
        startUtc,
      });
      this.hold = this.#counted(res.data, res.headers);
      this.#idempotencyKey = newKey();
      this.step = 'held';
    } catch (err) {
      this.#fail(err);
    } finally {
      this.busy = false;
    }
  }

  /** Called when inline sign-in or registration succeeds: carry on where the visitor was. */
  async signedIn(): Promise<void> {
    this.step = 'pick';
    if (this.selected && this.selectedSlot?.status === 'available') await this.holdSelected();
  }

  cancelAuth(): void {
    this.step = 'pick';
  }

  async releaseHold(): Promise<void> {
    const hold = this.hold;
    this.hold = null;
    this.confirmingClose = false;
    this.resumed = false;
    if (this.step === 'held') this.step = 'pick';
    if (!hold) return;
    try {
      await this.#deps.api.delete(`/api/holds/${hold.id}`);
    } catch {
      /* it expires on its own */
    }
  }

  async confirm(): Promise<void> {
    if (!this.hold || this.busy) return;
    if (this.holdExpired) {
      this.hold = null;
      this.step = 'pick';
      this.error = 'Your hold on that time ran out. Hold it again to book.';
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const body: Record<string, unknown> = { holdId: this.hold.id };
      if (this.notes.trim()) body.notes = this.notes.trim();
      const booking = await this.#deps.api.post<Booking>('/api/bookings', body, { headers: { 'Idempotency-Key': this.#idempotencyKey } });
      this.booking = booking;
      this.hold = null;
      this.step = 'done';
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'HOLD_EXPIRED' || err.code === 'NOT_FOUND')) {
        this.hold = null;
        this.step = 'pick';
      }
      this.#fail(err);
    } finally {
      this.busy = false;
    }
  }

  /** From the confirmation back to the same day's grid. */
  bookAnother(): void {
    this.booking = null;
    this.selected = null;
    this.rescheduling = null;
    this.notes = '';
    this.step = 'pick';
  }

  /** Starts moving an existing booking: the modal opens on its day, with its stylist and service. */
  startReschedule(b: Booking): void {
    this.close();
    this.serviceId = b.serviceId;
    this.stylistId = b.stylistId;
    this.rescheduling = b;
    void this.loadStrip();
    this.openDay(dateIn(this.salonZone, Date.parse(b.startUtc)));
  }

  async reschedule(): Promise<void> {
    const b = this.rescheduling;
    if (!b || !this.selected || this.busy) return;
    this.busy = true;
    this.error = '';
    this.offered = null;
    try {
      this.booking = await this.#deps.api.post<Booking>(`/api/bookings/${b.id}/reschedule`, { startUtc: this.selected });
      this.step = 'done';
    } catch (err) {
      this.#fail(err);
    } finally {
      this.busy = false;
    }
  }

  /**
   * The page is going away (pagehide: tab closed, reload, navigation): releases the hold with a
   * request that outlives the page, and remembers it in this tab so that a reload takes it back
   * (resumeHold). A release that does not arrive leaves the hold to expire as usual.
   */
  releaseOnExit(): void {
    const hold = this.hold;
    const user = this.#deps.session.user;
    if (!hold || this.step !== 'held' || this.holdExpired || !user) return;
    this.#writeStash({ userId: user.id, stylistId: hold.stylistId, serviceId: hold.serviceId, startUtc: hold.startUtc, at: this.#now() });
    this.#deps.api.delete(`/api/holds/${hold.id}`, { keepalive: true }).catch(() => {
      /* it expires on its own */
    });
  }

  /**
   * On load (and on a page restored from the back-forward cache): the hold this tab released as it
   * went away is taken back if the time is still free (a new hold, so a release still in flight
   * cannot remove it; its hold series keeps the original expiry, so reloading never lengthens a
   * hold); failing that, the customer's own live hold (GET /api/holds/mine, e.g. from another tab)
   * is shown as theirs with its countdown.
   */
  async resumeHold(): Promise<void> {
    const user = this.#deps.session.user;
    const stash = this.#takeStash();
    if (!user || user.role !== 'customer' || this.busy) return;
    const stale = this.hold;
    if (stash && stash.userId === user.id && this.#now() - stash.at < RESUME_WITHIN_MS) {
      try {
        const again = await this.#deps.api.request<Hold>('POST', '/api/holds', {
          stylistId: stash.stylistId,
          serviceId: stash.serviceId,
          startUtc: stash.startUtc,
        });
        return this.#adopt(again.data, again.headers, stale);
      } catch {
        /* taken meanwhile, or held too long: see what is left */
      }
    }
    try {
      const res = await this.#deps.api.request<Hold[]>('GET', '/api/holds/mine');
      if (res.data[0]) return this.#adopt(res.data[0], res.headers, stale);
    } catch {
      /* nothing to show */
    }
    if (stale && this.hold?.id === stale.id) {
      this.hold = null;
      this.step = 'pick';
      this.error = 'Your hold was released when you left the page. Hold the time again if it is still free.';
    }
  }

  /** Shows `hold` as the customer's, unless they have since held another time here (`stale`: what was on screen before). */
  #adopt(hold: Hold, headers: Headers, stale: Hold | null): void {
    const other = this.hold && this.hold.id !== hold.id && this.hold.id !== stale?.id;
    if (this.busy || (other && this.step === 'held' && !this.holdExpired)) return;
    const catalogue = this.#deps.catalogue;
    if (!catalogue.offer(hold.stylistId, hold.serviceId)) return;
    if (this.stylistId !== hold.stylistId || this.serviceId !== hold.serviceId) {
      this.#stopDay?.();
      this.date = null;
      this.serviceId = hold.serviceId;
      this.stylistId = hold.stylistId;
      void this.loadStrip();
    }
    this.rescheduling = null;
    this.booking = null;
    this.confirmingClose = false;
    if (this.hold?.id !== hold.id) this.#idempotencyKey = newKey();
    this.hold = this.#counted(hold, headers);
    this.selected = hold.startUtc;
    this.step = 'held';
    this.resumed = true;
    const date = dateIn(this.salonZone, Date.parse(hold.startUtc));
    if (this.date !== date || !this.day) this.openDay(date);
  }

  /** The hold with a local deadline counted from the server's own clock (a skewed local clock cannot shorten it). */
  #counted(hold: Hold, headers: Headers): Hold & { deadline: number } {
    const serverNow = Date.parse(headers.get('date') ?? '');
    // The Date header has whole seconds: take the middle of that second.
    const left = Date.parse(hold.expiresAt) - (Number.isFinite(serverNow) ? serverNow + 500 : this.#now());
    return { ...hold, deadline: this.#now() + Math.max(0, left) };
  }

  #writeStash(r: ReleasedHold): void {
    try {
      this.#storage?.setItem(STASH_KEY, JSON.stringify(r));
    } catch {
      /* storage full or denied: a reload simply does not take the hold back */
    }
  }

  #takeStash(): ReleasedHold | null {
    try {
      const raw = this.#storage?.getItem(STASH_KEY);
      this.#storage?.removeItem(STASH_KEY);
      const r = raw ? (JSON.parse(raw) as Partial<ReleasedHold>) : null;
      return r &&
        typeof r.userId === 'string' &&
        typeof r.stylistId === 'string' &&
        typeof r.serviceId === 'string' &&
        typeof r.startUtc === 'string' &&
        typeof r.at === 'number'
        ? (r as ReleasedHold)
        : null;
    } catch {
      return null;
    }
  }

  /** After a resync: everything on screen is read again. */
  refresh(): void {
    void this.loadStrip();
    if (this.date) {
      const keepSelected = this.selected;
      const keepStep = this.step;
      this.openDay(this.date);
      this.selected = keepSelected;
      this.step = keepStep;
    }
  }

  #fail(err: unknown): void {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
      this.step = 'auth';
      return;
    }
    this.error = plainMessage(err);
    if (err instanceof ApiError && (err.code === 'SLOT_TAKEN' || err.code === 'SLOT_HELD')) {
      const alts = alternativesOf(err);
      this.offered = alts.length ? alts : [];
      if (this.day && this.selected) {
        // The grid may not have heard yet: show the time as taken now; the next update confirms it.
        const t = this.selected;
        const status = err.code === 'SLOT_TAKEN' ? 'booked' : 'held';
        this.day.slots = this.day.slots.map((s) => (s.startUtc === t && s.status === 'available' ? { ...s, status } : s));
      }
    }
  }
}

function sessionStore(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

function newKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
