// Booking from an empty cell of the desk calendar: a customer found by search (or a walk-in), one of
// the stylist's services, a start time, notes; POST /api/desk/bookings. Outside the hours the server
// refuses until the desk books anyway with a reason (force); a taken time shows the alternatives.
import { DISPLAY_NAME_MAX } from '../../../server/contract/limits.ts';
import { alternativesOf, ApiError, nameTooLong, query, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import { instantAt, minutesInZone } from '../lib/time.ts';
import type { DeskBookingInput, DeskCustomer } from '../lib/types.ts';
import { deskMessage, isForceable } from './desk.svelte.ts';

/** Typing pauses this long before a search is sent. */
export const SEARCH_DEBOUNCE_MS = 250;
export const SEARCH_MIN_CHARS = 2;
export const SEARCH_MAX_CHARS = 100;
/** The server's bounds on a forced booking's reason. */
export const FORCE_REASON_MIN = 5;
export const FORCE_REASON_MAX = 500;

export interface BookFormDeps {
  api: Api;
  catalogue: Catalogue;
  stylistId: string;
  /** The salon-local date and zone of the calendar. */
  date: string;
  zone: string;
  startMs: number;
  debounceMs?: number;
  onbooked: (b: { customerName: string; stylistId: string; startUtc: string }) => void;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export class DeskBookForm {
  mode = $state<'search' | 'walkin'>('search');
  query = $state('');
  results = $state.raw<DeskCustomer[]>([]);
  searching = $state(false);
  searched = $state(false);
  searchError = $state('');
  customer = $state.raw<DeskCustomer | null>(null);
  walkInName = $state('');
  walkInPhone = $state('');
  walkInEmail = $state('');
  serviceId = $state('');
  /** HH:MM in the salon's zone. */
  time = $state('');
  notes = $state('');
  busy = $state(false);
  error = $state('');
  /** The server refused the time as outside the hours: the desk may book anyway, with a reason. */
  forceOffered = $state(false);
  forcing = $state(false);
  forceReason = $state('');
  alternatives = $state.raw<string[]>([]);

  readonly stylistId: string;
  readonly date: string;
  readonly zone: string;
  #api: Api;
  #catalogue: Catalogue;
  #debounceMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;
  #onbooked: BookFormDeps['onbooked'];

  constructor(deps: BookFormDeps) {
    this.#api = deps.api;
    this.#catalogue = deps.catalogue;
    this.stylistId = deps.stylistId;
    this.date = deps.date;
    this.zone = deps.zone;
    this.#debounceMs = deps.debounceMs ?? SEARCH_DEBOUNCE_MS;
    this.#onbooked = deps.onbooked;
    this.time = hhmm(minutesInZone(deps.startMs, deps.zone));
    this.serviceId = this.services[0]?.id ?? '';
  }

  stylist = $derived.by(() => this.#catalogue.stylist(this.stylistId));
  /** Only what this stylist offers. */
  services = $derived(this.stylist?.services ?? []);
  startMs = $derived.by(() => {
    const m = /^(\d{2}):(\d{2})$/.exec(this.time);
    return m ? instantAt(this.date, Number(m[1]) * 60 + Number(m[2]), this.zone) : NaN;
  });

  /** The search box changed: search after a pause, from 2 characters. */
  setQuery(q: string): void {
    this.query = q;
    clearTimeout(this.#timer);
    const text = q.trim().slice(0, SEARCH_MAX_CHARS);
    if (text.length < SEARCH_MIN_CHARS) {
      this.#seq++;
      this.results = [];
      this.searched = false;
      this.searching = false;
      this.searchError = '';
      return;
    }
    this.#timer = setTimeout(() => void this.#search(text), this.#debounceMs);
  }

  async #search(text: string): Promise<void> {
    const seq = ++this.#seq;
    this.searching = true;
    try {
      const found = await this.#api.get<DeskCustomer[]>(`/api/desk/customers${query({ q: text })}`);
      if (seq !== this.#seq) return;
      this.results = found;
      this.searched = true;
      this.searchError = '';
    } catch (err) {
      if (seq === this.#seq) this.searchError = deskMessage(err);
    } finally {
      if (seq === this.#seq) this.searching = false;
    }
  }

  pick(c: DeskCustomer | null): void {
    this.customer = c;
    this.error = '';
  }

  setMode(mode: 'search' | 'walkin'): void {
    this.mode = mode;
    this.error = '';
  }

  /** A time the server offered instead of a taken one. */
  useAlternative(startUtc: string): void {
    this.time = hhmm(minutesInZone(startUtc, this.zone));
    this.alternatives = [];
    this.error = '';
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#seq++;
  }

  /** What is missing before anything is sent, or ''. */
  #problem(): string {
    if (this.mode === 'search' && !this.customer) return 'Choose a customer from the search, or book a walk-in.';
    if (this.mode === 'walkin' && !this.walkInName.trim()) return 'Please give the walk-in’s name.';
    if (this.mode === 'walkin' && this.walkInName.trim().length > DISPLAY_NAME_MAX) return nameTooLong(DISPLAY_NAME_MAX);
    if (!this.serviceId) return 'Choose a service.';
    if (!Number.isFinite(this.startMs)) return 'Choose a start time.';
    return '';
  }

  /** Books as entered; `force` books outside the hours with the reason given. */
  async submit(force = false): Promise<boolean> {
    const problem = this.#problem();
    if (problem) {
      this.error = problem;
      return false;
    }
    const reason = this.forceReason.trim();
    if (force && (reason.length < FORCE_REASON_MIN || reason.length > FORCE_REASON_MAX)) {
      this.error = `Please say why, in ${FORCE_REASON_MIN} to ${FORCE_REASON_MAX} characters.`;
      return false;
    }
    const body: DeskBookingInput = {
      stylistId: this.stylistId,
      serviceId: this.serviceId,
      startUtc: new Date(this.startMs).toISOString(),
      ...(this.mode === 'search'
        ? { customerId: this.customer!.id }
        : {
            walkIn: {
              name: this.walkInName.trim(),
              ...(this.walkInPhone.trim() ? { phone: this.walkInPhone.trim() } : {}),
              ...(this.walkInEmail.trim() ? { email: this.walkInEmail.trim() } : {}),
            },
          }),
      ...(this.notes.trim() ? { notes: this.notes.trim() } : {}),
      ...(force ? { force: true, forceReason: reason } : {}),
    };
    this.busy = true;
    this.error = '';
    this.alternatives = [];
    try {
      await this.#api.post<unknown>('/api/desk/bookings', body);
      this.#onbooked({
        customerName: this.mode === 'search' ? this.customer!.displayName : this.walkInName.trim(),
        stylistId: this.stylistId,
        startUtc: body.startUtc,
      });
      return true;
    } catch (err) {
      this.error = deskMessage(err);
      if (!force && isForceable(err)) this.forceOffered = true;
      if (err instanceof ApiError && (err.code === 'SLOT_TAKEN' || err.code === 'SLOT_HELD')) this.alternatives = alternativesOf(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
