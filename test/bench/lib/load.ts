// HTTP load with autocannon's programmatic API, run in this (the load generator's) process against a
// server in another process. Latencies are taken from every response at full resolution (autocannon's
// own histogram rounds to whole milliseconds, too coarse for sub-millisecond answers); autocannon's
// coordinated-omission-corrected p99 is reported too for fixed-rate runs.
import autocannon from 'autocannon';
import { Samples, type Summary } from './stats.ts';

export interface LoadOptions {
  /** Full URL (path and query included) for a single-URL run. */
  url: string;
  connections: number;
  /** Seconds of measurement (ignored when `amount` is set). */
  durationS?: number;
  /** Stop after this many responses instead of after a duration. */
  amount?: number;
  /** Requests per second across all connections (a fixed-rate run); default: as fast as possible. */
  overallRate?: number;
  /** A new path (with query) for each request, e.g. random keys; default: the URL's. */
  nextPath?: () => string;
  /** Seconds of warm-up load first (same options, results discarded). Default 0. */
  warmupS?: number;
  /** Cumulative CPU-time meters (ms) read before and after the measurement, e.g. the server's. */
  cpu?: Record<string, () => number>;
}

export interface LoadResult {
  /** 2xx responses per second. */
  rps: number;
  responses: number;
  durationS: number;
  latency: Summary;
  /** autocannon's own p99 (whole ms, corrected for coordinated omission when a rate is set). */
  autocannonP99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Mean bytes per response, headers included (to check two servers send the same bytes). */
  bytesPerResponse: number;
  /** CPU time of this process (the load generator) over wall time: 1 = one core fully busy. */
  generatorCores: number;
  /** Per meter: CPU microseconds per 2xx response, and cores used (CPU time over wall time). */
  cpu: Record<string, { usPerReq: number; cores: number }>;
}

async function cannon(
  o: LoadOptions,
  durationS: number,
  amount: number | undefined,
  onResponse?: (status: number, bytes: number, ms: number) => void,
) {
  const opts: autocannon.Options = {
    url: o.url,
    connections: o.connections,
    pipelining: 1,
    timeout: 10,
    ...(amount !== undefined ? { amount } : { duration: durationS }),
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
  };
  if (o.nextPath) {
    const next = o.nextPath;
    opts.requests = [{ setupRequest: (req) => ({ ...req, path: next() }) }];
  }
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(opts, (err: Error | null, result: autocannon.Result) => (err ? reject(err) : resolve(result)));
    if (onResponse) {
      // autocannon emits (client, statusCode, resBytes, responseTimeMs); its typings omit the client.
      (instance as unknown as { on(e: 'response', l: (client: unknown, status: number, bytes: number, ms: number) => void): void }).on(
        'response',
        (_client, status, bytes, ms) => onResponse(status, bytes, ms),
      );
    }
  });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.warmupS) await cannon(o, o.warmupS, undefined);

  const samples = new Samples();
  let okBytes = 0;
  const meters = Object.entries(o.cpu ?? {});
  const cpuBefore = meters.map(([, read]) => read());
  const genBefore = process.cpuUsage();
  const t0 = performance.now();
  const result = await cannon(o, o.durationS ?? 10, o.amount, (status, bytes, ms) => {
    if (status >= 200 && status < 300) {
      samples.add(ms);
      okBytes += bytes;
    }
  });
  const wallMs = performance.now() - t0;
  const gen = process.cpuUsage(genBefore);
  const cpuAfter = meters.map(([, read]) => read());

  const ok = samples.count;
  const cpu: LoadResult['cpu'] = {};
  meters.forEach(([name], i) => {
    const ms = cpuAfter[i] - cpuBefore[i];
    cpu[name] = { usPerReq: ok ? (ms * 1000) / ok : NaN, cores: ms / wallMs };
  });
  return {
    rps: ok / (wallMs / 1000),
    responses: ok,
    durationS: wallMs / 1000,
    latency: samples.summary(),
    autocannonP99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    bytesPerResponse: ok ? okBytes / ok : NaN,
    generatorCores: (gen.user + gen.system) / 1000 / wallMs,
    cpu,
  };
}
