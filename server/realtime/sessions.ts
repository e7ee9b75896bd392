// The login sessions of this process's sockets. A socket keeps the identity its handshake read from
// the session cookie, so a session that ends must end its sockets: otherwise a stylist who logs out
// on a shared front-desk PC keeps receiving booking events (with customer notes) in the open tab.
//
// Every logged-in socket joins its session's room (rooms.ts, sessionRoom), and the session's
// sockets are disconnected (server-side: socket.io clients do not reconnect by themselves; the web
// app reconnects, anonymously once the cookie is gone):
// - at logout, or when a new login replaces the session, handled by this process (`end`, called
//   from the session store's destroy);
// - at the session's expiry (a timer per session, from the cookie's expiry read at the handshake);
// - when the session is gone from the `session` table at the next periodic check (`check`): a
//   logout handled by another process, a session deleted by hand, or an expiry moved earlier.
//   Processes share no socket adapter (Postgres is the bus), so this is how a logout reaches the
//   sockets another process holds; with sticky sessions they are on the same process anyway.
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import type { Metrics } from '../metrics.ts';
import type { IoServer } from './types.ts';
import { sessionRoom } from './rooms.ts';

/** setTimeout's longest delay; a later expiry is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Sessions checked per query. */
const CHECK_BATCH = 1000;
/** How long an ended session is remembered against handshakes that read it just before (a round trip, with ample margin). */
const RECENTLY_ENDED_MS = 60_000;

export type SessionEndReason = 'session_ended' | 'session_expired';

/** What the registry needs of a server-side socket. */
export interface SessionSocket {
  join(room: string): unknown;
  disconnect(close?: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

interface Tracked {
  sid: string;
  room: string;
  /** Epoch ms; null: no expiry known (a session without a cookie expiry). */
  expiresAt: number | null;
  sockets: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface SessionSocketsOptions {
  pool: Pool;
  log: Logger;
  metrics: Metrics;
  /** Interval of the check against the session table. */
  checkIntervalMs: number;
  /** Wall clock of session expiry: the session store's (express-session and connect-pg-simple read Date.now). */
  now?: () => number;
}

export class SessionSockets {
  readonly #o: SessionSocketsOptions;
  readonly #now: () => number;
  #io: IoServer | null = null;
  /** By room. */
  readonly #sessions = new Map<string, Tracked>();
  /**
   * Rooms of sessions ended here recently → when. A handshake reads the session a round trip before
   * its socket connects; a logout in between must not leave that socket logged in.
   */
  readonly #recentlyEnded = new Map<string, number>();
  #interval: ReturnType<typeof setInterval> | undefined;
  #checking: Promise<void> | null = null;

  constructor(o: SessionSocketsOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  setServer(io: IoServer): void {
    this.#io = io;
  }

  /** Why a handshake's session may not be used (the socket is then anonymous), or null if it may. */
  refusal(sid: string, expiresAt: number | null): SessionEndReason | null {
    if (expiresAt !== null && expiresAt <= this.#now()) return 'session_expired';
    if (this.#recentlyEnded.has(sessionRoom(sid))) return 'session_ended';
    return null;
  }

  /**
   * Registers a logged-in socket (whose session `refusal` accepts): it joins its session's room and
   * is disconnected when the session ends.
   */
  track(socket: SessionSocket, sid: string, expiresAt: number | null): void {
    const room = sessionRoom(sid);
    let t = this.#sessions.get(room);
    if (!t) {
      t = { sid, room, expiresAt, sockets: 0, timer: undefined };
      this.#sessions.set(room, t);
      this.#schedule(t);
    } else if (expiresAt !== null && (t.expiresAt === null || expiresAt < t.expiresAt)) {
      t.expiresAt = expiresAt;
      this.#schedule(t);
    }
    t.sockets += 1;
    socket.join(room);
    const tracked = t;
    socket.once('disconnect', () => {
      // Absent (or replaced) once the session has been ended: nothing left to count.
      if (this.#sessions.get(room) !== tracked) return;
      tracked.sockets -= 1;
      if (tracked.sockets === 0) {
        clearTimeout(tracked.timer);
        this.#sessions.delete(room);
      }
    });
  }

  /** Ends the sockets of session `sid` on this process (the session was destroyed here). */
  end(sid: string): void {
    const room = sessionRoom(sid);
    const now = this.#now();
    this.#recentlyEnded.delete(room);
    this.#recentlyEnded.set(room, now);
    this.#forgetEndedBefore(now - RECENTLY_ENDED_MS);
    this.#end(room, 'session_ended');
  }

  /** Logged-in sessions with sockets on this process. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Starts the periodic check against the session table. */
  start(): void {
    this.#interval ??= setInterval(() => void this.check(), this.#o.checkIntervalMs);
    this.#interval.unref();
  }

  /**
   * Disconnects the sockets of sessions that are no longer in the session table (or have expired
   * there). A database error keeps everyone connected until the next check.
   */
  check(): Promise<void> {
    return (this.#checking ??= this.#check().finally(() => {
      this.#checking = null;
    }));
  }

  async #check(): Promise<void> {
    const entries = [...this.#sessions.values()];
    if (entries.length === 0) return;
    const live = new Set<string>();
    try {
      for (let i = 0; i < entries.length; i += CHECK_BATCH) {
        const sids = entries.slice(i, i + CHECK_BATCH).map((t) => t.sid);
        // The store's own test of a live session (connect-pg-simple's get).
        const { rows } = await this.#o.pool.query<{ sid: string }>(
          'select sid from session where sid = any($1::varchar[]) and expire >= to_timestamp($2)',
          [sids, Math.ceil(this.#now() / 1000)],
        );
        for (const r of rows) live.add(r.sid);
      }
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'session check failed; retrying at the next interval');
      return;
    }
    for (const t of entries) {
      // Skip what ended or was replaced while the query ran.
      if (this.#sessions.get(t.room) === t && !live.has(t.sid)) this.#end(t.room, 'session_ended');
    }
  }

  close(): void {
    clearInterval(this.#interval);
    this.#interval = undefined;
    for (const t of this.#sessions.values()) clearTimeout(t.timer);
    this.#sessions.clear();
    this.#recentlyEnded.clear();
  }

  #end(room: string, reason: SessionEndReason): void {
    const t = this.#sessions.get(room);
    if (!t) return;
    clearTimeout(t.timer);
    this.#sessions.delete(room);
    this.#o.metrics.socketRejections.inc({ reason }, t.sockets);
    // Local sockets only: the processes share no Socket.IO adapter (see the file header).
    this.#io?.in(room).disconnectSockets(true);
  }

  #schedule(t: Tracked): void {
    clearTimeout(t.timer);
    t.timer = undefined;
    if (t.expiresAt === null) return;
    const expiresAt = t.expiresAt;
    t.timer = setTimeout(
      () => {
        if (this.#sessions.get(t.room) !== t) return;
        if (this.#now() >= expiresAt) this.#end(t.room, 'session_expired');
        else this.#schedule(t);
      },
      Math.min(Math.max(expiresAt - this.#now(), 0), MAX_TIMER_MS),
    );
    t.timer.unref();
  }

  #forgetEndedBefore(cutoff: number): void {
    // Insertion order is time order.
    for (const [room, at] of this.#recentlyEnded) {
      if (at >= cutoff) break;
      this.#recentlyEnded.delete(room);
    }
  }
}
