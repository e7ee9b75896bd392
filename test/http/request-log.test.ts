// The request log (server/http/request-log.ts): one line per finished API request, at a level by
// status, with no header in it; the slot route, health checks and /metrics write none.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestLevel } from '../../server/http/request-log.ts';
import { prettyLogs } from '../../server/log.ts';
import { loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

interface Line {
  level: number;
  msg: string;
  req?: Record<string, unknown>;
  res?: { statusCode: number };
  responseTime?: number;
  userId?: string;
}

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const raw: string[] = [];
const lines = () => raw.map((l) => JSON.parse(l) as Line).filter((l) => l.res !== undefined);
const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 };

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
  const log = pino({ level: 'debug' }, { write: (s: string) => void raw.push(s) });
  srv = await startTestServer(db.pool, { log, env: NO_LIMITS });
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

/** Waits for the line of `msgStart` (written when the response finished, maybe after the client read it). */
async function lineOf(msgStart: string): Promise<Line> {
  return vi.waitFor(
    () => {
      const l = lines().find((x) => x.msg.startsWith(msgStart));
      if (!l) throw new Error(`no line "${msgStart}" in:\n${raw.join('')}`);
      return l;
    },
    { timeout: 5000 },
  );
}

describe('request log', () => {
  it('writes a success at debug with method, URL, status and time, and a client error at info', async () => {
    expect((await fetch(`${srv.baseUrl}/api/services`)).status).toBe(200);
    const ok = await lineOf('GET /api/services 200');
    expect(ok.level).toBe(LEVEL.debug);
    expect(ok.req).toEqual({ id: expect.anything(), method: 'GET', url: '/api/services', ip: '127.0.0.1' });
    expect(ok.res).toEqual({ statusCode: 200 });
    expect(ok.responseTime).toEqual(expect.any(Number));

    expect((await fetch(`${srv.baseUrl}/api/no-such-route?page=2`)).status).toBe(404);
    const missing = await lineOf('GET /api/no-such-route 404');
    expect(missing.level).toBe(LEVEL.info);
    // The query is in the request's URL, not in the message.
    expect([missing.msg.includes('page=2'), missing.req?.url]).toEqual([false, '/api/no-such-route?page=2']);
  });

  it('never writes a cookie or an authorization header, and names the logged-in user', async () => {
    const secret = 'do-not-log-me-3f9a';
    const res = await fetch(`${srv.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `kb.sid=${secret}`, authorization: `Bearer ${secret}` },
      body: JSON.stringify({ email: 'nobody@example.test', password: `${secret}-pw` }),
    });
    expect(res.status).toBe(401);
    expect((await lineOf('POST /api/auth/login 401')).level).toBe(LEVEL.info);

    const customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
    expect((await customer.get('/api/bookings/mine')).status).toBe(200);
    expect((await lineOf('GET /api/bookings/mine 200')).userId).toBe(salon.customer.id);

    const all = raw.join('');
    expect(all).not.toContain(secret);
    expect(all).not.toContain(salon.customer.password);
    expect(all).not.toMatch(/cookie|authorization/i);
  });

  it('writes nothing for the slot route, the health checks and /metrics', async () => {
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const slots = `/api/bookings/available-slots?stylistId=${salon.stylist.id}&serviceId=${salon.service.id}&targetDate=${day}`;
    for (const path of [slots, slots, '/api/bookings/available-slots?stylistId=nope', '/healthz', '/readyz', '/metrics']) {
      await (await fetch(srv.baseUrl + path)).arrayBuffer();
    }
    // A logged request after them: its line is there once theirs would have been.
    await (await fetch(`${srv.baseUrl}/api/stylists`)).arrayBuffer();
    await lineOf('GET /api/stylists 200');
    expect(
      lines()
        .map((l) => l.msg)
        .filter((m) => /available-slots|healthz|readyz|metrics/.test(m)),
    ).toEqual([]);
  });

  it('picks the level by status: 5xx error, 429 and 413 warn, other 4xx info, the rest debug', () => {
    expect([500, 503, 429, 413, 400, 404, 409, 200, 204, 304].map((s) => requestLevel(s))).toEqual([
      'error',
      'error',
      'warn',
      'warn',
      'info',
      'info',
      'info',
      'debug',
      'debug',
      'debug',
    ]);
    expect(requestLevel(200, true)).toBe('error');
  });
});

describe('log format', () => {
  it('is pretty on a terminal outside production unless forced, JSON otherwise', () => {
    expect(prettyLogs('auto', { tty: true, production: false })).toBe(true);
    expect(prettyLogs('auto', { tty: false, production: false })).toBe(false);
    expect(prettyLogs('auto', { tty: true, production: true })).toBe(false);
    expect(prettyLogs('pretty', { tty: false, production: true })).toBe(true);
    expect(prettyLogs('json', { tty: true, production: false })).toBe(false);
  });

  it('writes human lines when pretty and JSON lines otherwise', async () => {
    const run = promisify(execFile);
    const { FORCE_COLOR: _, ...env } = process.env;
    const print = async (pretty: boolean) =>
      (
        await run(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { createLogger } from './server/log.ts'; createLogger('info', { pretty: ${pretty} }).info({ n: 1 }, 'hello');`,
          ],
          { env: { ...env, NO_COLOR: '1' } },
        )
      ).stdout;
    expect(await print(true)).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): hello \{"n":1\}\n$/);
    expect(JSON.parse(await print(false))).toMatchObject({ level: 30, msg: 'hello', n: 1, pid: expect.any(Number) });
  });
});
