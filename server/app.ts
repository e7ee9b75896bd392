import express, { type Express } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Pool } from './db/pool.ts';
import { catalogueRoutes } from './catalogue/routes.ts';
import { apiNotFound, errorHandler } from './http/handlers.ts';
import { Readiness } from './http/readiness.ts';
import { slotRoutes } from './slots/routes.ts';
import { SlotService } from './slots/service.ts';

export interface AppDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  /** The clock; tests pass a fake one. */
  now?: () => number;
}

export interface App {
  express: Express;
  slots: SlotService;
  readiness: Readiness;
  /** Attaches the realtime side to a listening-ready HTTP server. */
  attach(server: http.Server): Promise<void>;
  /** Stops background work (listener, timers, sockets); the caller closes the server and the pool. */
  close(): Promise<void>;
}

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

/** Builds the whole application from its dependencies. Reads no environment and listens on nothing. */
export function createApp(deps: AppDeps): App {
  const { config, pool, log } = deps;
  const now = deps.now ?? Date.now;
  const slots = new SlotService({
    pool,
    cacheEnabled: config.cacheEnabled,
    cacheMaxBytes: config.cacheMaxBytes,
    cacheTtlMs: config.cacheTtlMs,
    now,
  });
  const readiness = new Readiness();
  readiness.add('database', async () => (await pool.query('select 1 as ok')).rows[0]?.ok === 1);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(helmet());

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const s = await readiness.status();
    res.status(s.ready ? 200 : 503).json(s.ready ? s : { ...s, error: { code: 'NOT_READY', message: `Not ready: ${Object.entries(s.checks).filter(([, ok]) => !ok).map(([n]) => n).join(', ')}` } });
  });

  // Public, hot read paths first: no body parsing, no session lookup, no per-request logging.
  app.use(catalogueRoutes(pool));
  app.use(slotRoutes(slots));

  app.use('/api', apiNotFound);
  if (existsSync(WEB_DIST)) {
    app.use(express.static(WEB_DIST, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(WEB_DIST, 'index.html')));
  }
  app.use(errorHandler(log));

  return {
    express: app,
    slots,
    readiness,
    async attach() {},
    async close() {},
  };
}
