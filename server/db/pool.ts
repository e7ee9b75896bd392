import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// Return DATE columns as 'YYYY-MM-DD' strings: a local date has no instant, and letting pg turn it
// into a JS Date would shift it by the process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// date[] (oid 1182), e.g. events.dates: '{2027-06-01,2027-06-02}' → ['2027-06-01', '2027-06-02'].
pg.types.setTypeParser(1182 as never, (v: string) => (v === '{}' ? [] : v.slice(1, -1).split(',')));
// int8 (counts, event ids) as numbers: they stay far below 2^53 here.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(connectionString: string, max: number, log: Logger): Pool {
  // DateStyle ISO: the DATE parser above and the events' date arrays assume YYYY-MM-DD whatever the
  // server's default is.
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, options: '-c DateStyle=ISO,YMD' });
  // Without this listener an idle client's error (a Postgres restart) crashes the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle postgres client failed'));
  return pool;
}

/** Runs fn in a transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
