// The real server (`node server/main.ts`) in a child process on a given database: a fault that
// blocks the event loop (an endless loop) then hangs that process, not the test runner, and the
// test can still observe it from outside and kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../setup/net.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildServer {
  baseUrl: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL if the process has not exited within a second (a blocked loop never does). */
  stop(): Promise<void>;
}

export async function startChildServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      SEED_DEMO: '0',
      SESSION_SECRET: 'child-session-secret-child-session',
      LOG_LEVEL: 'info',
      SERVE_WEB: '0',
      // Any message goes to the local mailbox in the temp folder, not into the repository's data/.
      MAIL_DIR: path.join(os.tmpdir(), 'kb-child-server-mail'),
      // A blocked process must not be able to eat the machine while the test looks at it.
      NODE_OPTIONS: '--max-old-space-size=256',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen within 30 s:\n${log.slice(-4000)}`)), 30_000);
    child.stdout.on('data', (b: Buffer) => {
      log = (log + b.toString()).slice(-20_000);
      if (log.includes('KB Stylish Live on http://')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${log.slice(-4000)}`));
    });
  });
  child.stdout.resume();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}
