// Process entry: reads the environment, starts (or connects to) Postgres, migrates, seeds the demo,
// listens, and shuts down cleanly on SIGINT/SIGTERM. Everything else is built by createApp.
//
// WORKERS=N (N > 1) runs N worker processes on one machine behind one port (node:cluster): the
// primary owns Postgres (embedded or not), migrates and seeds once, then accepts connections and
// hands each one to a worker chosen by a hash of the client's IP address — sticky, so Socket.IO's
// polling requests of one client always reach the process that holds its session. Each worker
// runs its own relay (LISTEN on Postgres) and relays to its own sockets only; Postgres is the bus.
// Behind a load balancer, run one process per port instead (docs/operations.md, "Scale-out").
import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { createApp } from './app.ts';
import { parseConfig, type Config } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedDb } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { seedDemo } from './db/seed.ts';
import { assertWebBuilt } from './web-dist.ts';
import { createLogger, prettyLogs, type Logger } from './log.ts';
import { fnv1a } from './hash.ts';
import { salonTimezone } from './salon.ts';
import { installJobSchema } from './jobs/schema.ts';
import type { JobRunner } from './jobs/runner.ts';
import { mailExtras } from './mail-extras.ts';
import { startMessaging } from './mail/index.ts';

const STICKY = 'kb:sticky-connection';
const READY = 'kb:worker-ready';

const config = parseConfig(process.env);
const log = createLogger(config.logLevel, {
  pretty: prettyLogs(config.logFormat, { tty: process.stdout.isTTY === true, production: process.env.NODE_ENV === 'production' }),
});
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

try {
  // Before Postgres starts: a release without its web app fails at once, saying so.
  if (config.serveWeb && cluster.isPrimary) assertWebBuilt();
  if (cluster.isPrimary && config.workers > 1) await runPrimary(config, log);
  else await runServer(config, log);
} catch (err) {
  // A start that cannot proceed says why in one line (the cause is in the debug log).
  log.debug({ err }, 'start failed');
  log.fatal(`cannot start: ${(err as Error).message}`);
  process.exit(1);
}

