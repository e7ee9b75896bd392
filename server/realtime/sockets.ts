// Socket.IO per API.md: same origin, the session cookie authenticates (anonymous may watch slots),
// rooms are assigned by the server only, every payload is validated, and each connection is
// limited in message size, watched keys and watch rate. Per process: connections per client IP
// and distinct watched keys are capped, and a logged-in socket ends with its session (sessions.ts).
import type { IncomingMessage } from 'node:http';
import type http from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import { role } from '../contract/auth.ts';
import { uuid } from '../contract/common.ts';
import {
  handshakeAuth, slotsUnwatchPayload, slotsWatchPayload,
  type AckError, type AckFn, type ClientToServerEvents, type ServerToClientEvents, type SlotsWatchResult,
} from '../contract/socket.ts';
import { AppError, fromPgError } from '../http/errors.ts';
import type { Metrics } from '../http/metrics.ts';
import { allowedOriginSet, originMatches, requestTargetOrigin } from '../http/origin.ts';
import type { SlotService } from '../slots/service.ts';
import type { DayKey } from '../slots/cache.ts';
import { emitRoomMessage, type RoomMessage } from './messages.ts';
import type { IoServer, Relay } from './relay.ts';
import { ConnectionsPerIp, clientKey } from './limits.ts';
import { dayKeyString, roomsFor, watchRoom, type SocketUser } from './rooms.ts';
import type { SessionSockets } from './sessions.ts';
import type { WatchRegistry } from './watches.ts';

/** The socket limits of the configuration (server/config.ts documents each). */
export type SocketLimits = Config['realtime']['socket'];

export interface SocketServerOptions {
  server: http.Server;
  log: Logger;
  slots: SlotService;
  relay: Relay;
  watches: WatchRegistry;
  metrics: Metrics;
  allowedOrigins: string[];
  /** Behind a trusted proxy the handshake's host is X-Forwarded-Host and its client the last X-Forwarded-For hop, as for HTTP. */
  trustProxy?: boolean;
  limits: SocketLimits;
  /** express-session middleware: the same cookie as the HTTP API. Absent: every socket is anonymous. */
  sessionMiddleware?: RequestHandler;
  /** The logged-in sockets by session: ended at logout, expiry, or when the session table says so. */
  sessions: SessionSockets;
}

interface SocketData {
  user: SocketUser | null;
  /** The login session of a logged-in socket, from the handshake until the connection registers it with `sessions`. */
  session: { sid: string; expiresAt: number | null } | null;
  lastEventId: number | undefined;
  /** keyString → display zone ('' = the stylist's); created on the first watch (most sockets of staff never watch). */
  watching: Map<string, string> | null;
  tokens: number;
  tokensAt: number;
}

type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const sessionUser = z.object({ id: uuid, role, stylistId: uuid.optional() });

/** What express-session leaves on the handshake request. */
type HandshakeRequest = IncomingMessage & {
  session?: { user?: unknown; cookie?: { expires?: Date | string | null } };
  sessionID?: string;
  sessionStore?: unknown;
};

export function createSocketServer(o: SocketServerOptions): IoServer {
  const { log, metrics, limits } = o;
  const allowedOrigins = allowedOriginSet(o.allowedOrigins);
  const perIp = new ConnectionsPerIp({ max: limits.maxPerIp, trustProxy: o.trustProxy ?? false });
  const replays = new RateLimiterMemory({ keyPrefix: 'replay', points: limits.replaysPerIpPerMinute, duration: 60 });
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(o.server, {
    path: '/socket.io',
    serveClient: false,
    maxHttpBufferSize: limits.maxBufferBytes,
    // No CORS headers: a page of another origin cannot read polling responses, and the Origin
    // check below refuses its WebSocket upgrades (which CORS does not cover). allowRequest sees
    // handshakes only (the requests of an open connection carry its sid).
    allowRequest: (req, callback) => {
      if (!originAllowed(req, allowedOrigins, o.trustProxy)) {
        metrics.socketRejections.inc({ reason: 'origin' });
        return callback('origin not allowed', false);
      }
      if (!perIp.admit(req)) {
        metrics.socketRejections.inc({ reason: 'ip_limit' });
        return callback('too many connections from this address', false);
      }
      callback(null, true);
    },
  });
  io.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', fn: () => void): unknown }) => perIp.connected(conn.request, conn));
  io.engine.on('connection_error', (e: { req: IncomingMessage }) => perIp.failed(e.req));
  if (o.sessionMiddleware) {
    const mw = o.sessionMiddleware;
    // The session is read once, on the handshake request, not on every polling request; and not
    // for a client already at its connection limit (allowRequest, which runs after the
    // middlewares, refuses it): a flood of handshakes costs no session lookups.
    io.engine.use((req: IncomingMessage & { _query?: Record<string, string> }, res: http.ServerResponse, next: (err?: unknown) => void) => {
      if (req._query?.sid === undefined && !perIp.full(req)) mw(req as never, res as never, next);
      else next();
    });
  }

  io.use((socket, next) => {
    const auth = handshakeAuth.safeParse(socket.handshake.auth ?? {});
    if (!auth.success) {
      metrics.socketRejections.inc({ reason: 'invalid_auth' });
      const err = new Error('INVALID_INPUT') as Error & { data: AckError };
      err.data = { code: 'INVALID_INPUT', message: 'auth must be {lastEventId?: non-negative integer}' };
      return next(err);
    }
    const req = socket.request as HandshakeRequest;
    const user = sessionUser.safeParse(req.session?.user);
    socket.data.user = null;
    socket.data.session = null;
    if (user.success && req.sessionID) {
      const expires = req.session?.cookie?.expires ? new Date(req.session.cookie.expires).getTime() : NaN;
      const expiresAt = Number.isFinite(expires) ? expires : null;
      // A session whose cookie has expired (the store filters on its own `expire` column, to the
      // second) or that was logged out while this handshake was under way: the socket is
      // anonymous, like an HTTP request without a live session.
      const refused = o.sessions.refusal(req.sessionID, expiresAt);
      if (refused) {
        metrics.socketRejections.inc({ reason: refused });
      } else {
        socket.data.user = user.data;
        socket.data.session = { sid: req.sessionID, expiresAt };
      }
    }
    socket.data.lastEventId = auth.data.lastEventId;
    socket.data.watching = null;
    socket.data.tokens = limits.watchBurst;
    socket.data.tokensAt = performance.now();
    // Keep nothing of the handshake's session on the long-lived socket: the user is copied above.
    delete req.session;
    delete req.sessionID;
    delete req.sessionStore;
    next();
  });

  io.on('connection', (socket) => onConnection(o, socket as AppSocket, replays));
  metrics.sources.sockets = () => io.engine.clientsCount;
  return io;
}

