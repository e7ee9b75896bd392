// Closed-loop writers for the bookings benchmark: `writers` loops, each sending its next booking as
// soon as the previous one is answered, until `total` bookings were attempted or `maxMs` passed.
// Latency is per attempt (send to answer); throughput is successes over the cell's wall time.
import { Samples, type Summary } from './stats.ts';

/** What one attempt came to: `ok`, `conflict` (409: someone holds or booked the time), or an error code. */
export type Outcome = 'ok' | 'conflict' | (string & {});

export interface RunOptions {
  writers: number;
  /** Attempts in the cell, over all writers. */
  total: number;
  /** Stop issuing new attempts after this long (the ones in flight finish). */
  maxMs: number;
  /**
   * One attempt by writer `w`: `nth` is that writer's own attempt number, `seq` the cell-wide one
   * (both from 0).
   */
  attempt: (w: number, nth: number, seq: number) => Promise<Outcome>;
  /** Cumulative CPU-time meters (ms) read around the cell, e.g. the server's and Postgres's. */
  cpu?: Record<string, () => number>;
}

export interface RunResult {
  writers: number;
  attempted: number;
  ok: number;
  conflicts: number;
  /** Other outcomes by code, e.g. {"400 NOT_ON_GRID": 3}. */
  errors: Record<string, number>;
  /** The cell hit maxMs before `total` attempts. */
  capped: boolean;
  wallMs: number;
  /** Successful bookings per second. */
  rate: number;
  /** Latency of successful attempts, ms. */
  latency: Summary;
  /** Latency of 409 answers, ms (n = 0 when there were none). */
  conflictLatency: Summary;
  /** Per meter: CPU ms per successful booking and cores used over the cell. */
  cpu: Record<string, { msPerOk: number; cores: number }>;
}

export async function runWriters(o: RunOptions): Promise<RunResult> {
  const ok = new Samples();
  const conflicts = new Samples();
  const errors: Record<string, number> = {};
  const meters = Object.entries(o.cpu ?? {});
  const before = meters.map(([, read]) => read());
  let seq = 0;
  let capped = false;
  const t0 = performance.now();
  const deadline = t0 + o.maxMs;

  const loop = async (w: number) => {
    for (let nth = 0; ; nth++) {
      if (seq >= o.total) return;
      if (performance.now() > deadline) {
        capped = true;
        return;
      }
      const mySeq = seq++;
      const t = performance.now();
      let outcome: Outcome;
      try {
        outcome = await o.attempt(w, nth, mySeq);
      } catch (err) {
        outcome = `exception: ${(err as Error).message.slice(0, 120)}`;
      }
      const ms = performance.now() - t;
      if (outcome === 'ok') ok.add(ms);
      else if (outcome === 'conflict') conflicts.add(ms);
      else errors[outcome] = (errors[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.writers }, (_, w) => loop(w)));
  const wallMs = performance.now() - t0;

  const cpu: RunResult['cpu'] = {};
  meters.forEach(([name, read], i) => {
    const used = read() - before[i];
    cpu[name] = { msPerOk: ok.count ? used / ok.count : NaN, cores: used / wallMs };
  });
  return {
    writers: o.writers,
    attempted: seq,
    ok: ok.count,
    conflicts: conflicts.count,
    errors,
    capped,
    wallMs,
    rate: ok.count / (wallMs / 1000),
    latency: ok.summary(),
    conflictLatency: conflicts.summary(),
    cpu,
  };
}

/** The load generator's own CPU time in ms, as a meter for `cpu`. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
