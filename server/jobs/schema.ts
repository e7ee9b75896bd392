// The job queue's own schema (`graphile_worker`), installed and upgraded by graphile-worker's
// migrator, after ours (sql/) and before anything writes a booking: the message triggers
// (sql/000015) add jobs with `graphile_worker.add_job`. Safe when several processes start at once.
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from '../log.ts';
import { workerLogger } from './log.ts';

/** The task every message job runs (server/mail/job.ts). */
export const MESSAGE_TASK = 'message';

export async function installJobSchema(connectionString: string, log: Logger): Promise<void> {
  await runMigrations({ connectionString, maxPoolSize: 1, logger: workerLogger(log) });
  // add_job records a task's name the first time it sees it, under a unique index: two booking
  // transactions adding the first job of a task at once would wait for each other's commit. The
  // name is recorded here, once, so no write ever waits on another's job.
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('insert into graphile_worker._private_tasks (identifier) values ($1) on conflict do nothing', [MESSAGE_TASK]);
  } finally {
    await client.end();
  }
}
