import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql');
const MIGRATION_LOCK = 7412000;

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

export async function readMigrations(dir = SQL_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{6}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => ({
      version: Number(name.slice(0, 6)),
      name,
      sql: await readFile(path.join(dir, name), 'utf8'),
    })),
  );
}

/**
 * Applies pending migrations in order, each in its own transaction. Safe when several processes
 * start at once: a session advisory lock lets one runner work while the others wait, after which
 * they find nothing left to do. Returns the names applied by this call.
 */
export async function migrate(client: pg.ClientBase, dir = SQL_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`create table if not exists schema_migrations (
      version int primary key, name text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: number }>('select version from schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      await client.query('begin');
      try {
        await client.query(file.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [file.version, file.name]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file.name);
    }
    return applied;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
