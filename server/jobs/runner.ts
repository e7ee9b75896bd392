// The job runner of one server process: graphile-worker on the process's pool. Every process runs
// one; jobs are taken with SKIP LOCKED, so each runs once however many processes there are, and a
// failed one is retried with graphile-worker's exponential backoff (exp(min(attempts, 10)) s).
import { run, type Runner, type TaskList } from 'graphile-worker';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import { workerLogger } from './log.ts';

export interface JobRunner {
  /** Stops taking jobs and waits for the running ones to finish (graceful shutdown). */
  stop(): Promise<void>;
}

export interface JobRunnerOptions {
  pool: Pool;
  log: Logger;
  tasks: TaskList;
  concurrency: number;
  /** Look for due jobs (scheduled ones, retries) this often; new jobs are noticed at once (LISTEN). */
  pollMs: number;
}

/** Starts the runner; the queue's schema must be installed (server/jobs/schema.ts). */
export async function startJobRunner(o: JobRunnerOptions): Promise<JobRunner> {
  // A checked-out client whose connection drops (the runner keeps one for LISTEN) emits `error`:
  // logged here, the runner reconnects. (The pool's own `error` listener is pool.ts's.)
  if (o.pool.listeners('connect').length === 0) {
    o.pool.on('connect', (client) => {
      client.on('error', (err) => o.log.warn({ err: err.message }, 'postgres client failed'));
    });
  }
  const runner: Runner = await run({
    pgPool: o.pool,
    taskList: o.tasks,
    concurrency: o.concurrency,
    pollInterval: o.pollMs,
    // The process handles SIGINT/SIGTERM itself (server/main.ts) and stops the runner.
    noHandleSignals: true,
    logger: workerLogger(o.log),
  });
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      return (stopped ??= runner.stop().catch((err: Error) => o.log.warn({ err: err.message }, 'job runner stopped with an error')));
    },
  };
}
