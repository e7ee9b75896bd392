import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import { withDatabase } from '../../server/db/embedded.ts';
import { createPool, type Pool } from '../../server/db/pool.ts';

export const silentLog = pino({ level: process.env.TEST_LOG ?? 'silent' });

export interface TestDb {
  name: string;
  url: string;
  pool: Pool;
  /** Drops the database (terminating whatever is still connected). */
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function freshDatabase(): Promise<TestDb> {
  const serverUrl = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name} template kb_template`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const pool = createPool(url, 10, silentLog);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
