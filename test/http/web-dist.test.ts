// The production start (`npm run serve`): a release without its built web app fails at once with a
// clear message, and SERVE_WEB=0 serves the API only.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWebBuilt } from '../../server/web-dist.ts';
import { startChildServer, type ChildServer } from '../hardening/child-server.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kb-web-dist-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('assertWebBuilt', () => {
  it('says how to build the web app, or how to serve the API only, when index.html is missing', async () => {
    expect(() => assertWebBuilt(tmp)).toThrow(/web app is not built .*index\.html is missing.*npm run build:web.*SERVE_WEB=0/);
    await writeFile(path.join(tmp, 'index.html'), '<!doctype html>');
    expect(() => assertWebBuilt(tmp)).not.toThrow();
  });
});

describe('node server/main.ts', () => {
  it('exits with that message, before starting Postgres, when the release has no web/dist', async () => {
    // The repository's server, seen through symlinks from a folder without web/dist.
    const release = path.join(tmp, 'release');
    await mkdir(release);
    for (const entry of ['server', 'sql', 'node_modules', 'package.json']) await symlink(path.join(ROOT, entry), path.join(release, entry));
    const run = promisify(execFile);
    const failed = await run(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', 'server/main.ts'], {
      cwd: release,
      env: { ...process.env, LOG_FORMAT: 'json', PORT: '1', EMBEDDED_PG_DIR: path.join(release, 'pg') },
      timeout: 20_000,
    }).then(
      () => null,
      (err: { code?: number; stdout?: string }) => err,
    );
    expect(failed?.code).toBe(1);
    const fatal = failed!
      .stdout!.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(
      /^cannot start: the web app is not built \(.*release\/web\/dist\/index\.html is missing\): run `npm run build:web`/,
    );
    // Nothing was started: no embedded Postgres data folder.
    await expect(stat(path.join(release, 'pg'))).rejects.toThrow(/ENOENT/);
  });

  describe('with SERVE_WEB=0', () => {
    let db: TestDb;
    let srv: ChildServer;
    beforeAll(async () => {
      db = await freshDatabase();
      srv = await startChildServer(db.url, { SERVE_WEB: '0' });
    });
    afterAll(async () => {
      await srv?.stop();
      await db?.drop();
    });

    it('serves the API and no web page, whether or not web/dist exists', async () => {
      expect((await fetch(`${srv.baseUrl}/api/services`)).status).toBe(200);
      const page = await fetch(`${srv.baseUrl}/`);
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain('<div id="app"');
    });
  });
});
