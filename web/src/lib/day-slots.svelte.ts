// One stylist-day of slots, kept true live: a REST read for the first paint (cached on the server,
// the fastest way to a usable grid) and `slots:watch` for every change after. The newest version
// wins whichever way it arrives. Changes made by others are summarised for an ARIA live region.
import { query, type Api } from './api.ts';
import type { LiveConnection } from './live.svelte.ts';
import type { Slot, SlotStatus, SlotsKey, SlotsReason } from './types.ts';

export interface DaySlotsOptions {
  api: Api;
  live: LiveConnection;
  /** Is this start the viewer's own hold (or a hold being placed)? Own changes are not announced. */
  isOwn?: (startUtc: string) => boolean;
  /** How a start reads to a person (in their zone and locale). */
  describe?: (startUtc: string) => string;
  /** Called after every applied list (the month calendar keeps its count from it). */
  onApply?: (slots: Slot[]) => void;
  /** How long a changed slot keeps its "just changed" mark, ms. Default 2500. */
  markMs?: number;
}

export interface SlotChange {
  startUtc: string;
  from: SlotStatus;
  to: SlotStatus;
}

export class DaySlots {
  readonly key: SlotsKey;
  slots = $state.raw<Slot[]>([]);
  version = $state(-1);
  loading = $state(true);
  error = $state<unknown>(null);
  /** Why the last pushed change happened (null for a full read). */
  reason = $state<SlotsReason | null>(null);
  /** Starts whose status changed a moment ago (for a calm highlight). */
  recent = $state.raw<ReadonlySet<string>>(new Set());
  /** The latest sentence for the polite live region. */
  announcement = $state('');
  /** The day went from having times to having none while it was open (a closure or new hours). */
  emptiedBy = $state<SlotsReason | null>(null);

  #opts: DaySlotsOptions;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(key: SlotsKey, opts: DaySlotsOptions) {
    this.key = { stylistId: key.stylistId, serviceId: key.serviceId, date: key.date };
    this.#opts = opts;
  }

  available = $derived(this.slots.filter((s) => s.status === 'available').length);

  /** Starts the read and the live watch; returns the stop function. */
  start(): () => void {
    const ctrl = new AbortController();
    this.loading = true;
    this.#opts.api
      .request<Slot[]>(
        'GET',
        `/api/bookings/available-slots${query({ stylistId: this.key.stylistId, serviceId: this.key.serviceId, targetDate: this.key.date })}`,
        undefined,
        { signal: ctrl.signal },
      )
      .then(({ data, headers }) => this.apply(data, Number(headers.get('x-availability-version') ?? 0), null))
      .catch((err) => {
        if ((err as Error)?.name === 'AbortError') return;
        if (this.version < 0) {
          this.error = err;
          this.loading = false;
        }
      });
    const unwatch = this.#opts.live.watch(this.key, {
      onSlots: (slots, version, reason) => this.apply(slots, version, reason),
      onError: (e) => {
        // The REST read still shows the day; live updates are what is missing.
        console.warn('slots:watch refused', e);
      },
    });
    return () => {
      ctrl.abort();
      unwatch();
      for (const t of this.#timers) clearTimeout(t);
      this.#timers.clear();
    };
  }

  /** Applies a full list if it is not older than what is shown. Returns the changes it made. */
  apply(slots: Slot[], version: number, reason: SlotsReason | null): SlotChange[] {
    if (version < this.version) return [];
    const first = this.version < 0;
    const before = new Map(this.slots.map((s) => [s.startUtc, s.status] as const));
    const changes: SlotChange[] = [];
    if (!first) {
      for (const s of slots) {
        const from = before.get(s.startUtc);
        if (from !== undefined && from !== s.status) changes.push({ startUtc: s.startUtc, from, to: s.status });
      }
    }
    const hadTimes = this.slots.length > 0;
    this.slots = slots;
    this.version = version;
    this.loading = false;
    this.error = null;
    if (reason) this.reason = reason;
    if (slots.length === 0 && hadTimes && !first) this.emptiedBy = reason ?? 'schedule';
    else if (slots.length > 0) this.emptiedBy = null;
    if (changes.length) this.#mark(changes);
    const text = this.#describeChanges(changes, hadTimes && slots.length === 0 ? reason : null);
    if (text) this.announcement = text;
    this.#opts.onApply?.(slots);
    return changes;
  }

  #mark(changes: SlotChange[]): void {
    const next = new Set(this.recent);
    for (const c of changes) next.add(c.startUtc);
    this.recent = next;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      const left = new Set(this.recent);
      for (const c of changes) left.delete(c.startUtc);
      this.recent = left;
    }, this.#opts.markMs ?? 2500);
    this.#timers.add(t);
  }

  #describeChanges(changes: SlotChange[], emptiedBy: SlotsReason | null): string {
    if (emptiedBy) return 'This day no longer has any times: ' + emptiedExplanation(emptiedBy);
    const isOwn = this.#opts.isOwn ?? (() => false);
    const describe = this.#opts.describe ?? ((s: string) => s);
    const others = changes.filter((c) => !isOwn(c.startUtc));
    if (!others.length) return '';
    const groups: Record<string, string[]> = {};
    for (const c of others) {
      const verb = c.to === 'booked' ? 'booked' : c.to === 'held' ? 'held' : c.to === 'available' ? 'free' : 'unavailable';
      (groups[verb] ??= []).push(describe(c.startUtc));
    }
    const parts: string[] = [];
    for (const [verb, times] of Object.entries(groups)) {
      const list = times.length > 3 ? `${times.slice(0, 3).join(', ')} and ${times.length - 3} more` : joinTimes(times);
      const plural = times.length > 1;
      if (verb === 'booked') parts.push(`${list} ${plural ? 'were' : 'was'} just booked by someone else`);
      else if (verb === 'held') parts.push(`${list} ${plural ? 'are' : 'is'} being booked by someone else`);
      else if (verb === 'free') parts.push(`${list} ${plural ? 'are' : 'is'} free again`);
      else parts.push(`${list} can no longer be booked`);
    }
    return parts.join('. ') + '.';
  }
}

function joinTimes(t: string[]): string {
  return t.length <= 1 ? (t[0] ?? '') : `${t.slice(0, -1).join(', ')} and ${t.at(-1)}`;
}

export function emptiedExplanation(reason: SlotsReason | null): string {
  switch (reason) {
    case 'override':
      return 'the salon has just closed this day or changed its hours. Please choose another day.';
    case 'schedule':
      return "the stylist's working hours for this day have just changed. Please choose another day.";
    default:
      return 'every time has just been taken. Please choose another day.';
  }
}

/** The nearest available starts to `target`, closest first (ties: earlier first). */
export function nearestAvailable(slots: Slot[], target: string, count = 3): Slot[] {
  const t = Date.parse(target);
  return slots
    .filter((s) => s.status === 'available' && s.startUtc !== target)
    .sort(
      (a, b) =>
        Math.abs(Date.parse(a.startUtc) - t) - Math.abs(Date.parse(b.startUtc) - t) || Date.parse(a.startUtc) - Date.parse(b.startUtc),
    )
    .slice(0, count)
    .sort((a, b) => Date.parse(a.startUtc) - Date.parse(b.startUtc));
}
