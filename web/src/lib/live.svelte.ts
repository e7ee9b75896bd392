// The one Socket.IO client of the app. It owns the connection state the indicator shows (live,
// reconnecting, offline since …), resumes with `auth: {lastEventId}` so the server can replay what
// was missed, re-sends every `slots:watch` after a reconnect (a new socket watches nothing), and
// tells screens to re-fetch on `resync`. Screens never touch the socket directly.
import { io, type Socket } from 'socket.io-client';
import { createSubscriber } from 'svelte/reactivity';
import type {
  Ack,
  AvailableDay,
  Booking,
  ClientToServerEvents,
  DaysKey,
  DaysUpdate,
  ServerToClientEvents,
  Slot,
  SlotsKey,
  SlotsUpdate,
  StylistBooking,
} from './types.ts';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Events that carry an `eventId` and may be replayed on resume. */
type TrackedEvent = 'booking:created' | 'booking:updated' | 'override:changed' | 'announcement' | 'calendar:changed' | 'waitlist:offer';
type Payload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

export interface WatchListener {
  /** A full slot list: the ack of a (re)watch, or a pushed `slots:update` (with its reason). */
  onSlots(slots: Slot[], version: number, reason: SlotsUpdate['reason'] | null): void;
  onError?(error: { code: string; message: string }): void;
}

export interface LiveOptions {
  /** Builds the socket; `auth` must be sent on every (re)connect. Default: same-origin socket.io. */
  createSocket?: (auth: (cb: (data: object) => void) => void) => LiveSocket;
  /** Disconnected this long (and still retrying), the indicator says offline. Default 10 s. */
  offlineAfterMs?: number;
  now?: () => number;
  /** Where `online`/`offline` events come from; default `window` when there is one. */
  eventTarget?: EventTarget | null;
}

const TRACKED: TrackedEvent[] = [
  'booking:created',
  'booking:updated',
  'override:changed',
  'announcement',
  'calendar:changed',
  'waitlist:offer',
];
/** Watch refusals that pass with time; anything else (a bad key) is final. */
const RETRYABLE = new Set<string | undefined>(['RATE_LIMITED', 'NOT_READY', 'INTERNAL']);

/**
 * `booking:created`/`booking:updated` carry the staff view (with the customer context) to a stylist
 * or an admin, and the customer's own view to the booking's customer: this tells them apart.
 */
export function isStaffBooking(b: Booking | StylistBooking): b is StylistBooking {
  return 'customer' in b;
}

export function watchKey(k: SlotsKey): string {
  return `${k.stylistId}|${k.serviceId}|${k.date}`;
}

export class LiveConnection {
  readonly socket: LiveSocket;
  #status: ConnectionStatus = 'connecting';
  #since: number;
  #attempts = 0;
  #lastEventId: number | null = null;
  #everConnected = false;
  #browserOffline = false;
  #offlineTimer: ReturnType<typeof setTimeout> | undefined;
  #offlineAfterMs: number;
  #now: () => number;
  #listeners = new Set<() => void>();
  #watches = new Map<string, { key: SlotsKey; listeners: Set<WatchListener>; retries: number; retry?: ReturnType<typeof setTimeout> }>();
  #dayWatches = new Map<string, { key: DaysKey; listeners: Set<(days: AvailableDay[] | null) => void> }>();
  #handlers = new Map<string, Set<(p: never) => void>>();
  #resyncHandlers = new Set<(reason: string) => void>();
  #reconnectHandlers = new Set<() => void>();
  #subscribe: () => void;

  constructor(opts: LiveOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#since = this.#now();
    this.#offlineAfterMs = opts.offlineAfterMs ?? 10_000;
    const auth = (cb: (data: object) => void) => cb(this.#lastEventId === null ? {} : { lastEventId: this.#lastEventId });
    this.socket = (opts.createSocket ?? defaultSocket)(auth);
    this.#subscribe = createSubscriber((update) => {
      this.#listeners.add(update);
      return () => this.#listeners.delete(update);
    });

