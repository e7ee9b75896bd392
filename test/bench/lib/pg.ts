// A throw-away embedded Postgres for a benchmark: a fresh temp folder, a free port, a migrated
// database, and a guaranteed stop (normal end, exception, SIGINT) that also deletes the folder.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { isAlive, startEmbeddedPostgres, withDatabase } from '../../../server/db/embedded.ts';
import { migrate } from '../../../server/db/migrate.ts';
import { installJobSchema } from '../../../server/jobs/schema.ts';
import { createPool, type Pool } from '../../../server/db/pool.ts';
import { onCleanup, onExitSync, sleepSync } from './lifecycle.ts';
import { freePort } from './proc.ts';
import { pgTempRoot } from '../../setup/tmp.ts';

export interface BenchPostgres {
  /** Connection string of the migrated benchmark database. */
  url: string;
  /** Temp folder holding the data directory (deleted on stop). */
  root: string;
  /** Process id of the postmaster (for CPU accounting), if running. */
  pid: number | undefined;
  /** A pool on the benchmark database, ended by `stop`. */
  pool(max?: number): Pool;
  /** Stops Postgres and deletes the temp folder; safe to call more than once. */
  stop(): Promise<void>;
}

export const BENCH_DB = 'kb_bench';

const PREFIX = 'kb-bench-';
const OWNER_FILE = 'owner.pid';

export async function startBenchPostgres(opts: { log?: Logger } = {}): Promise<BenchPostgres> {
  const log = opts.log ?? pino({ level: 'silent' });
  await reapOrphans(log);
  // Not under the project: the postgres system user (when run as root) must reach the folder, and
  // the benchmark must leave nothing behind.
  const root = await pgTempRoot(PREFIX);
  await writeFile(path.join(root, OWNER_FILE), String(process.pid));
  const dataDir = path.join(root, 'pg');
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pools: Pool[] = [];
  let stopped = false;
  // eslint-disable-next-line prefer-const -- stop() may run before the assignment (a failed start): const would throw there
  let db: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;

  // Last resort when the process exits before `stop` ran: fast-shutdown Postgres, wait for it to
  // remove its pid file, delete the folder.
  const unhookSync = onExitSync(() => {
    if (stopped) return;
    const pid = postmasterPid(pidFile);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
      for (let i = 0; i < 100 && existsSync(pidFile); i++) sleepSync(50);
    }
    rmSync(root, { recursive: true, force: true });
  });

  const stop = async () => {
    if (stopped) return;
    await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
    await db?.stop();
    await rm(root, { recursive: true, force: true });
    stopped = true;
    unhookSync();
  };
  onCleanup(stop);

  const port = await freePort();
  db = await startEmbeddedPostgres(dataDir, port, log);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    await admin.query(`create database ${BENCH_DB}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(db.url, BENCH_DB);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client);
  } finally {
    await client.end();
  }
  // The job queue's schema, as the server installs it at start: booking writes add message jobs.
  await installJobSchema(url, pino({ level: 'silent' }));

  return {
    url,
    root,
    get pid() {
      return postmasterPid(pidFile);
    },
    pool(max = 10) {
      const p = createPool(url, max, log);
      pools.push(p);
      return p;
    },
    stop,
  };
}

/** The running postmaster's pid, from the pid file Postgres keeps in its data folder. */
function postmasterPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A benchmark killed with SIGKILL cannot stop its Postgres (its servers stop themselves, see
 * parent-watch.ts). The next run stops such an orphan — only one whose owning benchmark process
 * is gone and whose command line names that folder — and deletes its folder.
 */
async function reapOrphans(log: Logger): Promise<void> {
  const tmp = os.tmpdir();
  let names: string[];
  try {
    names = (await readdir(tmp)).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const root = path.join(tmp, name);
    const owner = Number(await readFile(path.join(root, OWNER_FILE), 'utf8').catch(() => ''));
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    const dataDir = path.join(root, 'pg');
    const pid = postmasterPid(path.join(dataDir, 'postmaster.pid'));
    if (pid !== undefined && isAlive(pid)) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmd.includes(dataDir)) continue;
      log.warn({ pid, root }, 'stopping a Postgres left by a killed benchmark');
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (isAlive(pid)) continue;
    }
    await rm(root, { recursive: true, force: true });
  }
}
