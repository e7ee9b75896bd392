// Servers under test run in their own Node processes, so the load generator never shares their
// event loop (or their CPU core). This module starts them, waits until they answer, accounts
// their CPU time, and stops them on every way out.
import { spawn, type ChildProcess } from 'node:child_process';
import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { onCleanup, onExitSync } from './lifecycle.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PARENT_WATCH = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'parent-watch.ts')).href;

import { freePort } from '../../setup/net.ts';

export { freePort };

export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  baseUrl: string;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Messages the process sent over IPC (process.send), oldest first. */
  messages: unknown[];
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartServerOptions {
  name: string;
  /** Script to run with this Node (process.execPath), relative to the repo root or absolute. */
  entry: string;
  args?: string[];
  /** Node options before the script, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeArgs?: string[];
  /** Added to the inherited environment. PORT is set for you. */
  env?: Record<string, string>;
  /** Path polled until it answers 2xx. Default /healthz. */
  readyPath?: string;
  timeoutMs?: number;
}

/**
 * Starts `entry` with the running Node binary on a free port and waits until `readyPath` answers.
 * The child gets an IPC channel and a preload that makes it exit when this process goes away,
 * even if this process is killed without running its cleanup.
 */
export async function startServer(o: StartServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const entry = path.isAbsolute(o.entry) ? o.entry : path.join(REPO_ROOT, o.entry);
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', PARENT_WATCH, entry, ...(o.args ?? [])], {
    cwd: REPO_ROOT,
    // API only unless a benchmark asks for the web app (web.bench.ts builds and serves it).
    env: { ...process.env, SERVE_WEB: '0', ...o.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // The IPC channel exists only for the parent watch; it must not keep this process alive.
  child.channel?.unref();
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  const messages: unknown[] = [];
  child.on('message', (m) => messages.push(m));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const unhookSync = onExitSync(() => {
    if (!exited) child.kill('SIGKILL');
  });
  const stop = async (graceMs = 5000) => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    }
    unhookSync();
    unhookAsync();
  };
  const unhookAsync = onCleanup(() => stop());
  const output = () => lines.join('\n');

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${o.name} exited before it was ready (code ${child.exitCode}):\n${output()}`);
    }
    try {
      const res = await fetch(baseUrl + (o.readyPath ?? '/healthz'), { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${o.name} did not answer ${o.readyPath ?? '/healthz'} within ${o.timeoutMs ?? 30_000} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return { name: o.name, pid: child.pid!, port, baseUrl, output, messages, cpuMs: () => cpuMs(child.pid!), stop };
}

// ─── CPU accounting from /proc ───────────────────────────────────────────────────────────────────

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  ticks: number;
  /** cutime + cstime: its children that have exited and been waited for, in ticks. */
  childTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses: fields are counted after the last ')'.
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
}

/** CPU time used by one process, in ms (0 when it is gone or /proc is unavailable). */
export function cpuMs(pid: number): number {
  const st = readStat(pid);
  return st ? (st.ticks * 1000) / ticksPerSecond() : 0;
}

/**
 * CPU time of a process and its direct children, including children that already exited, in ms.
 * For Postgres: the postmaster and every backend, checkpointer, walwriter…
 */
export function treeCpuMs(rootPid: number | undefined): number {
  if (rootPid === undefined) return 0;
  const root = readStat(rootPid);
  if (!root) return 0;
  let ticks = root.ticks + root.childTicks;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return (ticks * 1000) / ticksPerSecond();
  }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const st = readStat(Number(e));
    if (st && st.ppid === rootPid) ticks += st.ticks;
  }
  return (ticks * 1000) / ticksPerSecond();
}

/**
 * The Node options `npm run serve` starts the server with (package.json), so that our server runs
 * here as it runs in production (e.g. the young generation's size: docs/benchmarks.md, "Memory per
 * socket, second pass"). Floors run with Node's defaults.
 */
export function serveNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const m = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+server\/main\.ts$/.exec(pkg.scripts.serve.trim());
  if (!m) throw new Error(`package.json "serve" is not "node [--options] server/main.ts": ${pkg.scripts.serve}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}
