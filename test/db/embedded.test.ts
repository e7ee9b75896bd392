import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { freePort } from '../setup/net.ts';
import { pgTempRoot } from '../setup/tmp.ts';

const silent = pino({ level: 'silent' });
const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;

describe('embedded Postgres start', () => {
  it('refuses a data folder whose Postgres belongs to a running server, leaving that one up', async () => {
    const root = await pgTempRoot('kb-embedded-');
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

// Tests run as root, as CI does: the server then runs as the `postgres` system user.
describe('embedded Postgres and folders it does not own', () => {
  it('leaves a 0700 parent folder as it is and says which folder the postgres user cannot enter, and the fix', async () => {
    expect(process.getuid?.()).toBe(0);
    const parent = await mkdtemp(path.join(os.tmpdir(), 'kb-private-'));
    try {
      expect(await modeOf(parent)).toBe(0o700);
      const err = await startEmbeddedPostgres(path.join(parent, 'pg'), await freePort(), silent).then(
        async (db) => {
          await db.stop();
          return null;
        },
        (e: Error) => e,
      );
      expect(await modeOf(parent)).toBe(0o700);
      expect(err?.message).toContain(`cannot enter ${parent} (mode 0700`);
      expect(err?.message).toContain(`chmod o+x ${parent}`);
      expect(err?.message).toContain('EMBEDDED_PG_DIR');
      expect(err?.message).not.toMatch(/port/);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('opens only the folders it creates, and a failed start quotes Postgres (port taken), not a guess', async () => {
    const parent = await pgTempRoot('kb-search-only-');
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    const dir = path.join(parent, 'a', 'b', 'pg');
    try {
      await expect(startEmbeddedPostgres(dir, port, silent)).rejects.toThrow(
        /FATAL: +could not create any TCP\/IP sockets.*Address already in use|Address already in use.*FATAL: +could not create any TCP\/IP sockets/,
      );
      await expect(startEmbeddedPostgres(dir, port, silent)).rejects.toThrow(
        new RegExp(`port ${port} is taken: stop what uses it or set EMBEDDED_PG_PORT`),
      );
      expect(await modeOf(parent)).toBe(0o711);
      expect(await modeOf(path.join(parent, 'a'))).toBe(0o755);
      expect(await modeOf(path.join(parent, 'a', 'b'))).toBe(0o755);
      // The port free again, the folder initialised by the failed attempt starts.
      await new Promise<void>((r) => blocker.close(() => r()));
      const db = await startEmbeddedPostgres(dir, port, silent);
      try {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        expect((await c.query('select 1 as ok')).rows[0].ok).toBe(1);
        await c.end();
      } finally {
        await db.stop();
      }
      expect(await modeOf(parent)).toBe(0o711);
    } finally {
      if (blocker.listening) blocker.close();
      await rm(parent, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to take over a non-empty folder that is not a Postgres data folder, and leaves it alone', async () => {
    const parent = await pgTempRoot('kb-not-pg-');
    try {
      const { mkdir, writeFile, readFile } = await import('node:fs/promises');
      const dir = path.join(parent, 'mine');
      await mkdir(dir);
      await writeFile(path.join(dir, 'notes.txt'), 'keep me');
      await expect(startEmbeddedPostgres(dir, await freePort(), silent)).rejects.toThrow(
        `${dir} is not empty and is not a Postgres data folder`,
      );
      expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
