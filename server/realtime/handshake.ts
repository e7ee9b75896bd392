// The handshake of a socket: the origin policy (checked in allowRequest) and, once Engine.IO has
// admitted it, who the socket is (the session cookie, read by express-session on the handshake
// request) and what it asked for (`auth`), copied onto socket.data.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { role } from '../contract/auth.ts';
import { uuid } from '../contract/common.ts';
import { handshakeAuth, type AckError } from '../contract/socket.ts';
import type { Metrics } from '../metrics.ts';
import { originMatches, requestTargetOrigin } from '../origin.ts';
import type { SessionSockets } from './sessions.ts';
import type { AppSocket, SocketLimits } from './types.ts';

const sessionUser = z.object({ id: uuid, role, stylistId: uuid.optional() });

/** What express-session leaves on the handshake request. */
type HandshakeRequest = IncomingMessage & {
  session?: { user?: unknown; cookie?: { expires?: Date | string | null } };
  sessionID?: string;
  sessionStore?: unknown;
};

/**
 * Same origin only: a browser always sends Origin on a WebSocket and on cross-origin requests; it
 * must name the origin the request was sent to, or one of ALLOWED_ORIGINS. No Origin: not a browser
 * page (a script or a same-origin polling GET), which carries no victim's cookie across sites.
 * This is the HTTP API's origin policy (scheme, host and port; X-Forwarded-Proto/-Host behind a
 * trusted proxy).
 */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>, trustProxy = false): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return originMatches(origin, requestTargetOrigin(req, trustProxy), allowed);
}

export interface HandshakeDeps {
  metrics: Pick<Metrics, 'socketRejections'>;
  limits: Pick<SocketLimits, 'watchBurst'>;
  sessions: Pick<SessionSockets, 'refusal'>;
}

/**
 * The `io.use` middleware: refuses an invalid `auth` (INVALID_INPUT), reads the session user (a
 * session expired or ended meanwhile leaves the socket anonymous), and sets up socket.data.
 */
export function handshakeMiddleware(deps: HandshakeDeps): (socket: AppSocket, next: (err?: Error) => void) => void {
  const { metrics, limits, sessions } = deps;
  return (socket, next) => {
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
      const refused = sessions.refusal(req.sessionID, expiresAt);
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
  };
}
