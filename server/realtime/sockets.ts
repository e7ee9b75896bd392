// Socket.IO per docs/api.md ("Socket.IO"): same origin, the session cookie authenticates (anonymous may watch slots),
// rooms are assigned by the server only, every payload is validated, and each connection is
// limited in message size, watched keys and watch rate. Per process: connections per client IP
// and distinct watched keys are capped, and a logged-in socket ends with its session (sessions.ts).
// This file builds the server and wires each connection; the parts live in handshake.ts (origin,
// session user, auth), limits.ts (connections per IP, the per-socket message limiter),
// watch-handlers.ts (slots:watch/unwatch) and replay-on-connect.ts.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type http from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../contract/socket.ts';
import type { Metrics } from '../metrics.ts';
import { allowedOriginSet } from '../origin.ts';
import type { SlotService } from '../slots/service.ts';
import type { AnySlots } from '../slots/any.ts';
import type { DayWatches } from './day-watches.ts';
import { handshakeMiddleware, originAllowed } from './handshake.ts';
import { ConnectionsPerIp, messageLimiter, type MessageRoute } from './limits.ts';
import type { Relay } from './relay.ts';
import { createReplayOnConnect } from './replay-on-connect.ts';
import { roomsFor } from './rooms.ts';
import type { SessionSockets } from './sessions.ts';
import type { AppSocket, IoServer, SocketData, SocketLimits } from './types.ts';
import { createWatchHandlers, type WatchHandlers } from './watch-handlers.ts';
import type { WatchRegistry } from './watches.ts';

