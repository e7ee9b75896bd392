// Socket.IO per docs/api.md ("Socket.IO"): same origin, the session cookie authenticates (anonymous may watch slots),
// rooms are assigned by the server only, every payload is validated, and each connection is
// limited in message size, watched keys and watch rate. Per process: connections per client IP
// and distinct watched keys are capped, and a logged-in socket ends with its session (sessions.ts).
// This file builds the server and wires each connection; the parts live in handshake.ts (origin,
// session user, auth), limits.ts (connections per IP, the per-socket message limiter),
// watch-handlers.ts (slots:watch/unwatch) and replay-on-connect.ts.
import type { IncomingMessage } from 'node:http';
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
import { ConnectionsPerIp, messageLimiter } from './limits.ts';
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
  handlers: WatchHandlers;
  replay: (socket: AppSocket, rooms: string[], lastEventId: number) => void;
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
  io.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', fn: () => void): unknown }) =>
    perIp.connected(conn.request, conn),
  );
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

  io.use(handshakeMiddleware({ metrics, limits, sessions: o.sessions }));

  const parts: ConnectionParts = {
    o,
    handlers: createWatchHandlers({ log, slots: o.slots, any: o.any, relay: o.relay, watches: o.watches, metrics, limits }),
    replay: createReplayOnConnect({ log, metrics, relay: o.relay, limits, trustProxy: o.trustProxy ?? false }),
  };
  io.on('connection', (socket) => onConnection(parts, socket));
  metrics.sources.sockets = () => io.engine.clientsCount;
  return io;
}

/** Wires one connection: its session, message limiter, handlers, and rooms (after a replay if it asked for one). */
function onConnection({ o, handlers, replay }: ConnectionParts, socket: AppSocket): void {
  adoptSession(o, socket);
  const rooms = roomsFor(socket.data.user);
  socket.use(messageLimiter(socket, o.limits, o.metrics));
  socket.on('slots:watch', (payload, ack) => handlers.watch(socket, payload, ack));
  socket.on('slots:unwatch', (payload, ack) => handlers.unwatch(socket, payload, ack));
  const days = o.dayWatches;
  if (days) {
    socket.on('days:watch', (payload, ack) => void days.watch(socket, payload, ack));
    socket.on('days:unwatch', (payload, ack) => days.unwatch(socket, payload, ack));
  }
  socket.on('disconnect', () => {
    handlers.forget(socket);
    days?.forget(socket);
  });
  const lastEventId = socket.data.lastEventId;
  if (lastEventId === undefined) void socket.join(rooms);
  else replay(socket, rooms, lastEventId);
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
