// Limits of the socket layer: concurrent connections per client IP, enforced at the Engine.IO
// handshake (allowRequest), and the messages one socket may send (its `socket.use` middleware).
import type { IncomingMessage } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';
import type { AckError, AckFn } from '../contract/socket.ts';
import type { Metrics } from '../metrics.ts';
import type { AppSocket, SocketLimits } from './types.ts';

/**
 * The client's address as the HTTP side sees it: express's `req.ip` with `trust proxy` = 1 (what
 * app.ts sets for TRUST_PROXY), i.e. the first untrusted hop. The peer is the one trusted proxy, so
 * the client is the last X-Forwarded-For entry (the one that proxy appended; entries to its left
 * are whatever the client sent); without the header, or without TRUST_PROXY, the peer itself.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  // Parsed as proxy-addr (through `forwarded`) parses it: comma-separated, spaces around entries
  // dropped, empty entries skipped.
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => h.replace(/^ +| +$/g, ''))
    .filter((h) => h !== '');
  return hops.at(-1) ?? peer;
}

/** The counting key of a client: its IP, IPv6 grouped by /56 (as the HTTP rate limits key it, auth/guard.ts). */
export const clientKey = (req: IncomingMessage, trustProxy: boolean): string => ipKeyGenerator(clientIp(req, trustProxy));

/** What the limiter needs of an Engine.IO connection (an EventEmitter: it calls listeners with itself as `this`). */
interface Connection {
  on(event: 'close', listener: (this: Connection) => void): unknown;
}

/**
 * Counts the open Engine.IO connections of each client key and refuses handshakes beyond `max`.
 * A handshake is counted from the moment it is admitted (so a burst of simultaneous handshakes
 * cannot overshoot), and the count is held by the connection it opens until that closes; a
 * handshake that opens no connection gives it back (connection_error, or its TCP connection
 * closing, e.g. an aborted WebSocket upgrade).
 */
export class ConnectionsPerIp {
  readonly #max: number;
  readonly #trustProxy: boolean;
  readonly #counts = new Map<string, number>();
  /**
   * Admitted handshakes that have not opened a connection yet → their client key, and the listener
   * that gives the count back if their TCP connection closes first. Each handshake's count is given
   * back once: by that listener, by `failed`, or (once `connected`) by its connection closing.
   */
  readonly #pending = new WeakMap<IncomingMessage, { key: string; onTcpClose: () => void }>();
  /**
   * Open connections → their client key, released by one listener shared by every connection: a
   * connection costs an entry here, not a closure and a `once` wrapper of its own (docs/benchmarks.md,
   * "Memory per socket, second pass").
   */
  readonly #open = new WeakMap<Connection, string>();
  readonly #onConnectionClose: (this: Connection) => void;

