// The comparison servers of the slots benchmark, each in its own process (started by
// slots.bench.ts; the real app runs as server/main.ts). MODE selects one:
//   floor       Express 5 with the real app's settings and helmet, answering the captured bytes of a
//               cached slots answer with no work: the ceiling for any Express route here.
//   floor-bare  the same without helmet, to show what helmet costs.
//   floor-stack the real app (createApp) with the floor's answer put right where the slots route
//               is: every middleware the real app runs before that route, then no work. Sends the
//               list of those middleware to the benchmark over IPC ({ trail }).
//   v2          the old system's design, for comparison only: a cache table in Postgres
//               (slot_cache, 5-minute TTL) read on every request; a miss computes with the real
//               load + engine + render code and upserts the answer.
// Environment: MODE, PORT, BODY_FILE + HEADERS_JSON (floors), DATABASE_URL (v2, floor-stack; the
// latter reads the rest of its configuration like server/main.ts does).
import express, { type Express } from 'express';
import helmet from 'helmet';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pino from 'pino';
import { createApp, type App } from '../../server/app.ts';
import { parseConfig } from '../../server/config.ts';
import { availableSlotsQuery } from '../../server/contract/slots.ts';
import { createPool, type Pool } from '../../server/db/pool.ts';
import { AppError, parseOr400 } from '../../server/errors.ts';
import { errorHandler } from '../../server/http/handlers.ts';
import { knownZone, SlotService } from '../../server/slots/service.ts';
import { floorInPlace } from './lib/express.ts';

const SLOTS_PATH = '/api/bookings/available-slots';
const mode = process.env.MODE;
const log = pino({ level: 'warn' });

/** The same Express settings as createApp (server/app.ts), with or without helmet. */
function baseApp(withHelmet: boolean): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (withHelmet) app.use(helmet());
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

/** Sends the captured answer: the same headers and body bytes as a cached hit, no work. */
function floorHandler(): express.RequestHandler {
  const body = readFileSync(process.env.BODY_FILE!);
  const headers = Object.entries(JSON.parse(process.env.HEADERS_JSON ?? '{}') as Record<string, string>);
  return (_req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    res.end(body);
  };
}

function floorApp(withHelmet: boolean): Express {
  const app = baseApp(withHelmet);
  app.get(SLOTS_PATH, floorHandler());
  return app;
}

const V2_TTL = '5 minutes';

// The table (created by slots.bench.ts, in the benchmark database only):
//   slot_cache (key text primary key, body text not null, expires_at timestamptz not null)
// `text`, not jsonb: the answer is stored and returned as its exact bytes, which is the cheaper
// choice, so the baseline is not handicapped.
function v2App(pool: Pool): Express {
  // Computes from the database every time; v2 had no in-process cache.
  const slots = new SlotService({ pool, cacheEnabled: false, cacheMaxBytes: 1024, cacheTtlMs: 1000 });
  const app = baseApp(true);
  app.get(SLOTS_PATH, async (req, res) => {
    const q = parseOr400(availableSlotsQuery, req.query);
    if (q.customerTimezone !== undefined && !knownZone(q.customerTimezone)) {
      throw new AppError('UNKNOWN_TIMEZONE', `Unknown time zone: ${q.customerTimezone}`);
    }
    const key = `${q.stylistId}|${q.serviceId}|${q.targetDate}|${q.customerTimezone ?? ''}`;
    const { rows } = await pool.query<{ body: string }>('select body from slot_cache where key = $1 and expires_at > now()', [key]);
    let body = rows[0]?.body;
    const hit = body !== undefined;
    if (body === undefined) {
      const a = await slots.answer({ stylistId: q.stylistId, serviceId: q.serviceId, date: q.targetDate }, q.customerTimezone);
      body = a.bytes.toString();
      await pool.query(
        `insert into slot_cache (key, body, expires_at) values ($1, $2, now() + interval '${V2_TTL}')
         on conflict (key) do update set body = excluded.body, expires_at = excluded.expires_at`,
        [key, body],
      );
    }
    res.setHeader('X-Cache-Hit', hit ? 'true' : 'false');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(body);
  });
  app.use(errorHandler(log));
  return app;
}

async function main(): Promise<void> {
  let pool: Pool | undefined;
  let real: App | undefined;
  let app: Express;
  switch (mode) {
    case 'floor-stack': {
      const config = parseConfig(process.env);
      pool = createPool(config.databaseUrl!, config.pgPoolSize, log);
      real = createApp({ config, pool, log });
      app = real.express;
      const trail = floorInPlace(app, 'get', SLOTS_PATH, floorHandler());
      process.send?.({ trail });
      break;
    }
    case 'floor':
      app = floorApp(true);
      break;
    case 'floor-bare':
      app = floorApp(false);
      break;
    case 'v2':
      pool = createPool(process.env.DATABASE_URL!, Number(process.env.PG_POOL_SIZE ?? 10), log);
      app = v2App(pool);
      break;
    default:
      throw new Error(`MODE must be floor, floor-bare, floor-stack or v2, not ${mode}`);
  }
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // as server/main.ts
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(process.env.PORT), '127.0.0.1', resolve);
  });
  const shutdown = () => {
    server.closeAllConnections();
    server.close(
      () =>
        void Promise.allSettled([real?.close()])
          .then(() => pool?.end())
          .finally(() => process.exit(0)),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

await main();
