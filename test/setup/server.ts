import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../server/app.ts';
import { parseConfig, type Config } from '../../server/config.ts';
import type { Pool } from '../../server/db/pool.ts';
import type { Logger } from '../../server/log.ts';
import type { JobRunner } from '../../server/jobs/runner.ts';
import { noExtras, type MailExtras } from '../../server/mail/extras.ts';
import { startMessaging } from '../../server/mail/index.ts';
import { silentLog } from './db.ts';

export interface TestServer {
  app: App;
  server: http.Server;
  baseUrl: string;
  config: Config;
  /** The job runner, when started (`jobs`). */
  jobs?: JobRunner;
  close(): Promise<void>;
}

/** Starts the real app on port 0 against `pool`, with config from `env` (as if from the environment). */
export async function startTestServer(
  pool: Pool,
  opts: {
    env?: Record<string, string>;
    now?: () => number;
    databaseUrl?: string;
    log?: Logger;
    /** Also run the job runner (messages), with these extras (calendar file, manage link). */
    jobs?: { extras?: MailExtras };
  } = {},
): Promise<TestServer> {
  const config = parseConfig({
    SESSION_SECRET: 'test-secret-test-secret',
    DATABASE_URL: opts.databaseUrl ?? 'postgres://unused',
    // Tests see a cache that fills only as they read (the prefill is tested on its own: test/slots/prefill.test.ts).
    CACHE_PREFILL: 'off',
    ...opts.env,
  });
  const app = createApp({ config, pool, log: opts.log ?? silentLog, now: opts.now });
  const server = http.createServer(app.express);
  await app.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const log = opts.log ?? silentLog;
  const jobs = opts.jobs
    ? await startMessaging({
        config,
        pool,
        log,
        slots: app.slots,
        salon: app.salon,
        metrics: app.mailMetrics,
        extras: opts.jobs.extras ?? noExtras,
      })
    : undefined;
  return {
    app,
    server,
    baseUrl,
    config,
    jobs,
    async close() {
      server.closeAllConnections();
      await Promise.all([new Promise<void>((r) => server.close(() => r())), app.close(), jobs?.stop()]);
    },
  };
}
