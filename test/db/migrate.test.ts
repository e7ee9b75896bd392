import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { withDatabase } from '../../server/db/embedded.ts';
import { migrate, readMigrations } from '../../server/db/migrate.ts';

// An empty database (not the template) so the runner starts from nothing.
const name = `m_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
let url: string;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: inject('pgUrl') });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  url = withDatabase(inject('pgUrl'), name);
});
afterAll(async () => {
  const admin = new pg.Client({ connectionString: inject('pgUrl') });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

describe('migration runner', () => {
  it('two runners started at once both succeed and apply each migration exactly once', async () => {
    const [a, b] = [await client(), await client()];
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const files = (await readMigrations()).map((f) => f.name);
      // One runner did all the work, the other found nothing left.
      expect([...ra, ...rb].sort()).toEqual(files);
      const { rows } = await a.query('select name from schema_migrations order by version');
      expect(rows.map((r) => r.name)).toEqual(files);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('a re-run is a no-op', async () => {
    const c = await client();
    try {
      const before = (await c.query('select count(*)::int as n from schema_migrations')).rows[0].n;
      expect(await migrate(c)).toEqual([]);
      expect((await c.query('select count(*)::int as n from schema_migrations')).rows[0].n).toBe(before);
    } finally {
      await c.end();
    }
  });

  it('releases its lock and leaves nothing half-applied when a migration fails', async () => {
    const { mkdtemp, writeFile, cp } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { SQL_DIR } = await import('../../server/db/migrate.ts');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kb-mig-'));
    await cp(SQL_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, '999998_ok.sql'), 'create table should_roll_back (id int);');
    await writeFile(path.join(dir, '999999_broken.sql'), 'create table broken (id int); select no_such_function();');
    const c = await client();
    try {
      await expect(migrate(c, dir)).rejects.toThrow(/999999_broken\.sql/);
      const { rows } = await c.query(`select to_regclass('broken') as t, to_regclass('should_roll_back') as ok`);
      expect(rows[0].t).toBeNull();
      // Earlier migrations of the same run stay applied; the failed one does not.
      expect(rows[0].ok).toBe('should_roll_back');
      const locks = await c.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = 7412000`);
      expect(locks.rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
