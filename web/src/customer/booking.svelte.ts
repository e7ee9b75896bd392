// The customer's booking flow as one state object: choose a service and a stylist (or any
// stylist), look over a month of days (kept live), open a day in the booking modal (a live slot grid), hold a time, sign in inline if
// needed (the selection survives), confirm. Also drives rescheduling an existing booking.
import { alternativesOf, ApiError, plainMessage, query, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import type { Clock } from '../lib/clock.svelte.ts';
import { DaySlots, nearestAvailable } from '../lib/day-slots.svelte.ts';
import { isStaffBooking, type LiveConnection } from '../lib/live.svelte.ts';
import type { Session } from '../lib/session.svelte.ts';
import { addDays, addMonths, browserZone, dateIn, formatTime, monthDates, otherZoneTime } from '../lib/time.ts';
import type { AvailableDay, Booking, DayStatus, Hold, Slot, SlotsReason, StylistBooking } from '../lib/types.ts';

export type Step = 'pick' | 'auth' | 'held' | 'done';

/**
 * The one message the booking modal shows: the latest thing that happened that is still true.
 * - `emptied`: the open day lost all its times while shown (a closure, new hours); nothing about a
 *   single time is worth saying then.
 * - `lost`: someone else took the selected time (held or booked), or it can no longer be booked.
 * - `failed`: the customer's last action was refused or could not reach the salon (`code`: the
 *   contract's error code, or NETWORK); `startUtc` is the time it was about.
 * Each new event replaces the message, and every change of the day re-checks it: a message that
 * stopped being true (the time is free again, the connection is back) goes away.
 */
export type FlowMessage =
  | { kind: 'emptied'; reason: SlotsReason }
  | { kind: 'lost'; startUtc: string; because: 'booked' | 'held' | 'gone' }
  | { kind: 'failed'; code: string; text: string; startUtc: string | null };

/** Refusals that mean "someone else has the time": true only while that time is not free. */
const TAKEN_CODES: Record<string, 'booked' | 'held'> = { SLOT_TAKEN: 'booked', SLOT_HELD: 'held' };

/** A day of the month calendar: null fields while loading (or after an error). */
export interface CalendarDay {
  date: string;
  available: number | null;
  status: DayStatus | null;
  /** The day's availability version (null outside the bookable window or before loading). */
  version: number | null;
}

/** The stylist choice that lets the salon assign one free stylist. */
export const ANY_STYLIST = 'any';

export interface FlowDeps {
  api: Api;
  live: LiveConnection;
  session: Session;
  catalogue: Catalogue;
  clock: Clock;
  now?: () => number;
  /** Told of each booking the customer's own actions answer with (book, reschedule): My bookings shows it at once. */
  onBooking?: (b: Booking) => void;
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

export class BookingFlow {
  serviceId = $state<string | null>(null);
  stylistId = $state<string | null>(null);
  /** The customer's own zone: each time is shown in the salon's zone, and in this one too when it differs. */
  zone = $state(browserZone());
  /** First day of the month the calendar shows (YYYY-MM-01, in the salon's zone). */
  month = $state<string | null>(null);
  days = $state.raw<CalendarDay[]>([]);
  /** The open day (stylist-local date); null when the modal is closed. */
  date = $state<string | null>(null);
  day = $state.raw<DaySlots | null>(null);
  selected = $state<string | null>(null);
  step = $state<Step>('pick');
  hold = $state.raw<(Hold & { deadline: number }) | null>(null);
  booking = $state.raw<Booking | null>(null);
  /** Set while a request is in flight. */
  busy = $state(false);
  /** The one message shown (see FlowMessage); null when there is nothing to say. */
  message = $state.raw<FlowMessage | null>(null);
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
  #monthToken = 0;
  #idempotencyKey = '';
  #storage: FlowDeps['storage'];

  constructor(deps: FlowDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#storage = deps.storage === undefined ? sessionStore() : deps.storage;
    deps.live.onResync(() => this.refresh());
    deps.live.onReconnect(() => {
      // Back online: "could not reach the salon" is no longer true.
      if (this.message?.kind === 'failed' && this.message.code === 'NETWORK') this.message = null;
      void this.loadMonth();
    });
    deps.live.on('booking:created', (p) => this.receive(p.booking));
    deps.live.on('booking:updated', (p) => this.receive(p.booking));
  }

  /** The text of a failed action ('' otherwise). Setting it replaces the message: '' clears it. */
  get error(): string {
    return this.message?.kind === 'failed' ? this.message.text : '';
  }
  set error(text: string) {
    this.message = text ? { kind: 'failed', code: '', text, startUtc: this.selected } : null;
  }

  stylist = $derived.by(() => this.#deps.catalogue.stylist(this.stylistId));
  service = $derived.by(() => this.#deps.catalogue.service(this.serviceId));
  offer = $derived.by(() => this.#deps.catalogue.offer(this.stylistId, this.serviceId));
  /** "Any stylist" is chosen: the salon assigns one when the time is held (or booked). */
  anyStylist = $derived(this.stylistId === ANY_STYLIST);
  /** Who the appointment is with: the chosen stylist, else the one assigned, else null (any, not yet assigned). */
  withStylist = $derived.by(() => {
    if (!this.anyStylist) return this.stylist ?? null;
    return this.#deps.catalogue.stylist(this.booking?.stylistId ?? this.hold?.stylistId) ?? null;
  });
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
  /** "Try it anyway" makes sense only while someone else merely holds the time (holds lapse). */
  canTryAnyway = $derived(
    !!this.selected &&
      this.step === 'pick' &&
      this.selectedSlot?.status === 'held' &&
      (this.message?.kind === 'lost' || (this.message?.kind === 'failed' && this.message.code === 'SLOT_HELD')),
  );
  /** The booking being moved was cancelled or has begun meanwhile (another tab, the salon): it can no longer be moved. */
  reschedulingGone = $derived(!!this.rescheduling && this.rescheduling.status !== 'pending' && this.rescheduling.status !== 'confirmed');
  remainingMs = $derived.by(() => (this.hold ? Math.max(0, this.hold.deadline - this.#deps.clock.now) : 0));
  holdExpired = $derived(this.hold !== null && this.remainingMs <= 0);

  /** "10:30 AM" in the salon's (the stylist's) zone and the browser's locale: where the visit happens. */
  timeOf(startUtc: string): string {
    return formatTime(startUtc, this.salonZone);
  }

  /** The same start in the customer's own zone ("11:45 PM Fri"), or "" when it is the salon's. */
  yourTimeOf(startUtc: string): string {
    return otherZoneTime(startUtc, this.salonZone, this.zone);
  }

  today(): string {
    return dateIn(this.salonZone, this.#now());
  }

  setService(id: string | null): void {
    this.serviceId = id;
    if (this.stylistId && !this.anyStylist && !this.#deps.catalogue.stylistsFor(id).some((s) => s.id === this.stylistId))
      this.stylistId = null;
    void this.loadMonth();
  }

  setStylist(id: string | null): void {
    this.stylistId = id;
    void this.loadMonth();
  }

  setZone(zone: string): void {
    this.zone = zone;
  }

  /** Reads the shown month's days (GET available-days: one request, answered from the server's cache). */
  async loadMonth(): Promise<void> {
    if (!this.ready) {
      this.days = [];
      return;
    }
    const token = ++this.#monthToken;
    const thisMonth = this.today().slice(0, 8) + '01';
    if (!this.month || this.month < thisMonth) this.month = thisMonth;
    const dates = monthDates(this.month);
    const kept = new Map(this.days.map((d) => [d.date, d]));
    this.days = dates.map((date) => kept.get(date) ?? { date, available: null, status: null, version: null });
    const { stylistId, serviceId } = this;
    try {
      const days = await this.#deps.api.get<AvailableDay[]>(
        `/api/bookings/available-days${query({ stylistId, serviceId, from: dates[0], to: dates.at(-1)! })}`,
      );
      if (token === this.#monthToken) this.days = this.days.map((d) => days.find((x) => x.date === d.date) ?? d);
    } catch {
      /* the days stay unknown; opening one says why */
    }
  }

  pageMonth(direction: 1 | -1): void {
    const thisMonth = this.today().slice(0, 8) + '01';
    const next = addMonths(this.month ?? thisMonth, direction);
    this.month = next < thisMonth ? thisMonth : next;
    void this.loadMonth();
  }

  /**
   * Keeps the calendar live while it is shown: days:update brings the days a change touched (null:
   * read the month again). Reads the stylist and service, so an $effect calling it re-watches when
   * either changes. Returns the stop function.
   */
  keepCalendarLive(): () => void {
    const { stylistId, serviceId } = this;
    if (!stylistId || !serviceId) return () => {};
    return this.#deps.live.watchDays({ stylistId, serviceId }, (days) => {
      if (stylistId !== this.stylistId || serviceId !== this.serviceId) return;
      if (days === null) return void this.loadMonth();
      this.days = this.days.map((d) => {
        const fresh = days.find((x) => x.date === d.date);
        return fresh && (d.version === null || fresh.version === null || fresh.version >= d.version) ? fresh : d;
      });
    });
  }

  /** The open day's live grid also keeps its calendar day current. */
  #setCalendarDay(date: string, slots: Slot[]): void {
    const available = slots.filter((s) => s.status === 'available').length;
    this.days = this.days.map((d) =>
      d.date !== date
        ? d
        : {
            ...d,
            available,
            status: available > 0 ? 'open' : slots.length > 0 ? 'full' : d.status === 'closed' ? 'closed' : 'off',
          },
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
        onApply: (slots) => {
          this.#setCalendarDay(date, slots);
          if (this.day === day) this.#check();
        },
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
      this.#check();
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
    this.#check();
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
      this.#deps.onBooking?.(booking);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'HOLD_EXPIRED' || err.code === 'NOT_FOUND')) {
        this.hold = null;
        this.step = 'pick';
      }
      this.#fail(err);
    } finally {
      this.busy = false;
      this.#check();
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
    const day = dateIn(this.salonZone, Date.parse(b.startUtc));
    this.month = day.slice(0, 8) + '01';
    void this.loadMonth();
    this.openDay(day);
  }

  async reschedule(): Promise<void> {
    const b = this.rescheduling;
    if (!b || !this.selected || this.busy) return;
    if (this.reschedulingGone) {
      this.error = `This booking is ${b.status === 'cancelled' ? 'cancelled' : 'no longer open'}, so it cannot be moved.`;
      return;
    }
    this.busy = true;
    this.error = '';
    this.offered = null;
    try {
      const moved = await this.#deps.api.post<Booking>(`/api/bookings/${b.id}/reschedule`, { startUtc: this.selected });
      this.booking = moved;
      this.rescheduling = moved;
      this.step = 'done';
      this.#deps.onBooking?.(moved);
    } catch (err) {
      this.#fail(err);
    } finally {
      this.busy = false;
      this.#check();
    }
  }

  /**
   * A live event about one of the customer's own bookings (this tab, another tab, the salon): the
   * confirmation and a move in progress show the booking as it is now.
   */
  receive(b: Booking | StylistBooking): void {
    if (isStaffBooking(b)) return;
    if (this.booking?.id === b.id) this.booking = b;
    if (this.rescheduling?.id === b.id) this.rescheduling = b;
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
    const date = dateIn(this.salonZone, Date.parse(hold.startUtc));
    // The calendar shows the hold's month, so its day is there to return to when the modal closes.
    const month = date.slice(0, 8) + '01';
    const otherOffer = this.stylistId !== hold.stylistId || this.serviceId !== hold.serviceId;
    if (otherOffer) {
      this.#stopDay?.();
      this.date = null;
      this.serviceId = hold.serviceId;
      this.stylistId = hold.stylistId;
    }
    if (otherOffer || this.month !== month) {
      this.month = month;
      void this.loadMonth();
    }
    this.rescheduling = null;
    this.booking = null;
    this.confirmingClose = false;
    if (this.hold?.id !== hold.id) this.#idempotencyKey = newKey();
    this.hold = this.#counted(hold, headers);
    this.selected = hold.startUtc;
    this.step = 'held';
    this.resumed = true;
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
    void this.loadMonth();
    if (this.date) {
      const keepSelected = this.selected;
      const keepStep = this.step;
      this.openDay(this.date);
      this.selected = keepSelected;
      this.step = keepStep;
    }
  }

  /**
   * Re-checks the message against the day as it is now: the latest true thing wins. Called after
   * every change of the open day and after every action.
   */
  #check(): void {
    const day = this.day;
    if (!day || day.loading || this.step === 'done') return;
    const m = this.message;
    if (!day.slots.length && day.emptiedBy) {
      if (m?.kind !== 'emptied' || m.reason !== day.emptiedBy) this.message = { kind: 'emptied', reason: day.emptiedBy };
      return;
    }
    if (m?.kind === 'emptied') this.message = null;
    const lost = this.selectionLost && this.selected ? { startUtc: this.selected, because: this.lostBecause } : null;
    const now = this.message;
    if (lost) {
      const same =
        (now?.kind === 'lost' && now.startUtc === lost.startUtc && now.because === lost.because) ||
        // The server's refusal of this very time already says it (with its alternatives).
        (now?.kind === 'failed' && now.startUtc === lost.startUtc && TAKEN_CODES[now.code] === lost.because);
      if (!same) this.message = { kind: 'lost', ...lost };
    } else if (now?.kind === 'lost' || (now?.kind === 'failed' && TAKEN_CODES[now.code])) {
      // The time is free again (or another one was chosen): what was said about it is no longer true.
      this.message = null;
    }
  }

  #fail(err: unknown): void {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
      this.step = 'auth';
      return;
    }
    this.message = {
      kind: 'failed',
      code: err instanceof ApiError ? err.code : '',
      text: plainMessage(err),
      startUtc: this.selected,
    };
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