export interface SocketServerOptions {
  server: http.Server;
  log: Logger;
  slots: SlotService;
  any?: AnySlots;
  /** days:watch and days:unwatch (the live month calendar). */
  dayWatches?: DayWatches;
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

/** What each connection is wired to; built once per server. */
interface ConnectionParts {
  o: SocketServerOptions;
  replay: (socket: AppSocket, rooms: string[], lastEventId: number) => void;
  /**
   * Where every socket's admitted messages go (its message limiter delivers them), and its
   * disconnect listener: built once and shared (Socket.IO calls a listener with the socket as
   * `this`), so a connection costs no closures nor listeners of its own for them.
   */
  route: MessageRoute;
  disconnect: (this: AppSocket) => void;
}

function sharedHandlers(handlers: WatchHandlers, days: DayWatches | undefined): Pick<ConnectionParts, 'route' | 'disconnect'> {
  return {
    route: (socket, event, payload, ack) => {
      if (event === 'slots:watch') void handlers.watch(socket, payload, ack);
      else if (event === 'slots:unwatch') handlers.unwatch(socket, payload, ack);
      else if (event === 'days:watch') void days?.watch(socket, payload, ack);
      else days?.unwatch(socket, payload, ack);
    },
    disconnect: function (this: AppSocket) {
      handlers.forget(this);
      days?.forget(this);
    },
  };
}

export function createSocketServer(o: SocketServerOptions): IoServer {
  const { log, metrics, limits } = o;
  const allowedOrigins = allowedOriginSet(o.allowedOrigins);
  const perIp = new ConnectionsPerIp({ max: limits.maxPerIp, trustProxy: o.trustProxy ?? false });
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
  /** WebSocket handshakes (Engine.IO's WebSocketResponse) that went through the session middleware. */
  const upgradeResponses = new WeakMap<IncomingMessage, object>();
  io.engine.on('connection', (conn: { request: IncomingMessage; on(event: 'close', fn: () => void): unknown }) => {
    perIp.connected(conn.request, conn);
    const res = upgradeResponses.get(conn.request);
    if (res) {
      upgradeResponses.delete(conn.request);
      releaseUpgradeResponse(res);
    }
  });
  io.engine.on('connection_error', (e: { req: IncomingMessage }) => perIp.failed(e.req));
  if (o.sessionMiddleware) {
    const mw = o.sessionMiddleware;
    // The session is read once, on the handshake request, not on every polling request; and not
    // for a client already at its connection limit (allowRequest, which runs after the
    // middlewares, refuses it): a flood of handshakes costs no session lookups.
    io.engine.use((req: IncomingMessage & { _query?: Record<string, string> }, res: http.ServerResponse, next: (err?: unknown) => void) => {
      if (req._query?.sid === undefined && !perIp.full(req)) {
        // A WebSocket handshake's response lives as long as the connection (Engine.IO keeps it for a
        // "close" event): what the session middleware hung on it is let go once connected.
        if (!(res instanceof ServerResponse)) upgradeResponses.set(req, res);
        mw(req as never, res as never, next);
      } else next();
    });
  }

  io.use(handshakeMiddleware({ metrics, limits, sessions: o.sessions }));

  const parts: ConnectionParts = {
    o,
    ...sharedHandlers(
      createWatchHandlers({ log, slots: o.slots, any: o.any, relay: o.relay, watches: o.watches, metrics, limits }),
      o.dayWatches,
    ),
    replay: createReplayOnConnect({ log, metrics, relay: o.relay, limits, trustProxy: o.trustProxy ?? false }),
  };
  io.on('connection', (socket) => onConnection(parts, socket));
  metrics.sources.sockets = () => io.engine.clientsCount;
  return io;
}

/** Wires one connection: its session, message limiter, handlers, and rooms (after a replay if it asked for one). */
function onConnection({ o, route, disconnect, replay }: ConnectionParts, socket: AppSocket): void {
  adoptSession(o, socket);
  const rooms = roomsFor(socket.data.user);
  // The limiter admits slots:watch/unwatch and days:watch/unwatch and hands them to their handler:
  // one listener per event on every socket would cost 0.3 KB each (docs/benchmarks.md).
  socket.use(messageLimiter(socket, o.limits, o.metrics, route));
  socket.on('disconnect', disconnect);
  const lastEventId = socket.data.lastEventId;
  if (lastEventId === undefined) void socket.join(rooms);
  else replay(socket, rooms, lastEventId);
  // The handshake request is not needed once connected: Socket.IO's memory-usage guide. Everything
  // above read it synchronously.
  (socket.conn as unknown as { request: IncomingMessage | null }).request = null;
  slimHandshake(socket.handshake);
}

const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

/**
 * What `socket.handshake` keeps for the connection's life: the client's address, when it connected
 * (`issued`), `secure`, `xdomain` and `auth`. Its request headers, query, URL and the date as a
 * string are read during the handshake (origin, session, per-IP key, replay) and by nothing after
 * it (Socket.IO itself never reads them again); dropped, they save about 0.5 KB per socket
 * (docs/benchmarks.md, "Memory per socket, second pass").
 */
export function slimHandshake(handshake: AppSocket['handshake']): void {
  const h = handshake as unknown as Record<string, unknown>;
  h.headers = NOTHING;
  h.query = NOTHING;
  h.url = '';
  h.time = '';
}

/**
 * Lets go of what a WebSocket handshake's response holds once the connection is open: its request,
 * and the session middleware's wrappers of `end` and `writeHead` (closures over the request, the
 * store and the session's state). Engine.IO keeps the response for the connection's life (it relays
 * the TCP socket's "close" to it) and has called `writeHead` already (the session cookie is sent).
 * Assigned, not deleted: deleting turns the object into a dictionary that costs more than it frees.
 */
function releaseUpgradeResponse(res: object): void {
  const r = res as Record<string, unknown>;
  const proto = Object.getPrototypeOf(res) as Record<string, unknown>;
  if (Object.hasOwn(r, 'end')) r.end = proto.end;
  if (Object.hasOwn(r, 'writeHead')) r.writeHead = proto.writeHead;
  r.req = null;
}

/**
 * A logged-in socket's session is checked again before it joins any room (the connection follows
 * the handshake by a tick), then tracked so the socket ends with it; a refused one is anonymous.
 */
function adoptSession(o: SocketServerOptions, socket: AppSocket): void {
  const session = socket.data.session;
  socket.data.session = null;
  if (!session) return;
  const refused = o.sessions.refusal(session.sid, session.expiresAt);
  if (refused) {
    o.metrics.socketRejections.inc({ reason: refused });
    socket.data.user = null;
  } else {
    o.sessions.track(socket, session.sid, session.expiresAt);
  }
}
