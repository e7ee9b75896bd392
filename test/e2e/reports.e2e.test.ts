// The salon's numbers in Chromium: the Reports tab draws its uPlot charts (axes, legend values on
// hover), exports the table as a CSV file, and the System tab charts the live metrics.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, person, screenshot, signIn, startServer, type Person, type RunningServer } from './harness.ts';

let server: RunningServer;
let M: Person;

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  M = await person('admin-reports', { viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await M?.close();
  await server?.stop();
  expect(M?.errors ?? []).toEqual([]);
});

describe('reports and system charts', () => {
  it('draws the report charts, shows values under the cursor and downloads the CSV', async () => {
    const page = M.page;
    await page.goto(`${server.baseUrl}/admin`);
    await signIn(page, 'admin@kbstylish.test');
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    const bookings = page.getByTestId('chart-report-bookings');
    await bookings.locator('canvas').waitFor();
    // The demo salon has past days: some bookings in the last 30 days.
    expect(Number(await page.getByTestId('report-totals').locator('[data-key=bookings]').textContent())).toBeGreaterThan(0);
    // Axes are labelled with their units.
    await expect.poll(() => bookings.locator('.u-legend').textContent()).toMatch(/Bookings/);
    for (const id of ['chart-report-utilisation', 'chart-report-no-shows']) await page.getByTestId(id).locator('canvas').waitFor();

    // Hovering a day shows its values in the legend (the tooltip of uPlot).
    const over = bookings.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await expect.poll(() => bookings.locator('.u-legend .u-series').first().locator('.u-value').textContent()).toMatch(/\d{4}/);
    await screenshot(page, 'admin-reports', true);

    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe('true');
    const stylists = (await page.getByTestId('report-stylists').locator('tbody tr').count()) || 0;
    expect(stylists).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^salon-report-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toMatch(/^date,stylist,bookings,completed,no_shows,/);
    // Seven days of every stylist, then the final line end.
    expect(lines).toHaveLength(1 + 7 * stylists + 1);
  });

  it('charts the live metrics on the System tab', async () => {
    const page = M.page;
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'Live operations' }).waitFor();
    const clients = page.getByTestId('chart-clients');
    await clients.locator('canvas').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-clients] .value')?.getAttribute('data-value')) >= 1);
    // A few polls make a line.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=chart-hit-ratio] canvas').length === 1);
    await page.waitForTimeout(4500);
    await screenshot(page, 'admin-system', true);
  });
});
