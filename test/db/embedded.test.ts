import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { freePort } from '../setup/net.ts';

const silent = pino({ level: 'silent' });

describe('embedded Postgres start', () => {
  it('refuses a data folder whose Postgres belongs to a running server, leaving that one up', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kb-embedded-'));
    const dir = path.join(root, 'pg');
    const first = await startEmbeddedPostgres(dir, await freePort(), silent);
    try {
      await expect(startEmbeddedPostgres(dir, await freePort(), silent)).rejects.toThrow(/in use by another running server/);
      const c = new pg.Client({ connectionString: first.url });
      await c.connect();
      expect((await c.query('select 1 as ok')).rows[0].ok).toBe(1);
      await c.end();
    } finally {
      await first.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
