// npm run bench:web — what a person waits for in the browser, measured in Chromium against the real
// server (`node server/main.ts` on a fresh embedded database with the demo salon):
//   1. opening the booking modal → a usable slot grid (rendered, free times clickable), cold and warm;
//   2. a booking confirmed in one browser → the booked slot shown in another browser watching the day
//      (and the same for a hold);
//   3. the gzipped JavaScript each page loads (budget: 120 KB for the customer page).
// Prints Markdown for docs/benchmarks.md ("Web"). Figures, not assertions.
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ensureWebBuild, person, signIn, startServer, type Person } from '../e2e/harness.ts';
import { machine, machineLine, ms, table, verdict, verdictTable } from './lib/report.ts';
import { summarize } from './lib/stats.ts';

const OPEN_RUNS = Number(process.env.WEB_BENCH_OPEN_RUNS ?? 20);
const LIVE_RUNS = Number(process.env.WEB_BENCH_LIVE_RUNS ?? 12);

await ensureWebBuild();
const server = await startServer();
const people: Person[] = [];
try {
  const out: string[] = [];
  out.push(machineLine(machine()));

  // ── 3. JavaScript per page ───────────────────────────────────────────────────────────────────
  const sizes = await javascriptPerPage(server.baseUrl);

  // ── 1. modal → usable grid ──────────────────────────────────────────────────────────────────
  const viewer = await person('bench-viewer');
  const booker = await person('bench-booker');
  people.push(viewer, booker);
  await booker.page.goto(`${server.baseUrl}/signin`);
  await signIn(booker.page, 'rohan@kbstylish.test');
  await booker.page.getByTestId('signed-in-as').waitFor();
  for (const p of [viewer, booker]) {
    if (p === viewer) await p.page.goto(server.baseUrl);
    await p.page.getByText('Haircut & Style').click();
    await p.page.getByText('Aarav Shrestha').click();
    await p.page.waitForFunction(
      () => document.querySelectorAll('.month .day').length >= 28 && !document.querySelector('.month .day.loading'),
    );
  }
  const openDays = await viewer.page.locator('.month .day.open').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.date!));
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < OPEN_RUNS; i++) {
    const date = openDays[i % openDays.length];
    // The month calendar has already read every day once, so even the "cold" open is a server cache hit;
    // "cold" here is the first open in this page, "warm" the same day opened again.
    (i < openDays.length ? cold : warm).push(await openToUsableGrid(viewer.page, date));
  }

  // Days beyond the month shown, reached with the modal's "next day" button: nobody has read them yet,
  // so the server computes them (a cache miss) while the modal waits.
  const uncached: number[] = [];
  await openDay(viewer.page, openDays.at(-1)!);
  for (let i = 0; i < Math.min(OPEN_RUNS, 20); i++) uncached.push(await nextDayToGrid(viewer.page));
  await viewer.page.getByRole('button', { name: 'Close', exact: true }).click();

  // ── 2. booking in one context → visible in another ──────────────────────────────────────────
  // A fresh viewer: the one above has just opened forty days in a row, past the server's watch rate.
  const watcher = await person('bench-watcher');
  people.push(watcher);
  await watcher.page.goto(server.baseUrl);
  await watcher.page.getByText('Haircut & Style').click();
  await watcher.page.getByText('Aarav Shrestha').click();
  await watcher.page.waitForFunction(
    () => document.querySelectorAll('.month .day').length >= 28 && !document.querySelector('.month .day.loading'),
  );
  const bookedLag: number[] = [];
  const heldLag: number[] = [];
  let runs = 0;
  for (const date of openDays.slice(1)) {
    if (runs >= LIVE_RUNS) break;
    await openDay(watcher.page, date);
    await openDay(booker.page, date);
    while (runs < LIVE_RUNS) {
      const start = await booker.page
        .locator('[data-testid=slot-grid] .slot.available')
        .first()
        .getAttribute('data-start')
        .catch(() => null);
      if (!start) break;
      const seenHeld = waitForStatus(watcher.page, start, 'held');
      const seenBooked = waitForStatus(watcher.page, start, 'booked');
      // Awaited below; until then a rejection must not count as unhandled.
      seenHeld.catch(() => undefined);
      seenBooked.catch(() => undefined);
      await booker.page.locator(`[data-testid=slot-grid] [data-start="${start}"]`).click();
      const holdAt = await clickAt(booker.page, '[data-testid=hold-button]');
      heldLag.push((await seenHeld) - holdAt);
      await booker.page.getByTestId('hold-panel').waitFor();
      const bookAt = await clickAt(booker.page, '[data-testid=hold-panel] .btn.primary');
      bookedLag.push((await seenBooked) - bookAt);
      await booker.page.getByTestId('confirmation').waitFor();
      await booker.page.getByRole('button', { name: 'Book another time' }).click();
      runs++;
    }
  }

  const u = summarize(uncached);
  const c = summarize(cold);
  const w = summarize(warm);
  const b = summarize(bookedLag);
  const h = summarize(heldLag);
  out.push(
    '',
    '### Booking modal: open → usable slot grid',
    '',
    'Click on a day of the month calendar until the grid is rendered with its free times clickable (measured in the page, after the next frame).',
    '',
    table(
      ['open', 'n', 'p50 ms', 'p90 ms', 'max ms'],
      [
        ['first open of a day', c.n, ms(c.p50), ms(c.p90), ms(c.max)],
        ['same day again', w.n, ms(w.p50), ms(w.p90), ms(w.max)],
        ['a day nobody has read (server cache miss), via “next day”', u.n, ms(u.p50), ms(u.p90), ms(u.max)],
      ],
    ),
  );
  out.push(
    '',
    '### Live: a change in one browser → visible in another',
    '',
    'From the click in the booker’s browser to the slot’s new state rendered in the viewer’s browser (both on this machine; one clock).',
    '',
    table(
      ['change', 'n', 'p50 ms', 'p90 ms', 'max ms'],
      [
        ['hold (click “Hold”) → shown held', h.n, ms(h.p50), ms(h.p90), ms(h.max)],
        ['booking (click “Confirm booking”) → shown booked', b.n, ms(b.p50), ms(b.p90), ms(b.max)],
      ],
    ),
  );
  out.push(
    '',
    '### JavaScript per page (gzip -9 of what the browser downloaded)',
    '',
    table(
      ['page', 'files', 'raw KB', 'gzipped KB'],
      sizes.map((s) => [s.page, s.files, (s.raw / 1024).toFixed(1), (s.gzip / 1024).toFixed(1)]),
    ),
  );
  const customer = sizes.find((s) => s.page.startsWith('customer'))!;
  out.push(
    '',
    verdictTable([
      verdict('modal → usable grid, p90', c.p90, 200, false, (v) => `${ms(v)} ms`, 'the old product’s target'),
      verdict('uncached day → grid, p90', u.p90, 200, false, (v) => `${ms(v)} ms`),
      verdict('customer page JS, gzipped', customer.gzip / 1024, 120, false, (v) => `${v.toFixed(1)} KB`),
    ]),
  );
  console.log(out.join('\n'));
} finally {
  await Promise.all(people.map((p) => p.close()));
  await server.stop();
}

