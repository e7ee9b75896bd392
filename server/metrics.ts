// Prometheus metrics (docs/operations.md says what each means and which alerts to set). Each app has
// its own Registry, not prom-client's global one, so several apps in one process (tests, the
// two-process fault test) do not clash.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The slot cache as the metrics read it at scrape time (the cache counts; the metrics only report). */
export interface SlotCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  invalidations: number;
  entries: number;
  bytes: number;
  /** True while the relay has seen every event. */
  trusted: boolean;
}

export interface MetricSources {
  /** Sockets connected to this process. */
  sockets(): number;
  /** Distinct (stylist, service, date) keys watched on this process. */
  watchedKeys(): number;
  /** Individual watches (a socket watching a key). */
  watches(): number;
}

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  relayEvents: Counter<'kind'>;
  relayLag: Histogram;
  relayBatchDuration: Histogram;
  relayFailures: Counter;
  slotUpdates: Counter<'reason'>;
  roomMessages: Counter<'event'>;
  notificationsInvalid: Counter;
  listenerUp: Gauge;
  listenerReconnects: Counter;
  replays: Counter<'outcome'>;
  /** Outbox rows read by replays (only the kinds each socket may receive). */
  replayEventRows: Counter;
  /** Bookings loaded with customer context for replays (only those the socket may receive). */
  replayBookings: Counter;
  socketRejections: Counter<'reason'>;
  holdsExpired: Counter;
  eventsPruned: Counter;
  /** Set once the socket layer exists; until then the gauges read 0. */
  sources: MetricSources;
}

const seconds = <L extends string = string>(name: string, help: string, buckets: number[], registry: Registry, labelNames: L[] = []) =>
  new Histogram<L>({ name, help, buckets, labelNames, registers: [registry] });

/** The process's metrics; `slotCache` is read at each scrape (wired by server/app.ts). */
export function createMetrics(opts: { slotCache: () => SlotCacheStats; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'kb_' });
  const stats = opts.slotCache;
  // Counters mirrored from the cache's own stats at scrape time (the cache counts; we only report).
  const mirrored = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  mirrored('kb_slot_cache_hits_total', 'Slot lookups answered from the cache.', () => stats().hits);
  mirrored(
    'kb_slot_cache_misses_total',
    'Slot lookups that computed the day (cache cold, invalidated, expired, or a relay refresh).',
    () => stats().misses,
  );
  mirrored('kb_slot_cache_evictions_total', 'Entries evicted by the byte bound.', () => stats().evictions);
  mirrored('kb_slot_cache_invalidations_total', 'Entries dropped because an event changed their day.', () => stats().invalidations);
  new Gauge({
    name: 'kb_slot_cache_entries',
    help: 'Entries in the slot cache.',
    registers: [registry],
    collect() {
      this.set(stats().entries);
    },
  });
  new Gauge({
    name: 'kb_slot_cache_bytes',
    help: 'Approximate bytes held by the slot cache.',
    registers: [registry],
    collect() {
      this.set(stats().bytes);
    },
  });
  new Gauge({
    name: 'kb_slot_cache_trusted',
    help: '1 while the cache is trusted (the relay has seen every event), else 0.',
    registers: [registry],
    collect() {
      this.set(stats().trusted ? 1 : 0);
    },
  });

  const metrics: Metrics = {
    registry,
    httpDuration: seconds(
      'kb_http_request_duration_seconds',
      'HTTP latency by route (the matched Express route, not the raw URL).',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registry,
      ['method', 'route', 'status'],
    ),
    relayEvents: new Counter({
      name: 'kb_relay_events_total',
      help: 'Outbox events relayed by this process, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    relayLag: seconds(
      'kb_relay_lag_seconds',
      "From an event's commit to its push to sockets by this process.",
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registry,
    ),
    relayBatchDuration: seconds(
      'kb_relay_batch_duration_seconds',
      'Time to process one batch of events (invalidate, recompute watched keys, build payloads, emit).',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registry,
    ),
    relayFailures: new Counter({
      name: 'kb_relay_failures_total',
      help: 'Batches that failed (database error); the relay retries and distrusts the cache meanwhile.',
      registers: [registry],
    }),
    slotUpdates: new Counter({
      name: 'kb_slot_updates_total',
      help: 'slots:update messages emitted (one per watched key and zone, whatever the number of watchers).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    roomMessages: new Counter({
      name: 'kb_room_messages_total',
      help: 'booking, override and announcement messages emitted to rooms.',
      labelNames: ['event'],
      registers: [registry],
    }),
    notificationsInvalid: new Counter({
      name: 'kb_relay_notifications_invalid_total',
      help: 'Notifications on kb_events that failed validation (logged and skipped).',
      registers: [registry],
    }),
    listenerUp: new Gauge({
      name: 'kb_listener_up',
      help: '1 while the notification listener is connected and caught up, else 0.',
      registers: [registry],
    }),
    listenerReconnects: new Counter({
      name: 'kb_listener_reconnects_total',
      help: 'Times the listener reconnected after losing its connection.',
      registers: [registry],
    }),
    replays: new Counter({
      name: 'kb_socket_replays_total',
      help: 'Reconnections with lastEventId, by outcome (replayed, or the resync reason).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    replayEventRows: new Counter({
      name: 'kb_socket_replay_event_rows_total',
      help: 'Outbox rows read by replays (only the kinds each socket may receive).',
      registers: [registry],
    }),
    replayBookings: new Counter({
      name: 'kb_socket_replay_bookings_total',
      help: 'Bookings loaded for replays (with customer context for staff, in their own view for a customer).',
      registers: [registry],
    }),
    socketRejections: new Counter({
      name: 'kb_socket_rejections_total',
      help: 'Socket connections and messages refused, and sockets disconnected because their session ended or expired, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    holdsExpired: new Counter({
      name: 'kb_holds_expired_total',
      help: "Expired holds deleted by this process's sweeper.",
      registers: [registry],
    }),
    eventsPruned: new Counter({
      name: 'kb_events_pruned_total',
      help: "Outbox rows deleted by this process's pruner.",
      registers: [registry],
    }),
    sources: { sockets: () => 0, watchedKeys: () => 0, watches: () => 0 },
  };
  new Gauge({
    name: 'kb_sockets_connected',
    help: 'Socket.IO connections on this process.',
    registers: [registry],
    collect() {
      this.set(metrics.sources.sockets());
    },
  });
  new Gauge({
    name: 'kb_watched_keys',
    help: 'Distinct (stylist, service, date) keys watched on this process.',
    registers: [registry],
    collect() {
      this.set(metrics.sources.watchedKeys());
    },
  });
  new Gauge({
    name: 'kb_watches',
    help: 'Watches on this process (sockets × keys).',
    registers: [registry],
    collect() {
      this.set(metrics.sources.watches());
    },
  });
  return metrics;
}
