// The stylist's day: today's bookings on a timeline with the working windows, breaks, blocks, holds
// and the current time; the coming days as a list; bookings arriving and changing live (with a
// visible highlight); status actions; the customer panel with safety notes behind a stated reason.
import { plainMessage, query, type Api } from '../lib/api.ts';
import { attemptWith, type Progress } from '../lib/attempt.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import { isStaffBooking, type LiveConnection } from '../lib/live.svelte.ts';
import { addDays, browserZone, dateIn } from '../lib/time.ts';
import { statusLabel } from '../lib/labels.ts';
import type { Booking, BookingStatus, Override, StylistBooking, StylistDay } from '../lib/types.ts';

export const COMING_DAYS = 14;
/** How far back the timeline goes (to mark yesterday's no-shows and completions), in days. */
export const PAST_DAYS = 92;

export interface Interval {
  startMs: number;
  endMs: number;
}

export { statusActions, type StatusAction } from '../lib/status-actions.ts';

/** Instants of the day answer as intervals, in order. */
export function toIntervals(list: readonly { startUtc: string; endUtc: string }[]): Interval[] {
  return list.map((w) => ({ startMs: Date.parse(w.startUtc), endMs: Date.parse(w.endUtc) })).sort((a, b) => a.startMs - b.startMs);
}

/** Holds merged where they overlap or touch: the stretches a customer is checking out. */
export function mergeIntervals(list: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const i of [...list].sort((a, b) => a.startMs - b.startMs)) {
    const last = out.at(-1);
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else out.push({ ...i });
  }
  return out;
}

/** An override of the day in words, for the note above the timeline. */
export function describeOverride(o: Override): string {
  const who = o.scope === 'salon' ? 'Salon' : 'You';
  switch (o.kind) {
    case 'closed':
      return `${o.scope === 'salon' ? 'Salon closed' : 'Day off'}: ${o.reason}`;
    case 'hours':
      return `${who === 'Salon' ? 'Salon hours' : 'Your hours'} ${o.start}–${o.end}: ${o.reason}`;
    case 'blocked':
      return `Blocked ${o.start}–${o.end}: ${o.reason}`;
  }
}