  constructor(opts: { max: number; trustProxy: boolean }) {
    this.#max = opts.max;
    this.#trustProxy = opts.trustProxy;
    const open = this.#open;
    const counts = this.#counts;
    this.#onConnectionClose = function (this: Connection) {
      const key = open.get(this);
      if (key === undefined) return;
      open.delete(this);
      decrement(counts, key);
    };
  }

  /** Whether this request's client already has `max` connections (nothing is counted). */
  full(req: IncomingMessage): boolean {
    return (this.#counts.get(clientKey(req, this.#trustProxy)) ?? 0) >= this.#max;
  }

  /** For allowRequest: counts the handshake and answers true, or false when its client is at the limit. */
  admit(req: IncomingMessage): boolean {
    const key = clientKey(req, this.#trustProxy);
    const n = this.#counts.get(key) ?? 0;
    if (n >= this.#max) return false;
    this.#counts.set(key, n + 1);
    const onTcpClose = () => {
      if (this.#pending.get(req)?.onTcpClose !== onTcpClose) return;
      this.#pending.delete(req);
      decrement(this.#counts, key);
    };
    req.socket.once('close', onTcpClose);
    this.#pending.set(req, { key, onTcpClose });
    return true;
  }

  /** Engine.IO `connection`: the connection now holds its handshake's count until it closes. */
  connected(req: IncomingMessage, conn: Connection): void {
    const p = this.#take(req);
    if (!p) return;
    // Only the key stays with the connection: not the handshake request, nor a closure of its own.
    this.#open.set(conn, p.key);
    conn.on('close', this.#onConnectionClose);
  }

  /** Engine.IO `connection_error`: a handshake that was admitted but failed gives its count back. */
  failed(req: IncomingMessage): void {
    const p = this.#take(req);
    if (p) decrement(this.#counts, p.key);
  }

  /** Open connections counted for `key` (for tests and diagnostics). */
  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** The pending handshake of `req`, no longer pending nor watching its TCP connection (a polling client keeps it alive for other requests). */
  #take(req: IncomingMessage): { key: string } | undefined {
    const p = this.#pending.get(req);
    if (!p) return undefined;
    this.#pending.delete(req);
    req.socket.off('close', p.onTcpClose);
    return p;
  }
}

/** Gives one count of `key` back. */
function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

/** A socket's watch/unwatch token bucket (kept on socket.data). */
export interface TokenBucket {
  tokens: number;
  /** performance.now() of the last refill. */
  tokensAt: number;
}

/**
 * Takes one token from `b`, refilled at `perMinute` since its last use and holding at most `burst`;
 * false (and nothing taken) when less than one token is left.
 */
export function takeToken(b: TokenBucket, now: number, burst: number, perMinute: number): boolean {
  b.tokens = Math.min(burst, b.tokens + ((now - b.tokensAt) * perMinute) / 60_000);
  b.tokensAt = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

type Packet = [string, ...unknown[]];

/** The events a socket may send. */
export type ClientEvent = 'slots:watch' | 'slots:unwatch' | 'days:watch' | 'days:unwatch';

/** Hands an admitted message to its handler (one function for every socket). */
export type MessageRoute = (socket: AppSocket, event: ClientEvent, payload: unknown, ack: AckFn<never> | undefined) => void;

/**
 * The per-socket message limiter and router, for `socket.use`: a socket may send only slots:watch,
 * slots:unwatch, days:watch and days:unwatch, each one payload (of at most maxPayloadBytes as JSON) and an ack, at most
 * watchBurst at once and watchPerMinute sustained. A refused message is answered on its ack (when it
 * has one), counted in kb_socket_rejections_total, and never reaches a handler. An admitted one is
 * handed to `route` on the next tick if the socket is still connected, as Socket.IO would call an
 * event listener, and goes no further (no listener per event on the socket: memory).
 */
export function messageLimiter(
  socket: AppSocket,
  limits: SocketLimits,
  metrics: Pick<Metrics, 'socketRejections'>,
  route: MessageRoute,
): (packet: Packet, next: (err?: Error) => void) => void {
  return (packet) => {
    const last = packet[packet.length - 1];
    const ack = typeof last === 'function' ? (last as AckFn<never>) : undefined;
    const args = packet.slice(1, ack ? -1 : undefined);
    const refuse = (code: AckError['code'], message: string, reason: string) => {
      metrics.socketRejections.inc({ reason });
      ack?.({ ok: false, error: { code, message } });
    };
    const event = packet[0];
    if (event !== 'slots:watch' && event !== 'slots:unwatch' && event !== 'days:watch' && event !== 'days:unwatch')
      return refuse('INVALID_INPUT', 'Unknown event', 'unknown_event');
    if (args.length !== 1) return refuse('INVALID_INPUT', 'Expected one payload object and an ack', 'malformed');
    let size: number;
    try {
      size = JSON.stringify(args[0])?.length ?? 0;
    } catch {
      return refuse('INVALID_INPUT', 'The payload is not JSON', 'malformed');
    }
    if (size > limits.maxPayloadBytes)
      return refuse('PAYLOAD_TOO_LARGE', `Payloads are limited to ${limits.maxPayloadBytes} bytes`, 'too_large');
    if (!takeToken(socket.data, performance.now(), limits.watchBurst, limits.watchPerMinute))
      return refuse('RATE_LIMITED', 'Too many watch requests; slow down', 'rate');
    process.nextTick(deliver, route, socket, event, args[0], ack);
  };
}

function deliver(route: MessageRoute, socket: AppSocket, event: ClientEvent, payload: unknown, ack: AckFn<never> | undefined): void {
  if (socket.connected) route(socket, event, payload, ack);
}
