// Edges of the web app replaced for unit tests: the HTTP server (a fetch function with a few
// routes) and the Socket.IO transport (an in-memory socket whose "server side" the test drives).
// The real server and socket are exercised end to end in test/e2e.
import type { Fetch } from '../../web/src/lib/api.ts';
import type { LiveSocket } from '../../web/src/lib/live.svelte.ts';
import type { Slot, SlotStatus } from '../../web/src/lib/types.ts';

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}
export type Route = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}) => FakeResponse | Promise<FakeResponse>;

/** A fetch answering from `routes` ("METHOD /path" → handler); anything else is a 404 like the API's. */
export function fakeFetch(
  routes: Record<string, Route>,
  calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [],
): Fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://salon.test');
    const method = init?.method ?? 'GET';
    // The web app's Api sends JSON text bodies only.
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ method, path: url.pathname, body, headers });
    const route = routes[`${method} ${url.pathname}`] ?? Object.entries(routes).find(([k]) => matches(k, method, url.pathname))?.[1];
    const r: FakeResponse = route
      ? await route({ method, path: url.pathname, query: url.searchParams, body, headers })
      : { status: 404, body: { error: { code: 'NOT_FOUND', message: `No route ${method} ${url.pathname}` } } };
    const status = r.status ?? 200;
    return new Response(status === 204 || r.body === undefined ? null : JSON.stringify(r.body), {
      status,
      headers: { 'content-type': 'application/json', ...r.headers },
    });
  };
}

/** "POST /api/bookings/:id/cancel" matches "/api/bookings/abc/cancel". */
function matches(pattern: string, method: string, path: string): boolean {
  const [m, p] = pattern.split(' ');
  if (m !== method) return false;
  const a = p.split('/');
  const b = path.split('/');
  return a.length === b.length && a.every((seg, i) => seg.startsWith(':') || seg === b[i]);
}

export const errorBody = (code: string, message = code, details?: unknown) => ({
  error: { code, message, ...(details ? { details } : {}) },
});

type Handler = (...args: any[]) => void;

/** An in-memory stand-in for socket.io-client's Socket. */
export class FakeSocket {
  connected = false;
  active = false;
  /** Each handshake's `auth` data, in order. */
  handshakes: object[] = [];
  /** What the client emitted. */
  sent: { event: string; payload: unknown }[] = [];
  /** The "server": answers client emits (acks). Default: watch answers ok with `daySlots`. */
  onEmit: (event: string, payload: any, ack?: (r: unknown) => void) => void;
  /** Open automatically (in a microtask) when the client connects. */
  autoOpen = true;
  daySlots: Slot[] = [];
  version = 1;
  #handlers = new Map<string, Set<Handler>>();
  #ioHandlers = new Map<string, Set<Handler>>();
  #auth: (cb: (data: object) => void) => void;

  readonly io = {
    on: (event: string, fn: Handler) => {
      if (!this.#ioHandlers.has(event)) this.#ioHandlers.set(event, new Set());
      this.#ioHandlers.get(event)!.add(fn);
      return this.io;
    },
  };

  constructor(auth: (cb: (data: object) => void) => void) {
    this.#auth = auth;
    this.onEmit = (event, _payload, ack) => {
      if (event === 'slots:watch') ack?.({ ok: true, data: { version: this.version, slots: this.daySlots } });
      else ack?.({ ok: true, data: { watching: 0 } });
    };
  }

  on(event: string, fn: Handler): this {
    if (!this.#handlers.has(event)) this.#handlers.set(event, new Set());
    this.#handlers.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Handler): this {
    this.#handlers.get(event)?.delete(fn);
    return this;
  }
  emit(event: string, payload: unknown, ack?: (r: unknown) => void): this {
    this.sent.push({ event, payload });
    this.onEmit(event, payload, ack);
    return this;
  }
  connect(): this {
    this.active = true;
    if (this.autoOpen) queueMicrotask(() => this.open());
    return this;
  }
  disconnect(): this {
    this.active = false;
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  // ── test controls ──
  /** The server accepts the handshake. */
  open(): void {
    if (this.connected || !this.active) return;
    this.#auth((data) => this.handshakes.push(data));
    this.connected = true;
    this.fire('connect');
  }
  /** The transport drops; socket.io would retry (the test calls open() to let it succeed). */
  drop(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }
  attempt(n: number): void {
    for (const fn of this.#ioHandlers.get('reconnect_attempt') ?? []) fn(n);
  }
  /** A server → client event. */
  push(event: string, payload: unknown): void {
    this.fire(event, payload);
  }
  fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.#handlers.get(event) ?? [])]) fn(...args);
  }
  sentOf(event: string): unknown[] {
    return this.sent.filter((s) => s.event === event).map((s) => s.payload);
  }
}

/** A LiveConnection option set that records the fake socket it built. */
export function fakeSocketFactory(): { createSocket: (auth: (cb: (d: object) => void) => void) => LiveSocket; socket: () => FakeSocket } {
  let made: FakeSocket | undefined;
  return {
    createSocket: (auth) => (made = new FakeSocket(auth)) as unknown as LiveSocket,
    socket: () => made!,
  };
}

/** A day of 30-minute slots from 04:15Z (10:00 in Kathmandu), all available unless listed. */
export function makeSlots(n = 8, statuses: Record<number, SlotStatus> = {}, base = '2027-03-10T04:15:00.000Z'): Slot[] {
  const t0 = Date.parse(base);
  return Array.from({ length: n }, (_, i) => {
    const start = new Date(t0 + i * 30 * 60_000);
    return {
      startUtc: start.toISOString(),
      endUtc: new Date(start.getTime() + 45 * 60_000).toISOString(),
      startLocal: start.toISOString(),
      localDisplay: start.toISOString().slice(11, 16),
      localZone: 'Asia/Kathmandu',
      display: start.toISOString().slice(11, 16),
      displayZone: 'Asia/Kathmandu',
      displayDate: start.toISOString().slice(0, 10),
      status: statuses[i] ?? 'available',
    };
  });
}

export function withStatus(slots: Slot[], changes: Record<number, SlotStatus>): Slot[] {
  return slots.map((s, i) => (changes[i] ? { ...s, status: changes[i] } : s));
}

export const tick = () => new Promise<void>((r) => setTimeout(r, 0));
/** Lets queued promises (fetch answers) settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await tick();
}

/**
 * A fake `GET /api/bookings/available-days`: each date of the asked range (at most 62) is `open`
 * with the count `open` gives it, else `off`.
 */
export function availableDaysRoute(open: Record<string, number>) {
  return ({ query }: { query: URLSearchParams }) => {
    const from = Date.parse(`${query.get('from')}T00:00:00Z`);
    const to = Date.parse(`${query.get('to')}T00:00:00Z`);
    const body = [];
    for (let i = 0; i < 62 && from + i * 86_400_000 <= to; i++) {
      const date = new Date(from + i * 86_400_000).toISOString().slice(0, 10);
      const n = open[date];
      body.push(n ? { date, available: n, status: 'open', version: 1 } : { date, available: 0, status: 'off', version: 1 });
    }
    return { body };
  };
}