/** `replays`: the per-client-IP budget of replays (SOCKET_REPLAYS_PER_IP_PER_MINUTE). */
function onConnection(o: SocketServerOptions, socket: AppSocket, replays: RateLimiterMemory): void {
  const { log, metrics, limits, slots, relay, watches } = o;
  const session = socket.data.session;
  socket.data.session = null;
  if (session) {
    // Checked again before joining any room: the connection follows the handshake by a tick.
    const refused = o.sessions.refusal(session.sid, session.expiresAt);
    if (refused) {
      metrics.socketRejections.inc({ reason: refused });
      socket.data.user = null;
    } else {
      o.sessions.track(socket, session.sid, session.expiresAt);
    }
  }
  const rooms = roomsFor(socket.data.user);

  socket.use((packet, next) => {
    const last = packet[packet.length - 1];
    const ack = typeof last === 'function' ? (last as AckFn<never>) : undefined;
    const args = packet.slice(1, ack ? -1 : undefined);
    const refuse = (code: AckError['code'], message: string, reason: string) => {
      metrics.socketRejections.inc({ reason });
      ack?.({ ok: false, error: { code, message } });
    };
    const event = packet[0];
    if (event !== 'slots:watch' && event !== 'slots:unwatch') return refuse('INVALID_INPUT', 'Unknown event', 'unknown_event');
    if (args.length !== 1) return refuse('INVALID_INPUT', 'Expected one payload object and an ack', 'malformed');
    let size: number;
    try {
      size = JSON.stringify(args[0])?.length ?? 0;
    } catch {
      return refuse('INVALID_INPUT', 'The payload is not JSON', 'malformed');
    }
    if (size > limits.maxPayloadBytes) return refuse('PAYLOAD_TOO_LARGE', `Payloads are limited to ${limits.maxPayloadBytes} bytes`, 'too_large');
    const now = performance.now();
    const d = socket.data;
    d.tokens = Math.min(limits.watchBurst, d.tokens + ((now - d.tokensAt) * limits.watchPerMinute) / 60_000);
    d.tokensAt = now;
    if (d.tokens < 1) return refuse('RATE_LIMITED', 'Too many watch requests; slow down', 'rate');
    d.tokens -= 1;
    next();
  });

  socket.on('slots:watch', async (payload, ack) => {
    const reply: AckFn<SlotsWatchResult> = typeof ack === 'function' ? ack : () => undefined;
    let added: { ks: string; zone: string } | null = null;
    try {
      const p = parse(slotsWatchPayload, payload);
      if (!relay.started) throw new AppError('NOT_READY', 'The live feed is starting; try again shortly');
      const key: DayKey = { stylistId: p.stylistId, serviceId: p.serviceId, date: p.date };
      const ks = dayKeyString(key);
      const zone = p.customerTimezone ?? '';
      const watching = (socket.data.watching ??= new Map());
      const previous = watching.get(ks);
      if (previous === undefined && watching.size >= limits.maxWatches) {
        metrics.socketRejections.inc({ reason: 'watches' });
        throw new AppError('RATE_LIMITED', `At most ${limits.maxWatches} watched keys per connection`);
      }
      // Each distinct key costs a recomputation per change: bound them per process. A key someone
      // here already watches costs nothing more.
      if (previous === undefined && watches.get(ks) === undefined && watches.size >= limits.maxWatchedKeys) {
        metrics.socketRejections.inc({ reason: 'watched_keys' });
        throw new AppError('RATE_LIMITED', 'This server is watching too many days right now; try again shortly');
      }
      // Join before computing: an update computed after this point reaches the socket, and the
      // answer below is computed after it too, so nothing falls between the two.
      if (previous !== zone) {
        if (previous !== undefined) {
          void socket.leave(watchRoom(ks, previous));
          watches.remove(ks, previous);
        }
        void socket.join(watchRoom(ks, zone));
        watches.add(key, zone);
        watching.set(ks, zone);
        added = { ks, zone };
      }
      let a = await slots.answer(key, p.customerTimezone);
      // Never answer older than an update this key's room has already been sent.
      const w = watches.get(ks);
      if (w && a.entry.version < w.lastPushedVersion) a = await slots.answer(key, p.customerTimezone);
      reply({ ok: true, data: { version: a.entry.version, slots: a.slots } });
    } catch (err) {
      if (added && socket.data.watching?.get(added.ks) === added.zone) {
        socket.data.watching.delete(added.ks);
        void socket.leave(watchRoom(added.ks, added.zone));
        watches.remove(added.ks, added.zone);
      }
      reply({ ok: false, error: toAckError(err, log, relay.ready) });
    }
  });

  socket.on('slots:unwatch', (payload, ack) => {
    const reply = typeof ack === 'function' ? ack : () => undefined;
    try {
      const p = parse(slotsUnwatchPayload, payload);
      const ks = dayKeyString(p);
      const zone = socket.data.watching?.get(ks);
      if (zone !== undefined) {
        socket.data.watching!.delete(ks);
        void socket.leave(watchRoom(ks, zone));
        watches.remove(ks, zone);
      }
      reply({ ok: true, data: { watching: socket.data.watching?.size ?? 0 } });
    } catch (err) {
      reply({ ok: false, error: toAckError(err, log, relay.ready) });
    }
  });

  socket.on('disconnect', () => {
    for (const [ks, zone] of socket.data.watching ?? []) watches.remove(ks, zone);
    socket.data.watching = null;
  });

  const lastEventId = socket.data.lastEventId;
  if (lastEventId === undefined) {
    void socket.join(rooms);
    return;
  }
  const roomSet = new Set(rooms);
  // A replay reads the database: limited per client IP. Beyond the limit the client is told to
  // re-fetch (what it does after any failed replay) and nothing is read.
  replays
    .consume(clientKey(socket.request, o.trustProxy ?? false))
    .then(
      () => true,
      (res: unknown) => {
        if (res instanceof Error) throw res;
        return false;
      },
    )
    .then((allowed) => allowed
      ? relay.replay(lastEventId, {
        rooms: roomSet,
        get connected() {
          return socket.connected;
        },
        send: (m) => sendMessage(socket, m),
        join: () => void socket.join(rooms),
      }, limits.replayMaxEvents)
      : 'rate_limited' as const)
    .then((reason) => {
      metrics.replays.inc({ outcome: reason ?? 'replayed' });
      if (reason && socket.connected) {
        void socket.join(rooms);
        socket.emit('resync', { reason });
      }
    })
    .catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'replay failed; asking the client to resync');
      metrics.replays.inc({ outcome: 'error' });
      if (socket.connected) {
        void socket.join(rooms);
        socket.emit('resync', { reason: 'behind' });
      }
    });
}

