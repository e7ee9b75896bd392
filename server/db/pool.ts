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

/** pg's error message when a query outlives query_timeout. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/** Bounds of a pool's waits, in ms; 0 (or absent) turns a statement or query timeout off. */
export interface PoolTimeouts {
  /** Postgres cancels a statement running longer (statement_timeout): SQLSTATE 57014. */
  statementMs: number;
  /** The client gives up on a query with no answer (pg's query_timeout, "Query read timeout"):
   * a stopped or unreachable server. Keep it above statementMs so Postgres cancels first. */
  queryMs: number;
  /** Longest wait for a connection: a new one, or a free one when the pool is full. */
  connectMs: number;
}

/**
 * The request pool when `timeouts` is given (every request then ends in bounded time, see
 * fromPgError); without it no statement or query timeout, for migrations and the demo seed.
 */
export function createPool(connectionString: string, max: number, log: Logger, timeouts?: PoolTimeouts): Pool {
  // DateStyle ISO: the DATE parser above and the events' date arrays assume YYYY-MM-DD whatever the
  // server's default is.
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts?.connectMs ?? 5_000,
    ...(timeouts?.statementMs ? { statement_timeout: timeouts.statementMs } : {}),
    ...(timeouts?.queryMs ? { query_timeout: timeouts.queryMs } : {}),
    options: '-c DateStyle=ISO,YMD',
  });
  // Without this listener an idle client's error (a Postgres restart) crashes the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle postgres client failed'));
  return pool;
}

/**
 * Runs fn in a transaction on one client; rolls back on any error. A client whose rollback fails
 * too (a query timed out and is still on the wire, a dropped connection) is discarded, not reused.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    // After a client-side timeout the query is still on the wire: a rollback would queue behind it
    // and time out as well. Dropping the connection ends the transaction on the server.
    if ((err as Error | null)?.message === QUERY_READ_TIMEOUT) broken = err as Error;
    else
      await client.query('rollback').catch((e: Error) => {
        broken = e;
      });
    throw err;
  } finally {
    client.release(broken);
  }
}