/** Postgres: the configured one, or the embedded one (started here, stopped by the caller). */
async function preparePostgres(config: Config, log: Logger): Promise<{ url: string; embedded?: EmbeddedDb }> {
  let embedded: EmbeddedDb | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.embeddedPgDir, config.embeddedPgPort, log);
    url = embedded.url;
    log.info({ dir: config.embeddedPgDir, port: config.embeddedPgPort }, 'embedded postgres started');
  }
  // No statement or query timeout here: a migration may take long, and waits for the migration
  // lock while another process migrates.
  const pool = createPool(url, 1, log);
  try {
    const client = await pool.connect();
    try {
      const applied = await migrate(client);
      if (applied.length) log.info({ applied }, 'migrations applied');
      // The job queue's schema (graphile-worker's own migrator): the booking triggers add jobs to it.
      await installJobSchema(url, log);
      // The salon's zone is stored on first start (SALON_TIMEZONE); the demo salon is seeded in it.
      const timezone = await salonTimezone(client, config.salonTimezone);
      // The demo's bookings were never made by anyone: they send no messages (sql/000015).
      await client.query(`select set_config('kb.messages', 'off', false)`);
      if (config.seedDemo && (await seedDemo(client, { password: config.demoPassword, timezone }))) {
        log.info('demo salon seeded (logins in README.md)');
      }
      await client.query(`select set_config('kb.messages', '', false)`);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
  return { url, embedded };
}

/** One server process: the whole app on one port, or (as a cluster worker) on connections handed over. */
async function runServer(config: Config, log: Logger): Promise<void> {
  const worker = cluster.isWorker;
  const { url, embedded } = worker ? { url: config.databaseUrl!, embedded: undefined } : await preparePostgres(config, log);
  const pool = createPool(url, config.pgPoolSize, log, config.pgTimeouts);
  const app = createApp({ config, pool, log });
  const server = http.createServer(app.express);
  server.keepAliveTimeout = 65_000;
  await app.attach(server);
  // Every process runs jobs (messages); each job runs once however many processes there are. A
  // message's calendar file and manage link come from the calendar and manage-link modules.
  const extras = mailExtras(pool, () => app.manageKeys());
  let jobs: JobRunner | undefined;
  try {
    jobs = await startMessaging({ config, pool, log, slots: app.slots, salon: app.salon, metrics: app.mailMetrics, extras });
  } catch (err) {
    throw new Error(`cannot start the job runner: ${(err as Error).message}`, { cause: err });
  }
  if (worker) {
    // Connections arrive from the primary, paused; resume them once the server owns them.
    process.on('message', (msg, handle) => {
      if (msg !== STICKY || !(handle instanceof net.Socket)) return;
      server.emit('connection', handle);
      handle.resume();
    });
    process.send!(READY);
  } else {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, resolve);
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      log.fatal(
        code === 'EADDRINUSE'
          ? `port ${config.port} on ${config.host} is already in use (another npm start?); stop it or set PORT`
          : `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`,
      );
      await app.close().catch(() => undefined);
      await jobs.stop();
      await pool.end().catch(() => undefined);
      await embedded?.stop();
      process.exit(1);
    }
    log.info(`KB Stylish Live on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);
  }

  let shuttingDown = false;
  async function shutdown(signal: string): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.closeIdleConnections();
    try {
      // Running jobs finish (a message being sent is sent and recorded) before the pool ends.
      await Promise.all([new Promise<void>((r) => server.close(() => r())), app.close(), jobs?.stop()]);
      await pool.end().catch(() => undefined);
      await embedded?.stop();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'shutdown failed');
      process.exit(1);
    }
    clearTimeout(force);
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A worker whose primary is gone has nobody to hand it connections: stop.
  if (worker) process.on('disconnect', () => void shutdown('primary gone'));
}

/** The cluster primary: Postgres, migrations and seed once, then sticky connection hand-off to N workers. */
async function runPrimary(config: Config, log: Logger): Promise<void> {
  const { url, embedded } = await preparePostgres(config, log);
  // Every worker signs and checks session cookies with the same key: SESSION_SECRET when set (the
  // workers inherit the environment), else the one kept in the database.
  const env = { DATABASE_URL: url, SEED_DEMO: '0' };
  const slots: (Worker | null)[] = Array.from({ length: config.workers }, () => null);
  const ready = new Set<Worker>();
  let stopping = false;

  const fork = (i: number) => {
    const w = cluster.fork(env);
    slots[i] = w;
    w.on('message', (msg) => {
      if (msg === READY) ready.add(w);
    });
    w.on('exit', (code, signal) => {
      ready.delete(w);
      if (stopping) return;
      log.error({ worker: i, code, signal }, 'worker exited; starting another');
      setTimeout(() => fork(i), 500).unref();
    });
  };
  for (let i = 0; i < config.workers; i++) fork(i);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (ready.size === config.workers) {
        clearInterval(check);
        resolve();
      }
    }, 50);
  });

  const balancer = net.createServer({ pauseOnConnect: true }, (conn) => {
    // Only workers that said they are ready (a restarting one would drop the handle).
    const live = slots.filter((w): w is Worker => w !== null && ready.has(w));
    if (live.length === 0) return conn.destroy();
    live[fnv1a(conn.remoteAddress ?? '') % live.length].send(STICKY, conn);
  });
  await new Promise<void>((resolve, reject) => {
    balancer.once('error', reject);
    balancer.listen(config.port, config.host, resolve);
  });
  log.info(
    `KB Stylish Live on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (${config.workers} workers, sticky by client IP)`,
  );

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down workers');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    balancer.close();
    const running = slots.filter((w): w is Worker => w !== null && !w.isDead());
    await Promise.all(
      running.map(
        (w) =>
          new Promise<void>((r) => {
            w.once('exit', () => r());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await embedded?.stop().catch((err: Error) => {
      log.error({ err: err.message }, 'stopping the embedded Postgres failed');
      process.exit(1);
    });
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
