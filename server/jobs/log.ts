// graphile-worker's log lines through the process's pino logger (its `warning` is pino's `warn`).
import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../log.ts';

export function workerLogger(log: Logger): WorkerLogger {
  const jobs = log.child({ module: 'jobs' });
  return new WorkerLogger(() => (level, message, meta) => {
    const l = level === 'warning' ? 'warn' : level;
    jobs[l]({ ...meta }, message);
  });
}
