// The job queue's own schema (`graphile_worker`), installed and upgraded by graphile-worker's
// migrator, after ours (sql/) and before anything writes a booking: the message triggers
// (sql/000015) add jobs with `graphile_worker.add_job`. Safe when several processes start at once.
import { runMigrations } from 'graphile-worker';
import type { Logger } from '../log.ts';
import { workerLogger } from './log.ts';

export async function installJobSchema(connectionString: string, log: Logger): Promise<void> {
  await runMigrations({ connectionString, maxPoolSize: 1, logger: workerLogger(log) });
}