export class StylistDashboard {
  bookings = $state.raw<StylistBooking[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  /** booking id → 'new' | 'changed', set by live events, cleared when seen. */
  highlights = $state.raw<Record<string, 'new' | 'changed'>>({});
  /** The latest live change in words, for the polite live region. */
  announcement = $state('');
  selectedId = $state<string | null>(null);
  busyId = $state<string | null>(null);
  actionError = $state<{ id: string; message: string } | null>(null);
  /** Safety notes revealed in this session, by customer id. */
  safetyNotes = $state.raw<Record<string, string>>({});
  safetyError = $state('');
  safetyBusy = $state(false);
  today = $state('');
  /** The day the timeline shows: today unless the stylist looks ahead. */
  timelineDate = $state('');
  /** That day's working windows, holds and overrides (GET /api/stylist/day); null until read. */
  day = $state.raw<StylistDay | null>(null);
  dayError = $state('');
  /** The bookings of a past day on the timeline (the list above holds today onwards); null until read. */
  past = $state.raw<{ date: string; bookings: StylistBooking[] } | null>(null);

  readonly stylistId: string;
  #api: Api;
  #live: LiveConnection;
  #catalogue: Catalogue;
  #now: () => number;
  #stopDay: (() => void) | null = null;
  /** The date and service the live watch is on (the watch only tells the day changed). */
  #watching = '';
  #daySeq = 0;
  #offs: (() => void)[] = [];

  constructor(stylistId: string, deps: { api: Api; live: LiveConnection; catalogue: Catalogue; now?: () => number }) {
    this.stylistId = stylistId;
    this.#api = deps.api;
    this.#live = deps.live;
    this.#catalogue = deps.catalogue;
    this.#now = deps.now ?? Date.now;
  }

  stylist = $derived.by(() => this.#catalogue.stylist(this.stylistId));
  zone = $derived.by(() => this.day?.timezone ?? this.stylist?.timezone ?? this.#catalogue.salonZone ?? browserZone());
  currency = $derived.by(() => this.#catalogue.currency);
  /** The timeline day's bookings in time order, cancelled ones included (struck through on screen). */
  todays = $derived(
    (this.timelineDate < this.today ? (this.past?.date === this.timelineDate ? this.past.bookings : []) : this.bookings)
      .filter((b) => dateIn(this.zone, Date.parse(b.startUtc)) === this.timelineDate)
      .sort(byStart),
  );
  /** The earliest day the timeline goes back to. */
  firstDay = $derived(this.today ? addDays(this.today, -PAST_DAYS) : '');
  /** The coming days, grouped by date; cancelled ones stay (struck through) so a live cancellation is seen. */
  coming = $derived.by(() => {
    const groups = new Map<string, StylistBooking[]>();
    for (const b of [...this.bookings].sort(byStart)) {
      const d = dateIn(this.zone, Date.parse(b.startUtc));
      if (d <= this.today) continue;
      if (!groups.has(d)) groups.set(d, []);
      groups.get(d)!.push(b);
    }
    return [...groups].map(([date, items]) => ({ date, items }));
  });
  selected = $derived(
    this.bookings.find((b) => b.id === this.selectedId) ?? this.past?.bookings.find((b) => b.id === this.selectedId) ?? null,
  );
  /** The timeline day's answer, once it is the day shown (never another day's windows). */
  #shown = $derived(this.day && this.day.date === this.timelineDate ? this.day : null);
  windows = $derived(toIntervals(this.#shown?.windows ?? []));
  held = $derived(mergeIntervals(toIntervals(this.#shown?.holds ?? [])));
  overrides = $derived(this.#shown?.overrides ?? []);
  /** Blocked times of the day (meetings, training) with their reason, to name the gaps they leave. */
  blocks = $derived(this.overrides.filter((o) => o.kind === 'blocked').map((o) => ({ start: o.start!, end: o.end!, reason: o.reason })));

  /** Loads the next days and starts listening; returns the stop function. */
  start(): () => void {
    this.#offs.push(
      this.#live.on('booking:created', (p) => isStaffBooking(p.booking) && this.receive(p.booking, 'new')),
      this.#live.on('booking:updated', (p) => isStaffBooking(p.booking) && this.receive(p.booking, 'changed')),
      // Overrides reach every stylist; only the shown day's matter.
      this.#live.on('override:changed', (p) => {
        if (p.override.startDate <= this.timelineDate && this.timelineDate <= p.override.endDate) void this.loadDay();
      }),
      this.#live.onResync(() => void this.load()),
      this.#live.onReconnect(() => void this.load()),
    );
    void this.load();
    return () => {
      for (const off of this.#offs.splice(0)) off();
      this.#stopDay?.();
    };
  }

  async load(): Promise<void> {
    if (!this.#catalogue.loaded) await this.#catalogue.load();
    const today = dateIn(this.zone, this.#now());
    // A new day moves a timeline that showed today on to it; a past day looked at stays shown.
    if (!this.timelineDate || this.timelineDate === this.today || this.timelineDate < addDays(today, -PAST_DAYS)) this.timelineDate = today;
    this.today = today;
    this.loading = true;
    try {
      const list = await this.#api.get<StylistBooking[]>(
        `/api/stylist/bookings${query({ from: this.today, to: addDays(this.today, COMING_DAYS) })}`,
      );
      this.bookings = list;
      this.error = '';
    } catch (err) {
      this.error = plainMessage(err);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
    this.#watchTimeline();
    await Promise.all([this.loadDay(), this.#loadPast()]);
  }

  /** Moves the timeline to another day: back to PAST_DAYS ago, ahead to the loaded range (today + COMING_DAYS). */
  showDay(date: string): void {
    if (!this.today || date < this.firstDay || date > addDays(this.today, COMING_DAYS)) return;
    if (date === this.timelineDate) return;
    this.timelineDate = date;
    this.#watchTimeline();
    void this.loadDay();
    void this.#loadPast();
  }

  /** A past day's bookings (every status: the stylist marks no-shows and completions there). */
  async #loadPast(): Promise<void> {
    const date = this.timelineDate;
    if (!date || !this.today || date >= this.today) return;
    try {
      const list = await this.#api.get<StylistBooking[]>(`/api/stylist/bookings${query({ from: date, to: date })}`);
      if (date !== this.timelineDate) return;
      this.past = { date, bookings: list };
    } catch (err) {
      if (date === this.timelineDate) this.dayError = plainMessage(err);
    }
  }

  /** Reads the shown day's windows, holds and overrides; a newer read wins over an older one. */
  async loadDay(): Promise<void> {
    const date = this.timelineDate;
    if (!date || !this.stylistId) return;
    const seq = ++this.#daySeq;
    try {
      const day = await this.#api.get<StylistDay>(`/api/stylist/day${query({ date })}`);
      if (seq !== this.#daySeq) return;
      this.day = day;
      this.dayError = '';
    } catch (err) {
      if (seq === this.#daySeq) this.dayError = plainMessage(err);
    }
  }

  /**
   * Keeps the shown day live. Holds, their expiry, schedule and override changes reach a stylist
   * only as slot updates of a watched day, so the day of the shortest service offered is watched and
   * every answer re-reads the day (the first one too: a change made while the watch was being set
   * up is then not missed).
   */
  #watchTimeline(): void {
    const services = this.stylist?.services ?? [];
    if (!services.length) return;
    const shortest = [...services].sort((a, b) => a.durationMinutes - b.durationMinutes)[0];
    const date = this.timelineDate;
    const key = `${shortest.id}|${date}`;
    if (this.#watching === key) return;
    this.#stopDay?.();
    this.#watching = key;
    this.#stopDay = this.#live.watch(
      { stylistId: this.stylistId, serviceId: shortest.id, date },
      {
        onSlots: () => {
          if (date === this.timelineDate) void this.loadDay();
        },
        onError: (e) => console.warn('slots:watch refused', e),
      },
    );
  }

  /** A booking arrived or changed live (or was replayed after a reconnect). */
  receive(b: StylistBooking, kind: 'new' | 'changed'): void {
    if (b.stylistId !== this.stylistId) return;
    const past = this.past;
    if (past?.bookings.some((x) => x.id === b.id))
      this.past = { ...past, bookings: past.bookings.map((x) => (x.id === b.id ? { ...b, customer: b.customer ?? x.customer } : x)) };
    // A change to a past booking (marked by the desk) stays on that day's list.
    if (dateIn(this.zone, Date.parse(b.startUtc)) < this.today && !this.bookings.some((x) => x.id === b.id)) return;
    const existing = this.bookings.find((x) => x.id === b.id);
    // An update may omit the customer context; keep the one we had.
    const merged = existing && !b.customer ? { ...b, customer: existing.customer } : b;
    this.bookings = existing ? this.bookings.map((x) => (x.id === b.id ? merged : x)) : [...this.bookings, merged];
    // A creation is new even when the list re-read after a reconnect got it before its replay did.
    const isNew = kind === 'new' || this.highlights[b.id] === 'new';
    this.highlights = { ...this.highlights, [b.id]: isNew ? 'new' : 'changed' };
    const who = merged.customer?.displayName ?? 'A customer';
    const when = new Date(b.startUtc);
    const t = new Intl.DateTimeFormat(undefined, { timeZone: this.zone, weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(
      when,
    );
    this.announcement =
      kind === 'new' || !existing
        ? `New booking: ${who} at ${t}.`
        : `${who}'s booking at ${t} is now ${statusLabel(b.status).toLowerCase()}.`;
  }

  seen(id: string): void {
    if (!(id in this.highlights)) return;
    const next = { ...this.highlights };
    delete next[id];
    this.highlights = next;
  }

  select(id: string | null): void {
    this.selectedId = id;
    this.safetyError = '';
    if (id) this.seen(id);
  }

  /** Changes a booking's status; with `via`, through that status first (both are the server's rules). */
  async setStatus(id: string, status: BookingStatus, via?: BookingStatus): Promise<void> {
    this.busyId = id;
    this.actionError = null;
    const apply = (updated: Booking) => {
      const merge = (b: StylistBooking): StylistBooking =>
        b.id === id ? { ...b, ...updated, customer: (updated as StylistBooking).customer ?? b.customer } : b;
      this.bookings = this.bookings.map(merge);
      if (this.past) this.past = { ...this.past, bookings: this.past.bookings.map(merge) };
    };
    try {
      const current = this.bookings.find((b) => b.id === id) ?? this.past?.bookings.find((b) => b.id === id);
      if (via && current?.status !== via) apply(await this.#api.post<Booking>(`/api/bookings/${id}/status`, { status: via }));
      apply(await this.#api.post<Booking>(`/api/bookings/${id}/status`, { status }));
      this.seen(id);
    } catch (err) {
      this.actionError = { id, message: plainMessage(err) };
    } finally {
      this.busyId = null;
    }
  }

  /** Reveals a customer's safety notes; the reason is audited by the server. */
  async revealSafetyNotes(customerId: string, reason: string): Promise<boolean> {
    const r = reason.trim();
    if (r.length < 10) {
      this.safetyError = 'Please give a reason of at least 10 characters (for example, "colour service today").';
      return false;
    }
    const progress: Progress = { busy: (on) => (this.safetyBusy = on), error: (message) => (this.safetyError = message) };
    return attemptWith(progress, async () => {
      const res = await this.#api.post<unknown>(`/api/stylist/customers/${customerId}/safety-notes`, { reason: r });
      this.safetyNotes = { ...this.safetyNotes, [customerId]: notesText(res) };
    });
  }

  serviceName(id: string): string {
    return this.#catalogue.service(id)?.name ?? 'Service';
  }
}

function byStart(a: Booking, b: Booking): number {
  return a.startUtc.localeCompare(b.startUtc);
}

/** The notes answer: a string, or an object with the notes in a field. */
function notesText(res: unknown): string {
  if (typeof res === 'string') return res;
  if (res && typeof res === 'object') {
    const o = res as Record<string, unknown>;
    for (const k of ['safetyNotes', 'notes', 'text']) if (typeof o[k] === 'string') return o[k];
  }
  return '';
}
