// Holds that behave, in Chromium against the real server: a customer holds a time, reloads and finds
// it still theirs ("your hold", the countdown carrying on); Escape asks before releasing; closing the
// tab releases the hold (a keepalive DELETE through the origin check with the session cookie), and
// another customer's grid shows the time free again, live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  busiestOpenDay,
  ensureWebBuild,
  monthLoaded,
  person,
  screenshot,
  showDay,
  signIn,
  startServer,
  type Person,
  type RunningServer,
} from './harness.ts';

let server: RunningServer;
let C: Person; // maya@, holds and leaves
let O: Person; // rohan@, watches the same day in another browser

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [C, O] = await Promise.all([person('holds-c'), person('holds-o')]);
}, 180_000);

afterAll(async () => {
  await Promise.all([C, O].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  const errors = [C, O].filter(Boolean).flatMap((p) => p.errors);
  expect(errors).toEqual([]);
}, 60_000);

async function signedInOnDay(p: Person, email: string, day?: string): Promise<string> {
  await p.page.goto(`${server.baseUrl}/signin`);
  await signIn(p.page, email);
  await p.page.getByTestId('signed-in-as').waitFor();
  await p.page.getByRole('link', { name: 'Book', exact: true }).click();
  await p.page.getByText('Haircut & Style').click();
  await p.page.getByText('Aarav Shrestha').click();
  await monthLoaded(p.page);
  // The open day after today with the most free times.
  const chosen = day ?? (await busiestOpenDay(p.page));
  await showDay(p.page, chosen);
  await p.page.locator(`.month [data-date="${chosen}"]`).click();
  await p.page.locator('[data-testid=slot-grid] .slot.available').first().waitFor();
  return chosen;
}

/** The countdown of the hold panel, in seconds. */
async function countdown(p: Person): Promise<number> {
  const text = (await p.page.locator('[data-testid=hold-panel] .countdown').textContent())!.trim();
  const [m, s] = text.split(':').map(Number);
  return m * 60 + s;
}

describe('holds that behave, end to end', () => {
  it('hold, reload: still "your hold" with its countdown; Escape asks; closing the tab frees the time live for others', async () => {
    const day = await signedInOnDay(C, 'maya@kbstylish.test');
    await signedInOnDay(O, 'rohan@kbstylish.test', day);

    const start = (await C.page.locator('[data-testid=slot-grid] .slot.available').first().getAttribute('data-start'))!;
    const atC = C.page.locator(`[data-testid=slot-grid] [data-start="${start}"]`);
    const atO = (status: string) => O.page.locator(`[data-testid=slot-grid] [data-start="${start}"][data-status=${status}]`);
    await atC.click();
    await C.page.getByTestId('hold-button').click();
    await C.page.getByTestId('hold-panel').waitFor();
    await atO('held').waitFor();
    const before = await countdown(C);
    const mineBefore = (await (await C.context.request.get(`${server.baseUrl}/api/holds/mine`)).json()) as { id: string }[];
    expect(mineBefore).toHaveLength(1);

    // Reload: the hold is released as the page goes and taken back as it loads, so it is still
    // the customer's, with the countdown carrying on (never restarted).
    await C.page.reload();
    const panel = C.page.getByTestId('hold-panel');
    await panel.waitFor();
    expect(await panel.textContent()).toMatch(/Your hold.*is held for you\s*\d+:\d\d/s);
    expect(await atC.getAttribute('aria-label')).toMatch(/Held for you$/);
    const after = await countdown(C);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(before);
    const mine = await C.context.request.get(`${server.baseUrl}/api/holds/mine`);
    expect(mine.status()).toBe(200);
    const mineAfter = (await mine.json()) as { id: string; startUtc: string }[];
    expect(mineAfter.map((h) => h.startUtc)).toEqual([start]);
    // A new hold taken back by the reloaded page (so a release still on its way cannot remove it).
    expect(mineAfter[0].id).not.toBe(mineBefore[0].id);
    // For the other customer the time is held by someone else.
    await atO('held').waitFor();
    await screenshot(C.page, 'booking-modal-your-hold-after-reload');

    // Escape asks before releasing; Escape again (or "Keep my hold") keeps it.
    await C.page.keyboard.press('Escape');
    await C.page.getByTestId('confirm-release').waitFor();
    expect(await C.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('keep-hold');
    await screenshot(C.page, 'booking-modal-release-confirm');
    await C.page.keyboard.press('Escape');
    await C.page.getByTestId('confirm-release').waitFor({ state: 'detached' });
    await panel.waitFor();
    await C.page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'confirm-booking');
    expect(await C.page.getByRole('dialog').isVisible()).toBe(true);
    await atO('held').waitFor();

    // Closing the tab releases the hold; the other customer sees the time free again, live.
    await C.page.close({ runBeforeUnload: true });
    await atO('available').waitFor();
    const left = await C.context.request.get(`${server.baseUrl}/api/holds/mine`);
    expect(await left.json()).toEqual([]);
  });
});