function sendMessage(socket: AppSocket, m: RoomMessage): void {
  emitRoomMessage(socket, m);
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new AppError('INVALID_INPUT', 'Some fields are missing or invalid: ' + r.error.issues.map((i) => `${i.path.join('.') || '(payload)'} ${i.message}`).join('; '));
  }
  return r.data;
}

function toAckError(err: unknown, log: Logger, ready: boolean): AckError {
  const e = err instanceof AppError ? err : fromPgError(err);
  if (e) return { code: e.code, message: e.message };
  if (!ready) return { code: 'NOT_READY', message: 'The database is unavailable; try again shortly' };
  log.error({ err }, 'socket handler failed');
  return { code: 'INTERNAL', message: 'Something went wrong on our side; please try again' };
}

/**
 * Same origin only: a browser always sends Origin on a WebSocket and on cross-origin requests; it
 * must name the origin the request was sent to, or one of ALLOWED_ORIGINS. No Origin: not a browser
 * page (a script or a same-origin polling GET), which carries no victim's cookie across sites.
 */
/** The HTTP API's origin policy, for the handshake (scheme, host and port; X-Forwarded-Proto/-Host behind a trusted proxy). */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>, trustProxy = false): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return originMatches(origin, requestTargetOrigin(req, trustProxy), allowed);
}
