// End-to-end harness: builds web/dist when it is missing or older than web/src, starts the real
// server (`node server/main.ts`, as `npm start` does) on a fresh embedded Postgres in a temp folder
// with free ports, and opens Chromium contexts (the Debian browser, one fresh profile each).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '../setup/net.ts';
import { pgTempRoot } from '../setup/tmp.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const DEMO_PASSWORD = 'kbstylish-demo';
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
const PARENT_WATCH = pathToFileURL(path.join(ROOT, 'test/bench/lib/parent-watch.ts')).href;

export { freePort };

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/** `vite build` unless web/dist is newer than every source of the web app. */
export async function ensureWebBuild(): Promise<void> {
  const built = path.join(ROOT, 'web/dist/index.html');
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'web/src')),
    statSync(path.join(ROOT, 'web/index.html')).mtimeMs,
    ...['server/contract'].map((d) => newestMtime(path.join(ROOT, d))),
  );
  if (existsSync(built) && statSync(built).mtimeMs > sources) return;
  await run(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']);
}

export interface RunningServer {
  baseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The real server on a fresh embedded database (seeded with the demo salon), as `npm start` runs it. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = await pgTempRoot('kb-e2e-');
  const [port, pgPort] = [await freePort(), await freePort()];
  // parent-watch: if this process dies without cleaning up (killed), the server stops itself.
  const child = spawn(process.execPath, ['--import', PARENT_WATCH, 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_DIR: path.join(dir, 'pg'),
      EMBEDDED_PG_PORT: String(pgPort),
      // The local mailbox's .eml files go with the run's folder, not into the repository's data/.
      MAIL_DIR: path.join(dir, 'mail'),
      DATABASE_URL: '',
      SESSION_SECRET: 'e2e-session-secret-e2e-session',
      // Four people sign in from one address within a minute; the limits are tested elsewhere.
      RATE_LIMIT_LOGIN: '1000',
      RATE_LIMIT_REGISTER: '1000',
      RATE_LIMIT_BOOKING: '1000',
      ...env,
      // The "listening" line (info) is how we know the server is up; the log is kept, not printed.
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.channel?.unref();
  let log = '';
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      log = (log + b.toString()).slice(-20_000);
      if (log.includes('KB Stylish Live on http://')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-20_000)));
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${log.slice(-4000)}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      listening,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`server did not listen within 90 s:\n${log.slice(-4000)}`)), 90_000);
      }),
    ]);
  } catch (err) {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  // Keep draining the pipes so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    }
    // Postgres's last files may still be closing as the server's exit is reported: retry a busy folder.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  return { baseUrl: `http://127.0.0.1:${port}`, process: child, stop };
}

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** A Chromium context with a fresh profile (its own cookies, storage and network state). */
export async function person(
  name: string,
  opts: { timezoneId?: string; locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<Person> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `kb-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timezoneId: opts.timezoneId ?? 'Asia/Kathmandu',
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? { width: 1180, height: 860 },
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  return {
    name,
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A full-page capture of a scrolled page shows the sticky header mid-page.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled' });
}

/** Signs in through a page's own form (the inline one in the modal, /signin, or a guarded page). */
export async function signIn(page: Page, email: string): Promise<void> {
  const form = page.locator('form.auth').last();
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(DEMO_PASSWORD);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Waits until every day of the month calendar has answered (none still shows "…"). */
export async function monthLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.month .day').length >= 28 && !document.querySelector('.month .day.loading'));
}

/** Shows the month holding `date` in the calendar (paging forward when it is a later month) and waits for it to answer. */
export async function showDay(page: Page, date: string): Promise<void> {
  for (let i = 0; i < 12 && (await page.locator(`.month [data-date="${date}"]`).count()) === 0; i++) {
    const first = await page.locator('.month .day').first().getAttribute('data-date');
    await page.getByRole('button', { name: 'Next month' }).click();
    await page.waitForFunction((was) => document.querySelector<HTMLElement>('.month .day')?.dataset.date !== was, first);
  }
  await monthLoaded(page);
}

export interface OpenDay {
  date: string;
  free: number;
}

/**
 * The open days after today, within the next `within` days (salon dates, as the calendar marks
 * today), with their free times. On a month's last days these may all lie in the next month: the
 * calendar is paged there when the month shown has none.
 */
export async function openDaysAhead(page: Page, within = 13): Promise<OpenDay[]> {
  const today = (await page.locator('.month .day.today').getAttribute('data-date'))!;
  const last = new Date(Date.parse(today) + within * 86_400_000).toISOString().slice(0, 10);
  const read = () =>
    page.evaluate(
      ([t, l]) =>
        [...document.querySelectorAll<HTMLElement>('.month .day.open')]
          .filter((d) => d.dataset.date! > t && d.dataset.date! <= l)
          .map((d) => ({
            date: d.dataset.date!,
            free: Number(/^(\d+) free$/.exec(d.querySelector('.avail')?.textContent ?? '')?.[1] ?? 0),
          })),
      [today, last] as const,
    );
  const shown = await read();
  if (shown.length > 0 || last.slice(0, 7) === today.slice(0, 7)) return shown;
  await showDay(page, last);
  return read();
}

/** The open day after today, within the next 13 days, with the most free times (see openDaysAhead). */
export async function busiestOpenDay(page: Page): Promise<string> {
  const days = await openDaysAhead(page);
  if (days.length === 0) throw new Error('no open day in the next 13 days');
  return days.reduce((best, d) => (d.free > best.free ? d : best)).date;
}
