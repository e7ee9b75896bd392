// Messages in one process: the job runner (server/jobs/) with the `message` task, delivering over
// SMTP or to the local mailbox. Started after the app is attached; stopped before the pool ends.
import type { Config } from '../config.ts';
import type { Pool } from '../db/pool.ts';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { MESSAGE_TASK } from '../jobs/schema.ts';
import type { Logger } from '../log.ts';
import type { SalonSettings } from '../salon.ts';
import type { SlotService } from '../slots/service.ts';
import type { MailExtras } from './extras.ts';
import { messageTask } from './job.ts';
import type { MailMetrics } from './metrics.ts';
import { createDelivery } from './transport.ts';

export interface MessagingDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  slots: SlotService;
  salon: SalonSettings;
  metrics: MailMetrics;
  extras: MailExtras;
}

/** Starts this process's job runner; `stop()` lets running jobs finish, then closes the transport. */
export async function startMessaging(deps: MessagingDeps): Promise<JobRunner> {
  const { config, log } = deps;
  const delivery = createDelivery(config.mail);
  const task = messageTask({
    pool: deps.pool,
    slots: deps.slots,
    extras: deps.extras,
    salonName: () => deps.salon.name(),
    salonZone: () => deps.salon.timezone(),
    publicUrl: config.publicUrl,
    log,
    delivery,
    metrics: deps.metrics,
    messageIdDomain: config.mail.from.split('@')[1] ?? 'localhost',
  });
  const runner = await startJobRunner({
    pool: deps.pool,
    log,
    tasks: { [MESSAGE_TASK]: task },
    concurrency: config.mail.jobsConcurrency,
    pollMs: config.mail.jobsPollMs,
  });
  log.info(
    { transport: delivery.transport, ...(delivery.transport === 'mailbox' ? { dir: config.mail.dir } : {}) },
    'job runner started (messages)',
  );
  return {
    async stop() {
      await runner.stop();
      delivery.close();
    },
  };
}
