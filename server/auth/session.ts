import connectPgSimple from 'connect-pg-simple';
import type { RequestHandler } from 'express';
import session from 'express-session';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Role } from '../contract/auth.ts';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../log.ts';

/** Who is logged in, as kept in the session (and shown by GET /api/auth/me). */
export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** The stylists.id of a stylist account. */
  stylistId?: string;
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
  }
}

export const SESSION_COOKIE = 'kb.sid';

// Without a configured secret, one per process: every middleware built in this process (HTTP and
// the socket server) must sign and check cookies with the same key. Sessions end on restart.
const PROCESS_SECRET = randomBytes(32).toString('hex');

export type SessionMiddleware = RequestHandler & {
  /** Stops the store's pruning timer. */
  close(): Promise<void>;
  /**
   * Calls `listener(sid)` whenever this middleware's store destroys a session: a logout, or the
   * session a new login replaces (express-session's regenerate destroys the old one). The realtime
   * side uses it to disconnect that session's sockets. Returns the unsubscribe function.
   */
  onSessionEnded(listener: (sid: string) => void): () => void;
};

/**
 * Cookie sessions kept in Postgres (table `session`, sql/000003). The cookie is httpOnly,
 * SameSite=Lax and Secure behind HTTPS; nothing is stored for anonymous visitors, and a login lasts
 * `sessionMaxAgeMs` from the moment it happens (no write per request to extend it).
 * Works as Express middleware and, unchanged, as `io.engine.use(...)` for Socket.IO.
 */
export function createSessionMiddleware(deps: { config: Config; pool: Pool; log?: Logger }): SessionMiddleware {
  const { config, pool, log } = deps;
  const PgStore = connectPgSimple(session);
  const ended = new Set<(sid: string) => void>();
  // Sockets keep the identity of their handshake, so ending a session must reach them too.
  class EndingStore extends PgStore {
    destroy(sid: string, callback?: (err?: unknown) => void): void {
      super.destroy(sid, (err?: unknown) => {
        // Even if the delete failed: dropping the sockets of a session being ended is the safe side.
        for (const listener of ended) {
          try {
            listener(sid);
          } catch (e) {
            log?.error({ err: e }, 'session-ended listener failed');
          }
        }
        callback?.(err);
      });
    }
  }
  const store = new EndingStore({
    pool,
    tableName: 'session',
    createTableIfMissing: false,
    disableTouch: true,
    pruneSessionInterval: 15 * 60,
    errorLog: (...args: unknown[]) => log?.warn({ err: args.find((a) => a instanceof Error) }, String(args[0])),
  });
  const middleware = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret ?? PROCESS_SECRET,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: config.trustProxy,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: config.sessionMaxAgeMs,
      path: '/',
    },
  }) as SessionMiddleware;
  middleware.close = async () => {
    await store.close();
  };
  middleware.onSessionEnded = (listener) => {
    ended.add(listener);
    return () => void ended.delete(listener);
  };
  return middleware;
}
