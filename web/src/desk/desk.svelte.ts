// The front desk's day: every active stylist as a column on the salon's time axis (GET
// /api/desk/calendar), kept live by re-reading the shown date (debounced) whenever the server says
// something on it changed, and the desk's actions on a booking: status, cancel, move.
import { alternativesOf, ApiError, plainMessage, query, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import { statusLabel } from '../lib/labels.ts';
import { statusActions, type StatusAction } from '../lib/status-actions.ts';
import { isStaffBooking, type LiveConnection } from '../lib/live.svelte.ts';
import { addDays, browserZone, dateIn, formatTime, minutesInZone } from '../lib/time.ts';
import type { Booking, BookingStatus, DeskBooking, DeskCalendar as DeskCalendarDto, DeskColumn, Override } from '../lib/types.ts';

/** A burst of changes (a closure touching many bookings) becomes one re-read. */
export const RELOAD_DEBOUNCE_MS = 300;
/** The grid of empty cells one can book from, in minutes. */
export const CELL_MINUTES = 15;
/** Farthest day the date picker goes either way, in days (the calendar answers any date). */
export const DESK_DATE_RANGE_DAYS = 366;

const ACTIVE: readonly BookingStatus[] = ['pending', 'confirmed', 'in_progress'];

export function isActive(b: { status: BookingStatus }): boolean {
  return ACTIVE.includes(b.status);
}

/** A booking the desk may still move (not begun, not ended). */
export function isMovable(b: { status: BookingStatus }): boolean {
  return b.status === 'pending' || b.status === 'confirmed';
}

export type DeskAction = StatusAction;

/**
 * What the desk may do to a booking's status at `nowMs` (the server has the last word). A booking
 * whose time has passed without being started can be marked completed in one step (through
 * in progress, the only way the state machine allows).
 */
export function deskActions(b: { status: BookingStatus; startUtc: string; endUtc: string }, nowMs: number): DeskAction[] {
  return statusActions(b, nowMs, 'Check in');
}

/** The desk's fields by the last part of the server's field path (`walkIn.phone` → the phone number). */
const DESK_FIELDS: Record<string, string> = {
  name: 'name',
  phone: 'phone number',
  email: 'e-mail address',
  forceReason: 'reason',
  reason: 'reason',
  notes: 'notes',
  startUtc: 'start time',
  serviceId: 'service',
  stylistId: 'stylist',
  customerId: 'customer',
  q: 'search',
};

/** Words for the desk, by error code: about the customer or the stylist, not "you". */
export function deskMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return plainMessage(err);
  switch (err.code) {
    case 'INVALID_INPUT': {
      const paths = ((err.details as { fields?: { field?: unknown }[] } | undefined)?.fields ?? []).map((f) =>
        typeof f.field === 'string' ? f.field : '',
      );
      const fields = paths.map((p) => DESK_FIELDS[p.split('.').at(-1) ?? '']).filter((f): f is string => !!f);
      const uniq = [...new Set(fields)];
      return uniq.length
        ? `Please check the ${uniq.length > 1 ? `${uniq.slice(0, -1).join(', ')} and ${uniq.at(-1)}` : uniq[0]}.`
        : plainMessage(err);
    }
    case 'SLOT_TAKEN':
      return 'That time is already booked with this stylist.';
    case 'SLOT_HELD':
      return 'A customer is checking out that time online right now; it may free up in a few minutes.';
    case 'CUSTOMER_BUSY':
      return 'This customer already has a booking or a hold at that time.';
    case 'OUTSIDE_HOURS':
      return 'That time is outside the stylist’s working hours.';
    case 'NOT_ON_GRID':
      return 'That is not one of the stylist’s start times.';
    case 'IN_PAST':
      return 'That time has already passed.';
    case 'INVALID_TRANSITION':
      return 'That change is not possible for this booking now (a no-show, for example, only after its start).';
    case 'FORBIDDEN':
      return 'Your account is not allowed to do that.';
    default:
      return plainMessage(err);
  }
}

/** The refusals "Book anyway" (force, with a reason) can override. */
export function isForceable(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'OUTSIDE_HOURS' || err.code === 'NOT_ON_GRID');
}

/** An override of a stylist's day in words, for the column head. */
export function overrideLabel(o: Override): string {
  const salon = o.scope === 'salon';
  switch (o.kind) {
    case 'closed':
      return `${salon ? 'Salon closed' : 'Off'}: ${o.reason}`;
    case 'hours':
      return `${salon ? 'Salon hours' : 'Hours'} ${o.start}–${o.end}: ${o.reason}`;
    case 'blocked':
      return `Blocked ${o.start}–${o.end}: ${o.reason}`;
  }
}

