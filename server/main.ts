// Process entry: reads the environment, starts (or connects to) Postgres, migrates, seeds the demo,
// listens, and shuts down cleanly on SIGINT/SIGTERM. Everything else is built by createApp.
import http from 'node:http';
import { createApp } from './app.ts';
import { parseConfig } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedDb } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { seedDemo } from './db/seed.ts';
import { createLogger } from './log.ts';

const config = parseConfig(process.env);
const log = createLogger(config.logLevel);

let embedded: EmbeddedDb | undefined;
let url = config.databaseUrl;
if (!url) {
  embedded = await startEmbeddedPostgres(config.embeddedPgDir, config.embeddedPgPort, log);
  url = embedded.url;
  log.info({ dir: config.embeddedPgDir, port: config.embeddedPgPort }, 'embedded postgres started');
}

const pool = createPool(url, config.pgPoolSize, log);
{
  const client = await pool.connect();
  try {
    const applied = await migrate(client);
    if (applied.length) log.info({ applied }, 'migrations applied');
    if (config.seedDemo && (await seedDemo(client, { password: config.demoPassword }))) {
      log.info('demo salon seeded (logins in README.md)');
    }
  } finally {
    client.release();
  }
}

const app = createApp({ config, pool, log });
const server = http.createServer(app.express);
server.keepAliveTimeout = 65_000;
await app.attach(server);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port, config.host, resolve);
});
log.info(`KB Stylish Live on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);

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
  await Promise.all([new Promise<void>((r) => server.close(() => r())), app.close()]);
  await pool.end().catch(() => undefined);
  await embedded?.stop();
  clearTimeout(force);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