    const s = this.socket;
    s.on('connect', () => this.#onConnect());
    s.on('disconnect', (reason) => {
      this.#setDown('reconnecting');
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === 'io server disconnect' && !this.#browserOffline) s.connect();
    });
    s.on('connect_error', () => {
      this.#setDown('reconnecting');
      // Refused by a middleware: socket.io will not retry, so try again later ourselves.
      if (!s.active && !this.#browserOffline)
        setTimeout(() => {
          if (!s.connected && !this.#browserOffline) s.connect();
        }, 3000);
    });
    s.io.on('reconnect_attempt', (n: number) => {
      this.#attempts = n;
      this.#notify();
    });
    s.on('slots:update', (p) => this.#onSlotsUpdate(p));
    s.on('days:update', (p) => this.#onDaysUpdate(p));
    s.on('resync', (p) => {
      for (const h of [...this.#resyncHandlers]) h(p?.reason ?? 'resync');
    });
    for (const ev of TRACKED) {
      s.on(ev, (p: { eventId?: number }) => this.#dispatch(ev, p));
    }

    const target = opts.eventTarget === undefined ? (typeof window === 'undefined' ? null : window) : opts.eventTarget;
    target?.addEventListener('offline', () => this.goOffline());
    target?.addEventListener('online', () => this.goOnline());
  }

  /** Opens the connection (the app calls this once at start). */
  start(): void {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.goOffline();
      return;
    }
    this.socket.connect();
  }

  get status(): ConnectionStatus {
    this.#subscribe();
    return this.#status;
  }
  /** When the current status began (epoch ms). */
  get since(): number {
    this.#subscribe();
    return this.#since;
  }
  get attempts(): number {
    this.#subscribe();
    return this.#attempts;
  }
  get lastEventId(): number | null {
    this.#subscribe();
    return this.#lastEventId;
  }

  /** The browser lost the network: stop retrying until it is back. */
  goOffline(): void {
    this.#browserOffline = true;
    if (this.socket.connected || this.socket.active) this.socket.disconnect();
    this.#setDown('offline');
  }

  goOnline(): void {
    if (!this.#browserOffline) return;
    this.#browserOffline = false;
    this.#setDown('reconnecting');
    this.socket.connect();
  }

  /** Reconnects so the server sees a new session cookie (after login or logout). */
  reconnect(): void {
    if (this.#browserOffline) return;
    this.socket.disconnect();
    this.#setDown(this.#everConnected ? 'reconnecting' : 'connecting');
    this.socket.connect();
  }

  /** Subscribes to an event the server may replay; duplicates (eventId already seen) are dropped. */
  on<E extends TrackedEvent>(event: E, handler: (p: Payload<E>) => void): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Called when the server cannot replay what was missed: re-fetch everything shown. */
  onResync(handler: (reason: string) => void): () => void {
    this.#resyncHandlers.add(handler);
    return () => this.#resyncHandlers.delete(handler);
  }

  /** Called after every reconnect (not the first connect). */
  onReconnect(handler: () => void): () => void {
    this.#reconnectHandlers.add(handler);
    return () => this.#reconnectHandlers.delete(handler);
  }

  /** Watches one stylist-day; re-watched after every reconnect. Returns the unwatch function. */
  watch(key: SlotsKey, listener: WatchListener): () => void {
    const k = watchKey(key);
    let w = this.#watches.get(k);
    const first = !w;
    if (!w)
      this.#watches.set(
        k,
        (w = { key: { stylistId: key.stylistId, serviceId: key.serviceId, date: key.date }, listeners: new Set(), retries: 0 }),
      );
    w.listeners.add(listener);
    if (first) this.#sendWatch(w.key);
    else if (this.socket.connected) this.#sendWatch(w.key, listener);
    return () => {
      const cur = this.#watches.get(k);
      if (!cur) return;
      cur.listeners.delete(listener);
      if (cur.listeners.size === 0) {
        clearTimeout(cur.retry);
        this.#watches.delete(k);
        if (this.socket.connected) this.socket.emit('slots:unwatch', cur.key, () => {});
      }
    };
  }

  /**
   * Keeps a calendar of one stylist (or `any`) and service live: `days:update` brings the days a
   * change touched (null: read the range again); re-watched after every reconnect, when the caller
   * should read its range again anyway (onReconnect). Returns the unwatch function.
   */
  watchDays(key: DaysKey, onDays: (days: AvailableDay[] | null) => void): () => void {
    const k = `${key.stylistId}|${key.serviceId}`;
    let w = this.#dayWatches.get(k);
    if (!w) {
      this.#dayWatches.set(k, (w = { key: { stylistId: key.stylistId, serviceId: key.serviceId }, listeners: new Set() }));
      if (this.socket.connected) this.socket.emit('days:watch', w.key, () => {});
    }
    w.listeners.add(onDays);
    return () => {
      const cur = this.#dayWatches.get(k);
      if (!cur) return;
      cur.listeners.delete(onDays);
      if (cur.listeners.size === 0) {
        this.#dayWatches.delete(k);
        if (this.socket.connected) this.socket.emit('days:unwatch', cur.key, () => {});
      }
    };
  }

  #onDaysUpdate(p: DaysUpdate): void {
    const w = this.#dayWatches.get(`${p?.stylistId}|${p?.serviceId}`);
    if (!w) return;
    for (const l of [...w.listeners]) l(p.days);
  }

  get watchedKeys(): string[] {
    return [...this.#watches.keys()];
  }

  #sendWatch(key: SlotsKey, only?: WatchListener): void {
    if (!this.socket.connected) return;
    this.socket.emit('slots:watch', key, (r: Ack<{ version: number; slots: Slot[] }>) => {
      const w = this.#watches.get(watchKey(key));
      if (!w) return;
      if (r?.ok) w.retries = 0;
      else if (RETRYABLE.has(r?.error?.code) && !w.retry) {
        // Refused for now (watching too fast, or the server catching up): try again, backing off.
        const delay = Math.min(30_000, 1000 * 2 ** w.retries++);
        w.retry = setTimeout(() => {
          w.retry = undefined;
          if (this.#watches.get(watchKey(key)) === w) this.#sendWatch(w.key);
        }, delay);
      }
      for (const l of only ? [only] : [...w.listeners]) {
        if (r?.ok) l.onSlots(r.data.slots, r.data.version, null);
        else l.onError?.(r?.error ?? { code: 'INTERNAL', message: 'watch failed' });
      }
    });
  }

  #onSlotsUpdate(p: SlotsUpdate): void {
    const w = this.#watches.get(watchKey(p));
    if (!w) return;
    for (const l of [...w.listeners]) l.onSlots(p.slots, p.version, p.reason);
  }

  #dispatch(event: TrackedEvent, p: { eventId?: number }): void {
    if (typeof p?.eventId === 'number') {
      if (this.#lastEventId !== null && p.eventId <= this.#lastEventId) return;
      this.#lastEventId = p.eventId;
      this.#notify();
    }
    for (const h of [...(this.#handlers.get(event) ?? [])]) (h as (p: unknown) => void)(p);
  }

  #onConnect(): void {
    const wasReconnect = this.#everConnected;
    this.#everConnected = true;
    this.#attempts = 0;
    this.#stopTimer();
    this.#status = 'live';
    this.#since = this.#now();
    this.#notify();
    for (const w of this.#watches.values()) this.#sendWatch(w.key);
    for (const w of this.#dayWatches.values()) this.socket.emit('days:watch', w.key, () => {});
    if (wasReconnect) for (const h of [...this.#reconnectHandlers]) h();
  }

  /** The connection dropped or failed; socket.io keeps retrying unless the browser is offline. */
  #setDown(status: 'connecting' | 'reconnecting' | 'offline'): void {
    if (status === 'offline') {
      if (this.#status === 'live' || this.#status === 'connecting') this.#since = this.#now();
      this.#status = 'offline';
      this.#stopTimer();
    } else if (this.#browserOffline) {
      return;
    } else if (status === 'connecting' || this.#status === 'live' || this.#status === 'offline') {
      this.#status = status;
      this.#since = this.#now();
      this.#stopTimer();
    }
    // Still down after a while: say offline (socket.io keeps trying in the background).
    if (this.#status !== 'offline' && this.#offlineTimer === undefined) {
      this.#offlineTimer = setTimeout(() => {
        this.#offlineTimer = undefined;
        if (!this.socket.connected && this.#status !== 'live') {
          this.#status = 'offline';
          this.#notify();
        }
      }, this.#offlineAfterMs);
    }
    this.#notify();
  }

  #stopTimer(): void {
    clearTimeout(this.#offlineTimer);
    this.#offlineTimer = undefined;
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }
}

function defaultSocket(auth: (cb: (data: object) => void) => void): LiveSocket {
  return io({ autoConnect: false, path: '/socket.io', withCredentials: true, auth, reconnectionDelay: 500, reconnectionDelayMax: 5000 });
}
