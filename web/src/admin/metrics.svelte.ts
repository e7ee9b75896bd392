// Live operations: polls GET /api/admin/metrics (this process's /metrics text, behind the admin's session)
// and keeps short series for the charts. Rates and ratios are taken between polls (counters only
// grow; a restart that resets them is detected and skipped).
import { plainMessage, type Api } from '../lib/api.ts';
import { parsePrometheus, total, type Sample } from './prometheus.ts';

export interface Point {
  t: number;
  v: number;
}

export interface Series {
  key: 'clients' | 'hitRatio' | 'relayLag' | 'bookingsPerHour';
  label: string;
  unit: string;
  points: Point[];
  /** Latest value, null when the server does not export it. */
  latest: number | null;
}

// Names as the live pipeline exports them (docs/operations.md); the first present wins.
export const METRIC_NAMES = {
  clients: ['kb_socket_connections', 'kb_sockets_connected', 'kb_connected_sockets', 'socket_io_connected'],
  cacheHits: ['kb_slot_cache_hits_total', 'kb_cache_hits_total'],
  cacheMisses: ['kb_slot_cache_misses_total', 'kb_cache_misses_total'],
  relayLagSum: ['kb_relay_lag_seconds_sum', 'kb_relay_lag_ms_sum'],
  relayLagCount: ['kb_relay_lag_seconds_count', 'kb_relay_lag_ms_count'],
  bookings: ['kb_bookings_created_total', 'kb_bookings_total'],
  eventsRelayed: ['kb_events_relayed_total', 'kb_relay_events_total'],
};

const KEEP = 150;
/** History kept for the bookings count: one hour. */
const HOUR_MS = 60 * 60_000;

interface Raw {
  t: number;
  clients: number | null;
  hits: number | null;
  misses: number | null;
  lagSum: number | null;
  lagCount: number | null;
  lagUnitMs: boolean;
  bookings: number | null;
}

export function readRaw(samples: Sample[], t: number): Raw {
  const lagSumName = METRIC_NAMES.relayLagSum.find((n) => samples.some((s) => s.name === n));
  let bookings = total(samples, METRIC_NAMES.bookings);
  if (bookings === null) bookings = total(samples, METRIC_NAMES.eventsRelayed, { kind: 'booking.created' });
  return {
    t,
    clients: total(samples, METRIC_NAMES.clients),
    hits: total(samples, METRIC_NAMES.cacheHits),
    misses: total(samples, METRIC_NAMES.cacheMisses),
    lagSum: total(samples, METRIC_NAMES.relayLagSum),
    lagCount: total(samples, METRIC_NAMES.relayLagCount),
    lagUnitMs: !!lagSumName?.includes('_ms_'),
    bookings,
  };
}

export class OpsMetrics {
  clients = $state.raw<Point[]>([]);
  hitRatio = $state.raw<Point[]>([]);
  relayLag = $state.raw<Point[]>([]);
  bookingsPerHour = $state.raw<Point[]>([]);
  error = $state('');
  lastAt = $state<number | null>(null);
  /** Metric families the server did not export (shown as "not reported"). */
  missing = $state.raw<string[]>([]);
  #api: Api;
  #now: () => number;
  #history: Raw[] = [];

  constructor(api: Api, now: () => number = Date.now) {
    this.#api = api;
    this.#now = now;
  }

  series = $derived<Series[]>([
    { key: 'clients', label: 'Connected clients', unit: '', points: this.clients, latest: this.clients.at(-1)?.v ?? null },
    { key: 'hitRatio', label: 'Cache hit ratio', unit: '%', points: this.hitRatio, latest: this.hitRatio.at(-1)?.v ?? null },
    { key: 'relayLag', label: 'Relay lag (commit → push)', unit: 'ms', points: this.relayLag, latest: this.relayLag.at(-1)?.v ?? null },
    {
      key: 'bookingsPerHour',
      label: 'Bookings in the last hour',
      unit: '',
      points: this.bookingsPerHour,
      latest: this.bookingsPerHour.at(-1)?.v ?? null,
    },
  ]);

  /** Polls every `intervalMs`; returns the stop function. */
  start(intervalMs = 2000): () => void {
    void this.poll();
    const t = setInterval(() => void this.poll(), intervalMs);
    return () => clearInterval(t);
  }

  async poll(): Promise<void> {
    try {
      this.ingest(await this.#api.text('/api/admin/metrics'), this.#now());
      this.error = '';
    } catch (err) {
      this.error = plainMessage(err);
    }
  }

  ingest(text: string, t: number): void {
    const raw = readRaw(parsePrometheus(text), t);
    const prev = this.#history.at(-1);
    // A counter that went down means the server restarted: start the series again.
    if (prev && ((raw.hits ?? 0) < (prev.hits ?? 0) || (raw.bookings ?? 0) < (prev.bookings ?? 0))) this.#history = [];
    this.#history.push(raw);
    this.#history = this.#history.filter((r) => r.t >= t - HOUR_MS);
    this.missing = [
      raw.clients === null ? 'connected clients' : '',
      raw.hits === null ? 'cache hits' : '',
      raw.lagCount === null ? 'relay lag' : '',
      raw.bookings === null ? 'bookings' : '',
    ].filter(Boolean);
    this.lastAt = t;

    if (raw.clients !== null) this.clients = push(this.clients, { t, v: raw.clients });
    if (raw.hits !== null && raw.misses !== null) {
      const p = prev && prev.hits !== null && prev.misses !== null ? prev : null;
      const dh = p ? raw.hits - p.hits! : raw.hits;
      const dm = p ? raw.misses - p.misses! : raw.misses;
      // No reads since the last poll: carry the all-time ratio rather than a gap.
      const ratio = dh + dm > 0 ? dh / (dh + dm) : raw.hits + raw.misses > 0 ? raw.hits / (raw.hits + raw.misses) : null;
      if (ratio !== null) this.hitRatio = push(this.hitRatio, { t, v: round(ratio * 100, 1) });
    }
    if (raw.lagSum !== null && raw.lagCount !== null) {
      const p = prev && prev.lagSum !== null && prev.lagCount !== null ? prev : null;
      const dn = p ? raw.lagCount - p.lagCount! : raw.lagCount;
      const ds = p ? raw.lagSum - p.lagSum! : raw.lagSum;
      const scale = raw.lagUnitMs ? 1 : 1000;
      if (dn > 0) this.relayLag = push(this.relayLag, { t, v: round((ds / dn) * scale, 2) });
      else if (this.relayLag.length) this.relayLag = push(this.relayLag, { t, v: this.relayLag.at(-1)!.v });
    }
    if (raw.bookings !== null) {
      // Bookings made in the last hour (since the panel opened, when that is less): counted, not extrapolated.
      const first = this.#history.find((r) => r.bookings !== null)!;
      this.bookingsPerHour = push(this.bookingsPerHour, { t, v: raw.bookings - first.bookings! });
    }
  }
}

function push(points: Point[], p: Point): Point[] {
  const next = [...points, p];
  return next.length > KEEP ? next.slice(next.length - KEEP) : next;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