export interface AxisRange {
  /** Minutes after the salon's midnight, whole hours. */
  from: number;
  to: number;
}

/** The hours the axis shows: every window, booking and hold of the day, at least 9:00–18:00. */
export function axisRange(columns: readonly DeskColumn[], zone: string): AxisRange {
  const mins: number[] = [];
  for (const c of columns)
    for (const x of [...c.windows, ...c.bookings, ...c.holds]) {
      mins.push(minutesInZone(x.startUtc, zone));
      mins.push(minutesInZone(x.endUtc, zone) || 1440);
    }
  const lo = mins.length ? Math.floor(Math.min(...mins) / 60) * 60 : 9 * 60;
  const hi = mins.length ? Math.ceil(Math.max(...mins) / 60) * 60 : 18 * 60;
  return { from: Math.min(lo, 9 * 60), to: Math.min(1440, Math.max(hi, 18 * 60)) };
}

/** A stretch of a column outside its working windows, in axis minutes, and what to call it. */
export interface OffArea {
  from: number;
  to: number;
  label: string;
}

/** The parts of the axis a stylist does not work, named by the override that made them (or "Closed", "Break"). */
export function offAreas(c: DeskColumn, zone: string, range: AxisRange): OffArea[] {
  const closed = c.overrides.find((o) => o.kind === 'closed');
  if (!c.windows.length) return [{ from: range.from, to: range.to, label: closed ? overrideLabel(closed) : 'Not working' }];
  const ws = c.windows
    .map((w) => ({ from: minutesInZone(w.startUtc, zone), to: minutesInZone(w.endUtc, zone) || 1440 }))
    .sort((a, b) => a.from - b.from);
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const out: OffArea[] = [];
  let at = range.from;
  for (const w of ws) {
    if (w.from > at) {
      const why = c.overrides
        .filter((o) => o.kind === 'blocked' && o.start && o.end && toMin(o.start) < w.from && toMin(o.end) > at)
        .map((o) => o.reason);
      out.push({ from: at, to: w.from, label: at === range.from ? 'Closed' : why.length ? why.join(' · ') : 'Break' });
    }
    at = Math.max(at, w.to);
  }
  if (at < range.to) out.push({ from: at, to: range.to, label: 'Closed' });
  return out;
}

export interface MoveProblem {
  bookingId: string;
  stylistId: string;
  message: string;
  /** Free starts the server offered instead (same stylist), as instants. */
  alternatives: string[];
}

export interface DeskDeps {
  api: Api;
  live: LiveConnection;
  catalogue: Catalogue;
  now?: () => number;
  debounceMs?: number;
}

export class DeskCalendar {
  /** The salon-local date shown. */
  date = $state('');
  today = $state('');
  data = $state.raw<DeskCalendarDto | null>(null);
  loading = $state(false);
  error = $state('');
  /** The latest change in words, for the polite live region. */
  announcement = $state('');
  /** booking id → 'new' | 'changed' after a live re-read, until the booking is opened. */
  highlights = $state.raw<Record<string, 'new' | 'changed'>>({});
  selectedId = $state<string | null>(null);
  busy = $state(false);
  actionError = $state('');
  moveProblem = $state.raw<MoveProblem | null>(null);
  /** The empty cell being booked from, while the dialog is open. */
  booking = $state.raw<{ stylistId: string; startMs: number } | null>(null);
  /** On a phone: the one stylist shown. */
  phoneStylistId = $state<string | null>(null);

  #api: Api;
  #live: LiveConnection;
  #catalogue: Catalogue;
  #now: () => number;
  #debounceMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  #offs: (() => void)[] = [];

  constructor(deps: DeskDeps) {
    this.#api = deps.api;
    this.#live = deps.live;
    this.#catalogue = deps.catalogue;
    this.#now = deps.now ?? Date.now;
    this.#debounceMs = deps.debounceMs ?? RELOAD_DEBOUNCE_MS;
  }