/** Opens the modal on `date` and returns ms from the click to a rendered grid with a free time. */
async function openToUsableGrid(page: Page, date: string): Promise<number> {
  if (await page.getByRole('dialog').count()) {
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  }
  return page.evaluate(
    (d) =>
      new Promise<number>((resolve, reject) => {
        const button = document.querySelector<HTMLButtonElement>(`.month [data-date="${d}"]`)!;
        const ready = () => !!document.querySelector('[data-testid=slot-grid] .slot.available');
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (!ready()) return;
          obs.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        obs.observe(document.body, { childList: true, subtree: true });
        setTimeout(() => reject(new Error(`no usable grid for ${d}`)), 10_000);
        button.click();
      }),
    date,
  );
}

/** Moves the open modal to the next day; ms until that day is rendered (its grid, or "no times"). */
async function nextDayToGrid(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const label = () => document.querySelector('[data-testid=modal-date]')?.textContent;
        const before = label();
        const ready = () => label() !== before && !!document.querySelector('[data-testid=slot-grid] .slot, [data-testid=day-empty]');
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (!ready()) return;
          obs.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        obs.observe(document.body, { childList: true, subtree: true, characterData: true });
        setTimeout(() => reject(new Error('next day never rendered')), 10_000);
        document.querySelector<HTMLButtonElement>('button[aria-label="Next day"]')!.click();
      }),
  );
}

async function openDay(page: Page, date: string): Promise<void> {
  if (await page.getByRole('dialog').count()) await page.getByRole('button', { name: 'Close', exact: true }).click();
  await page.locator(`.month [data-date="${date}"]`).click();
  await page.locator('[data-testid=slot-grid] .slot').first().waitFor();
}

/** Clicks in the page and returns the click's wall-clock time (ms since the epoch, sub-ms). */
async function clickAt(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const t = performance.timeOrigin + performance.now();
    document.querySelector<HTMLButtonElement>(sel)!.click();
    return t;
  }, selector);
}

/** Resolves with the wall-clock time the slot is rendered with `status` (after the next frame). */
function waitForStatus(page: Page, start: string, status: string): Promise<number> {
  return page.evaluate(
    ({ start, status }) =>
      new Promise<number>((resolve, reject) => {
        const sel = `[data-testid=slot-grid] [data-start="${start}"][data-status="${status}"]`;
        const done = () => requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
        if (document.querySelector(sel)) return done();
        const obs = new MutationObserver(() => {
          if (!document.querySelector(sel)) return;
          obs.disconnect();
          done();
        });
        obs.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-status'] });
        setTimeout(() => reject(new Error(`${start} never became ${status}`)), 10_000);
      }),
    { start, status },
  );
}

/** Loads each surface in a fresh browser and sums the JavaScript it downloaded. */
async function javascriptPerPage(baseUrl: string): Promise<{ page: string; files: number; raw: number; gzip: number }[]> {
  const pages = [
    { page: 'customer (/)', path: '/', login: null, ready: '.intro' },
    { page: 'stylist (/stylist)', path: '/stylist', login: 'aarav@kbstylish.test', ready: '[data-testid=timeline]' },
    { page: 'admin (/admin/system)', path: '/admin/system', login: 'admin@kbstylish.test', ready: '[data-testid=chart-clients]' },
  ];
  const result = [];
  for (const spec of pages) {
    const p = await person(`bench-js-${spec.path.replace(/\W/g, '') || 'root'}`);
    people.push(p);
    const bodies = new Map<string, Buffer>();
    p.page.on('response', async (res) => {
      if (res.request().resourceType() !== 'script') return;
      try {
        bodies.set(res.url(), await res.body());
      } catch {
        /* redirected or aborted */
      }
    });
    await p.page.goto(baseUrl + spec.path);
    if (spec.login) await signIn(p.page, spec.login);
    await p.page.locator(spec.ready).first().waitFor();
    await p.page.waitForLoadState('networkidle');
    const all = [...bodies.values()];
    result.push({
      page: spec.page,
      files: all.length,
      raw: all.reduce((a, b) => a + b.length, 0),
      gzip: all.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0),
    });
    await p.close();
  }
  return result;
}
