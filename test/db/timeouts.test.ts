// Pooled queries end in bounded time: a statement Postgres runs too long is cancelled
// (statement_timeout), a query the server never answers is abandoned (pg's query_timeout), and
// either one answers 503 NOT_READY instead of holding the request.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../server/db/pool.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let pool: Pool;
let srv: TestServer;
let admin: pg.Client;

beforeAll(async () => {
  db = await freshDatabase();
  await createSalon(db.pool);
  pool = createPool(db.url, 2, silentLog, { statementMs: 300, queryMs: 1000, connectMs: 1000 });
  srv = await startTestServer(pool, { databaseUrl: db.url });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await srv?.close();
  await pool?.end().catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await db?.drop();
});

/** GET with a generous bound: without the pool's timeouts these requests would hang. */
const get = async (path: string) => {
  const res = await fetch(srv.baseUrl + path, { signal: AbortSignal.timeout(8000) });
  return { status: res.status, body: await res.json() };
};

describe('timeouts of the request pool', () => {
  it('sets statement_timeout on the request pool and none on a pool made for migrations', async () => {
    expect((await pool.query('show statement_timeout')).rows[0].statement_timeout).toBe('300ms');
    expect((await db.pool.query('show statement_timeout')).rows[0].statement_timeout).toBe('0');
  });

  it('answers 503 NOT_READY when a statement waits past PG_STATEMENT_TIMEOUT_MS (a held lock)', async () => {
    await admin.query('begin');
    try {
      await admin.query('lock table stylists in access exclusive mode');
      const r = await get('/api/stylists');
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('NOT_READY');
    } finally {
      await admin.query('rollback');
    }
    expect((await get('/api/stylists')).status).toBe(200);
  });

  it('answers 503 NOT_READY when Postgres stops answering on an open connection, then recovers', async () => {
    // Two idle pooled connections (the pool's max), so the next request uses one of them.
    await Promise.all([pool.query('select pg_sleep(0.05)'), pool.query('select pg_sleep(0.05)')]);
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // The backends of this test's database are frozen (SIGSTOP), as a stopped server would be.
    for (const { pid } of rows) process.kill(pid, 'SIGSTOP');
    try {
      const r = await get('/api/stylists');
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('NOT_READY');
    } finally {
      for (const { pid } of rows) process.kill(pid, 'SIGCONT');
    }
    // The abandoned connection is discarded, not reused: the next request is answered.
    expect((await get('/api/stylists')).status).toBe(200);
  });
});
