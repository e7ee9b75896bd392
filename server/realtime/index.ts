// The live side of one process: relay (LISTEN → events table → cache and rooms), Socket.IO server,
// sessions of logged-in sockets, hold sweeper and event pruner. createApp builds it; attach()
// starts it on the HTTP server.
import type http from 'node:http';
import type { Logger } from 'pino';
import type { SessionMiddleware } from '../auth/session.ts';
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import type { Metrics } from '../metrics.ts';
import type { SlotService } from '../slots/service.ts';
import type { AnySlots } from '../slots/any.ts';
import type { AvailableDays } from '../slots/days.ts';
import { DayWatches } from './day-watches.ts';
import { NOTIFY_CHANNEL, type RelayEvent } from './events.ts';
import { Fanout } from './fanout.ts';
import { Maintenance } from './maintenance.ts';
import { Relay } from './relay.ts';
import { SessionSockets } from './sessions.ts';
import { createSocketServer } from './sockets.ts';
import type { IoServer } from './types.ts';
import { WatchRegistry } from './watches.ts';

export interface RealtimeDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  slots: SlotService;
  /** The `any`-stylist union and the month summary (slots:watch `any`, days:watch). */
  anySlots?: AnySlots;
  days?: AvailableDays;
  metrics: Metrics;
  /** The HTTP API's session middleware: sockets read the same cookie, and end when its sessions end. */
  sessionMiddleware?: SessionMiddleware;
  /** Told of every batch of committed events the relay has applied (the waitlist's offer passes). */
  onEvents?: (events: RelayEvent[]) => void;
}

export interface Realtime {
  relay: Relay;
  /** application_name of the LISTEN connection (find it in pg_stat_activity). */
  listenerName: string;
  maintenance: Maintenance;
  watches: WatchRegistry;
  /** Logged-in sockets by session (ended at logout, at expiry, or by the periodic session check). */
  sessions: SessionSockets;
  /** The Socket.IO server, once attached. */
  readonly io: IoServer | null;
  /** The queue pushes and room messages go through (large rooms in chunks), once attached. */
  readonly fanout: Fanout | null;
  /** Starts the relay and the socket server; resolves once caught up (or after a few seconds). */
  attach(server: http.Server): Promise<void>;
  close(): Promise<void>;
}

let instances = 0;

export function createRealtime(deps: RealtimeDeps): Realtime {
  const { config, pool, log, slots, metrics } = deps;
  const rt = config.realtime;
  const watches = new WatchRegistry();
  const anySlots = deps.anySlots;
  const dayWatches = anySlots && deps.days ? new DayWatches({ log, days: deps.days, any: anySlots, now: () => slots.now() }) : undefined;
  const listenerName = `kb-listener:${process.pid}:${++instances}`;
  const maintenance = new Maintenance({
    pool,
    log,
    metrics,
    sweepIntervalMs: rt.holdSweepMs,
    retentionMs: config.eventRetentionDays * 86_400_000,
    pruneIntervalMs: rt.pruneIntervalMs,
  });
  const relay = new Relay({
    pool,
    log,
    slots,
    metrics,
    watches,
    anyDay: anySlots ? (key) => anySlots.day(key) : undefined,
    dayWatches,
    listener: {
      channel: NOTIFY_CHANNEL,
      checkIntervalMs: rt.listenerCheckMs,
      retryMaxMs: rt.listenerRetryMaxMs,
      client: {
        ...pool.options,
        // A query on a silently dropped connection fails instead of hanging (pg-listen's liveness
        // check has no timeout of its own); keepalive probes notice a dead peer in the meantime.
        query_timeout: rt.listenerQueryTimeoutMs,
        connectionTimeoutMillis: rt.listenerQueryTimeoutMs,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        application_name: listenerName,
      },
    },
    onHoldCreated: (ms) => maintenance.noteExpiry(ms),
    onEvents: deps.onEvents,
  });
  const sessions = new SessionSockets({ pool, log, metrics, checkIntervalMs: rt.sessionCheckMs });
  // A logout (or a login replacing a session) in this process ends that session's sockets here at
  // once; sockets on other processes end at their next session check.
  const unsubscribe = deps.sessionMiddleware?.onSessionEnded((sid) => sessions.end(sid));
  metrics.sources.watchedKeys = () => watches.size;
  metrics.sources.watches = () => {
    let n = 0;
    for (const w of watches.affected(null, null)) for (const c of w.zones.values()) n += c;
    return n;
  };
  let io: IoServer | null = null;
  let fanout: Fanout | null = null;
  let attached = false;

  return {
    relay,
    listenerName,
    maintenance,
    watches,
    sessions,
    get io() {
      return io;
    },
    get fanout() {
      return fanout;
    },
    async attach(server) {
      if (attached) throw new Error('realtime already attached');
      attached = true;
      io = createSocketServer({
        server,
        log,
        slots,
        any: anySlots,
        dayWatches,
        relay,
        watches,
        metrics,
        allowedOrigins: config.allowedOrigins,
        trustProxy: config.trustProxy,
        limits: rt.socket,
        sessionMiddleware: deps.sessionMiddleware,
        sessions,
      });
      fanout = new Fanout(io, { chunkSize: rt.socket.fanoutChunk });
      relay.setFanout(fanout);
      sessions.setServer(io);
      sessions.start();
      maintenance.start();
      await relay.start(rt.startWaitMs);
    },
    async close() {
      unsubscribe?.();
      sessions.close();
      await Promise.all([relay.close(), maintenance.close()]);
      fanout?.close();
      if (io) {
        io.disconnectSockets(true);
        // io.close() would also close the HTTP server, which belongs to the caller.
        io.engine.close();
      }
    },
  };
}