  zone = $derived.by(() => this.data?.timezone ?? this.#catalogue.salonZone ?? browserZone());
  /** The answer for the date shown (never another day's columns). */
  shown = $derived(this.data && this.data.date === this.date ? this.data : null);
  columns = $derived(this.shown?.stylists ?? []);
  range = $derived(axisRange(this.columns, this.zone));
  selected = $derived.by(() => {
    for (const c of this.columns) {
      const b = c.bookings.find((x) => x.id === this.selectedId);
      if (b) return b;
    }
    return null;
  });
  phoneColumn = $derived(this.columns.find((c) => c.stylistId === this.phoneStylistId) ?? this.columns[0] ?? null);

  /** Reads today and starts listening; returns the stop function. */
  start(): () => void {
    this.#offs.push(
      this.#live.on('calendar:changed', (p) => {
        if (p.dates === null || p.dates.includes(this.date)) this.reloadSoon();
      }),
      this.#live.on('booking:created', (p) => this.#onBooking(p.booking)),
      this.#live.on('booking:updated', (p) => this.#onBooking(p.booking)),
      this.#live.on('override:changed', (p) => {
        if (p.override.startDate <= this.date && this.date <= p.override.endDate) this.reloadSoon();
      }),
      this.#live.onResync(() => this.reloadSoon()),
      this.#live.onReconnect(() => this.reloadSoon()),
    );
    void this.#begin();
    return () => {
      for (const off of this.#offs.splice(0)) off();
      clearTimeout(this.#timer);
    };
  }

  async #begin(): Promise<void> {
    if (!this.#catalogue.loaded) await this.#catalogue.load();
    this.today = dateIn(this.zone, this.#now());
    if (!this.date) this.date = this.today;
    await this.load();
  }

  #onBooking(b: Booking): void {
    if (!isStaffBooking(b)) return;
    const here = dateIn(this.zone, Date.parse(b.startUtc)) === this.date;
    const wasHere = this.columns.some((c) => c.bookings.some((x) => x.id === b.id));
    if (here || wasHere) this.reloadSoon();
  }

  /** Re-reads the shown day after a short quiet period (many events, one read). */
  reloadSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.load({ announce: true });
    }, this.#debounceMs);
  }

  /** Reads the shown day; the newest read wins. With `announce`, says what changed since the last read. */
  async load(opts: { announce?: boolean } = {}): Promise<void> {
    const date = this.date;
    if (!date) return;
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const next = await this.#api.get<DeskCalendarDto>(`/api/desk/calendar${query({ date })}`);
      if (seq !== this.#seq) return;
      const before = this.shown;
      this.data = next;
      this.error = '';
      if (opts.announce && before && before.date === next.date) this.#announceChanges(before, next);
    } catch (err) {
      if (seq === this.#seq) this.error = deskMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Shows another date (YYYY-MM-DD), within a year of today either way. */
  go(date: string): void {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date === this.date) return;
    if (this.today && (date < addDays(this.today, -DESK_DATE_RANGE_DAYS) || date > addDays(this.today, DESK_DATE_RANGE_DAYS))) return;
    this.date = date;
    this.selectedId = null;
    this.moveProblem = null;
    this.actionError = '';
    this.highlights = {};
    void this.load();
  }
  prev(): void {
    this.go(addDays(this.date, -1));
  }
  next(): void {
    this.go(addDays(this.date, 1));
  }
  goToday(): void {
    this.today = dateIn(this.zone, this.#now());
    this.go(this.today);
  }

  select(id: string | null): void {
    this.selectedId = id;
    this.actionError = '';
    if (this.moveProblem?.bookingId !== id) this.moveProblem = null;
    if (id && id in this.highlights) {
      const next = { ...this.highlights };
      delete next[id];
      this.highlights = next;
    }
  }

  openBooking(stylistId: string, startMs: number): void {
    this.booking = { stylistId, startMs };
  }
  closeBooking(): void {
    this.booking = null;
  }
  /** The dialog booked: show it at once (the live re-read follows). */
  booked(b: { customerName: string; stylistId: string; startUtc: string }): void {
    this.booking = null;
    this.announcement = `Booked ${b.customerName} with ${this.stylistName(b.stylistId)} at ${formatTime(b.startUtc, this.zone)}.`;
    void this.load();
  }

  async setStatus(id: string, action: DeskAction): Promise<boolean> {
    return this.#act(async () => {
      if (action.via) {
        const b = this.#find(id);
        // Already through the first step (a retry after the second failed): go straight on.
        if (b?.status !== action.via) await this.#api.post<Booking>(`/api/bookings/${id}/status`, { status: action.via });
      }
      await this.#api.post<Booking>(`/api/bookings/${id}/status`, { status: action.status });
    });
  }

  async cancel(id: string, reason: string): Promise<boolean> {
    const r = reason.trim();
    return this.#act(() => this.#api.post<Booking>(`/api/bookings/${id}/cancel`, r ? { reason: r } : {}));
  }

  /** Moves a booking to another start and/or stylist; a taken time keeps the server's alternatives in place. */
  async move(id: string, stylistId: string, startMs: number): Promise<boolean> {
    const b = this.#find(id);
    if (b && b.stylistId === stylistId && Date.parse(b.startUtc) === startMs) return false;
    this.moveProblem = null;
    if (b && !this.stylistsFor(b.serviceId).some((s) => s.id === stylistId)) {
      this.selectedId = id;
      this.actionError = `${this.stylistName(stylistId)} does not offer ${this.serviceName(b.serviceId)}.`;
      return false;
    }
    const ok = await this.#act(
      () => this.#api.post<Booking>(`/api/bookings/${id}/reschedule`, { startUtc: new Date(startMs).toISOString(), stylistId }),
      (err) => {
        // The booking opens with what went wrong (a drag has no other place to say it).
        this.selectedId = id;
        if (err instanceof ApiError && (err.code === 'SLOT_TAKEN' || err.code === 'SLOT_HELD')) {
          this.moveProblem = { bookingId: id, stylistId, message: deskMessage(err), alternatives: alternativesOf(err) };
          return true;
        }
        return false;
      },
    );
    if (ok) {
      this.selectedId = id;
      this.announcement = `Moved to ${formatTime(startMs, this.zone)} with ${this.stylistName(stylistId)}.`;
    }
    return ok;
  }

  stylistName(id: string): string {
    return this.columns.find((c) => c.stylistId === id)?.displayName ?? this.#catalogue.stylist(id)?.displayName ?? 'Stylist';
  }
  serviceName(id: string): string {
    return this.#catalogue.service(id)?.name ?? 'Service';
  }
  /** The stylists who offer a service (a booking may move only to one of them). */
  stylistsFor(serviceId: string): { id: string; name: string }[] {
    const offering = new Set(this.#catalogue.stylistsFor(serviceId).map((s) => s.id));
    return this.columns.filter((c) => offering.has(c.stylistId)).map((c) => ({ id: c.stylistId, name: c.displayName }));
  }

  #find(id: string): DeskBooking | undefined {
    for (const c of this.columns) {
      const b = c.bookings.find((x) => x.id === id);
      if (b) return b;
    }
    return undefined;
  }

  async #act(fn: () => Promise<unknown>, special?: (err: unknown) => boolean): Promise<boolean> {
    this.busy = true;
    this.actionError = '';
    try {
      await fn();
      await this.load();
      return true;
    } catch (err) {
      if (!special?.(err)) this.actionError = deskMessage(err);
      // Part of it may have happened (the first step of a two-step change): show the truth.
      void this.load();
      return false;
    } finally {
      this.busy = false;
    }
  }

  #announceChanges(before: DeskCalendarDto, after: DeskCalendarDto): void {
    const old = new Map<string, { b: DeskBooking; stylistId: string }>();
    for (const c of before.stylists) for (const b of c.bookings) old.set(b.id, { b, stylistId: c.stylistId });
    const said: string[] = [];
    const marks: Record<string, 'new' | 'changed'> = { ...this.highlights };
    for (const c of after.stylists)
      for (const b of c.bookings) {
        const was = old.get(b.id);
        const who = b.customer?.displayName ?? 'A customer';
        const at = formatTime(b.startUtc, after.timezone);
        if (!was) {
          marks[b.id] = 'new';
          said.push(`New booking: ${who} with ${c.displayName} at ${at}.`);
        } else if (was.b.startUtc !== b.startUtc || was.stylistId !== c.stylistId) {
          marks[b.id] = 'changed';
          said.push(`${who}’s booking moved to ${at} with ${c.displayName}.`);
        } else if (was.b.status !== b.status) {
          marks[b.id] = 'changed';
          said.push(`${who}’s booking at ${at} is now ${statusLabel(b.status).toLowerCase()}.`);
        } else if (!was.b.attention !== !b.attention) {
          marks[b.id] = 'changed';
          said.push(`${who}’s booking at ${at} ${b.attention ? 'needs attention' : 'no longer needs attention'}.`);
        }
      }
    const ids = new Set(after.stylists.flatMap((c) => c.bookings.map((b) => b.id)));
    for (const [id, { b }] of old)
      if (!ids.has(id)) said.push(`${b.customer?.displayName ?? 'A customer'}’s booking moved to another day.`);
    this.highlights = marks;
    if (said.length) this.announcement = said.length > 3 ? `${said.length} changes on this day.` : said.join(' ');
  }
}
