// Open-loop load at an even rate, for latency at a given throughput.
//
// Why not autocannon's overallRate: autocannon gives each connection a per-second budget and lets
// it send back to back until the budget is spent, then pause until the next one-second tick. At
// 2,000 req/s over 32 connections that is a burst at full speed with 32 requests in flight at the
// top of every second and silence after it, so its "fixed rate" latencies are those of a saturating
// burst. Its coordinated-omission correction also assumes a 1 ms send interval whatever the rate.
//
// Here requests are scheduled at even intervals (released in batches on each ~1 ms timer tick) over
// a pool of keep-alive connections, and each latency is measured from the request's scheduled
// time, so a stalled server or a late generator shows up in the figures (no coordinated omission).
import http from 'node:http';
import { Samples, type Summary } from './stats.ts';

export interface PacedOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  durationS: number;
  /** Keep-alive connections available (more are never opened). */
  connections: number;
  /** Seconds at the same rate first, results discarded. Default 0. */
  warmupS?: number;
  /** Cumulative CPU-time meters (ms), e.g. the server's. */
  cpu?: Record<string, () => number>;
}

export interface PacedResult {
  sent: number;
  ok: number;
  errors: number;
  /** Responses per second over the run. */
  achievedRate: number;
  /** From the scheduled send time to the end of the response. */
  latency: Summary;
  /** From the actual send time (what a closed-loop tool would report), for comparison. */
  service: Summary;
  /** Worst lateness of the generator against the schedule, ms. */
  maxSendLagMs: number;
  cpu: Record<string, { usPerReq: number; cores: number }>;
}

async function pace(o: PacedOptions, agent: http.Agent, durationS: number, record: boolean) {
  const url = new URL(o.url);
  const intervalMs = 1000 / o.rate;
  const total = Math.round(o.rate * durationS);
  const latency = new Samples();
  const service = new Samples();
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let done = 0;
  let maxLag = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const send = (scheduled: number) => {
      const actual = performance.now();
      if (actual - scheduled > maxLag) maxLag = actual - scheduled;
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET' }, (res) => {
        res.resume();
        res.once('end', () => {
          const end = performance.now();
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
            ok++;
            if (record) {
              latency.add(end - scheduled);
              service.add(end - actual);
            }
          } else errors++;
          finish();
        });
      });
      req.once('error', () => {
        errors++;
        finish();
      });
      req.end();
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) send(start + sent++ * intervalMs);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const wallMs = performance.now() - start;
  return { sent, ok, errors, wallMs, latency, service, maxLag };
}

export async function runPaced(o: PacedOptions): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  try {
    if (o.warmupS) await pace(o, agent, o.warmupS, false);
    const meters = Object.entries(o.cpu ?? {});
    const before = meters.map(([, read]) => read());
    const r = await pace(o, agent, o.durationS, true);
    const cpu: PacedResult['cpu'] = {};
    meters.forEach(([name, read], i) => {
      const msUsed = read() - before[i];
      cpu[name] = { usPerReq: r.ok ? (msUsed * 1000) / r.ok : NaN, cores: msUsed / r.wallMs };
    });
    return {
      sent: r.sent,
      ok: r.ok,
      errors: r.errors,
      achievedRate: r.ok / (r.wallMs / 1000),
      latency: r.latency.summary(),
      service: r.service.summary(),
      maxSendLagMs: r.maxLag,
      cpu,
    };
  } finally {
    agent.destroy();
  }
}
