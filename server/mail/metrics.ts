// The messages' metrics (docs/operations.md, Metrics): what this process delivered and failed to,
// and, read from the database at scrape time, the messages waiting for a retry or given up and the
// jobs in the queue (every process reports the same queue).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../log.ts';

export interface MailMetrics {
  sent: Counter<'transport'>;
  failures: Counter;
  skipped: Counter;
}

export function createMailMetrics(registry: Registry, pool: Pool, log: Logger): MailMetrics {
  const metrics: MailMetrics = {
    sent: new Counter({
      name: 'kb_messages_sent_total',
      help: 'Messages delivered by this process, by transport (smtp, or the local mailbox).',
      labelNames: ['transport'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'kb_messages_send_failures_total',
      help: 'Delivery attempts by this process that failed (each is retried with backoff until the last attempt).',
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'kb_messages_skipped_total',
      help: 'Message jobs that sent nothing: a reminder of a booking cancelled or moved, a flag lifted, a booking gone.',
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'kb_messages',
    help: 'Messages not delivered yet, by status: pending (composed), retrying (an attempt failed), failed (given up).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const { rows } = await pool.query<{ status: string; n: number }>(
          `select s.status, count(m.id)::int as n from unnest(array['pending', 'retrying', 'failed']) as s(status)
             left join messages m on m.status = s.status group by s.status`,
        );
        for (const r of rows) this.set({ status: r.status }, r.n);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot read the messages for /metrics');
      }
    },
  });
  new Gauge({
    name: 'kb_jobs_queued',
    help: 'Jobs in the queue (due now, scheduled such as reminders, or waiting for a retry), by whether they are due.',
    labelNames: ['due'],
    registers: [registry],
    async collect() {
      try {
        const { rows } = await pool.query<{ due: number; later: number }>(
          `select count(*) filter (where run_at <= now())::int as due, count(*) filter (where run_at > now())::int as later
             from graphile_worker.jobs where attempts < max_attempts`,
        );
        this.set({ due: 'true' }, rows[0]?.due ?? 0);
        this.set({ due: 'false' }, rows[0]?.later ?? 0);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot read the job queue for /metrics');
      }
    },
  });
  return metrics;
}
