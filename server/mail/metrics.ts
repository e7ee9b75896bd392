// The messages' metrics (docs/operations.md, Metrics): what this process delivered and failed to,
// and, read from the database at scrape time, the messages waiting for a retry or given up and the
// jobs in the queue (every process reports the same queue).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../log.ts';

/** Longest a scrape waits for the database's counts. */
const SCRAPE_WAIT_MS = 500;

const QUEUE_SQL = `
  select count(*) filter (where status = 'pending')::int as pending,
         count(*) filter (where status = 'retrying')::int as retrying,
         count(*) filter (where status = 'failed')::int as failed,
         (select count(*) filter (where run_at <= now()) from graphile_worker.jobs where attempts < max_attempts)::int as due,
         (select count(*) filter (where run_at > now()) from graphile_worker.jobs where attempts < max_attempts)::int as later
    from messages where status in ('pending', 'retrying', 'failed')`;

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
  // Read from the database at scrape time, one query at a time and waited for briefly: a scrape
  // while Postgres is slow or down answers at once with the last values read.
  let last = { pending: 0, retrying: 0, failed: 0, due: 0, later: 0 };
  let readAt = 0;
  let reading: Promise<void> | undefined;
  const read = async () => {
    try {
      const { rows } = await pool.query<typeof last>(QUEUE_SQL);
      if (rows[0]) last = rows[0];
      readAt = Date.now();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot read the messages and the job queue for /metrics');
    }
  };
  const fresh = async () => {
    // Both gauges of one scrape share a read.
    if (Date.now() - readAt < 1000) return last;
    const r = (reading ??= read().finally(() => (reading = undefined)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([r, new Promise<void>((resolve) => (timer = setTimeout(resolve, SCRAPE_WAIT_MS)))]);
    clearTimeout(timer);
    return last;
  };
  new Gauge({
    name: 'kb_messages',
    help: 'Messages not delivered yet, by status: pending (composed), retrying (an attempt failed), failed (given up).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const v = await fresh();
      this.set({ status: 'pending' }, v.pending);
      this.set({ status: 'retrying' }, v.retrying);
      this.set({ status: 'failed' }, v.failed);
    },
  });
  new Gauge({
    name: 'kb_jobs_queued',
    help: 'Jobs in the queue still to run (due now, or scheduled: reminders, retries waiting for their backoff), by whether they are due.',
    labelNames: ['due'],
    registers: [registry],
    async collect() {
      const v = await fresh();
      this.set({ due: 'true' }, v.due);
      this.set({ due: 'false' }, v.later);
    },
  });
  return metrics;
}
