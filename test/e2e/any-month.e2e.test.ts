// "Any stylist" and the month calendar in Chromium against the real server on a fresh demo salon:
// a customer at 1280 px sees the whole month, moves through it with the keyboard, books a time with
// any stylist and is told who was assigned; a second customer's calendar follows the bookings live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import { DEMO_PASSWORD, ensureWebBuild, person, screenshot, signIn, startServer, type Person, type RunningServer } from './harness.ts';

let server: RunningServer;
let C: Person; // customer@, books with any stylist at 1280 px
let W: Person; // an anonymous visitor watching the same calendar

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [C, W] = await Promise.all([person('any-customer', { viewport: { width: 1280, height: 900 } }), person('any-watcher')]);
}, 180_000);

afterAll(async () => {
  await Promise.all([C, W].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  const errors = [C, W].filter(Boolean).flatMap((p) => p.errors);
  expect(errors).toEqual([]);
}, 60_000);

async function chooseHaircutWithAnyone(p: Person): Promise<void> {
  await p.page.getByText('Haircut & Style').click();
  await p.page.getByText('Any stylist').click();
  // The whole month has answered (no day still shows "…").
  await p.page.waitForFunction(
    () => document.querySelectorAll('.month .day').length >= 28 && !document.querySelector('.month .day.loading'),
  );
}

/** Free times the calendar shows for a date ("7 free" → 7; anything else → 0). */
const freeOn = (p: Person, date: string) =>
  p.page.locator(`.month [data-date="${date}"] .avail`).evaluate((e) => Number(/^(\d+) free$/.exec(e.textContent ?? '')?.[1] ?? 0));

describe('any stylist and a month at a glance, end to end', () => {
  it('shows every day of the month at 1280 px, moves with the keyboard, books with any stylist, and stays live elsewhere', async () => {
    await C.page.goto(`${server.baseUrl}/signin`);
    await signIn(C.page, 'customer@kbstylish.test');
    await C.page.getByTestId('signed-in-as').waitFor();
    await C.page.goto(server.baseUrl);
    await W.page.goto(server.baseUrl);
    await Promise.all([chooseHaircutWithAnyone(C), chooseHaircutWithAnyone(W)]);

    // Nothing of the month is cut off at 1280 px (the old strip lost its 14th day there).
    const clipped = await C.page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('.month .day')].filter((d) => d.getBoundingClientRect().right > window.innerWidth)
          .length,
    );
    expect(clipped).toBe(0);
    // Statuses in words: the demo salon has a closure nine days ahead, and days off.
    const statuses = await C.page.locator('.month .day').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.status));
    expect(statuses).toContain('open');
    await screenshot(C.page, 'customer-month-view', true);

    // Keyboard: one tab stop (today); the arrows move by a day and a week.
    const stop = C.page.locator('.month button[tabindex="0"]');
    const today = (await stop.getAttribute('data-date'))!;
    await stop.focus();
    await C.page.keyboard.press('ArrowDown');
    const weekLater = await C.page.evaluate(() => (document.activeElement as HTMLElement).dataset.date);
    expect(Date.parse(weekLater!) - Date.parse(today)).toBe(7 * 86_400_000);
    await C.page.keyboard.press('ArrowLeft');
    expect(await C.page.evaluate(() => (document.activeElement as HTMLElement).dataset.date)).toBe(
      new Date(Date.parse(today) + 6 * 86_400_000).toISOString().slice(0, 10),
    );

    // The open day after today with the most free times (on the month's last days, in the next month).
    const laterOpen = (p: Person) =>
      p.page.evaluate(
        (t) => [...document.querySelectorAll<HTMLElement>('.month .day.open')].filter((d) => d.dataset.date! > t).length,
        today,
      );
    if ((await laterOpen(C)) === 0) {
      for (const p of [C, W]) {
        await p.page.getByRole('button', { name: 'Next month' }).click();
        await p.page.waitForFunction(() => !document.querySelector('.month .day.loading') && !!document.querySelector('.month .day.open'));
      }
    }
    const day = await C.page.evaluate((t) => {
      const free = (d: HTMLElement) => Number(d.querySelector('.avail')?.textContent?.split(' ')[0]);
      const open = [...document.querySelectorAll<HTMLElement>('.month .day.open')].filter((d) => d.dataset.date! > t);
      return open.reduce((best, d) => (free(d) > free(best) ? d : best)).dataset.date!;
    }, today);
    const watcherBefore = await freeOn(W, day);
    expect(watcherBefore).toBeGreaterThan(0);

    // The grid of the union: each free time with the stylists free for it; hold, confirm, see who it is with.
    await C.page.locator(`.month [data-date="${day}"]`).click();
    await C.page.locator('[data-testid=slot-grid] .slot.available').first().waitFor();
    expect(await C.page.getByRole('dialog').getAttribute('aria-labelledby')).toBeTruthy();
    expect(await C.page.locator('#modal-title').textContent()).toMatch(/with any stylist/);
    const start = (await C.page.locator('[data-testid=slot-grid] .slot.available').first().getAttribute('data-start'))!;
    await C.page.locator(`[data-testid=slot-grid] [data-start="${start}"]`).click();
    await C.page.getByTestId('hold-button').click();
    await C.page.getByTestId('hold-panel').waitFor();
    const held = (await C.page.getByTestId('hold-panel').textContent())!;
    const assigned = /with\s+(Aarav Shrestha|Priya Sharma|Bikash Thapa)/.exec(held)?.[1];
    expect(assigned, held).toBeTruthy();
    await C.page.getByRole('button', { name: 'Confirm booking' }).click();
    await C.page.getByTestId('confirmation').waitFor();
    expect(await C.page.getByTestId('assigned-stylist').textContent()).toBe(assigned);

    // Others book the same time with any stylist until nobody is left free: the watcher's calendar follows live.
    const names = ['maya', 'nabin', 'sarita', 'kiran'];
    const clients = await Promise.all(
      names.map(async (n) => {
        const c = new Client(server.baseUrl);
        await c.login(`${n}@kbstylish.test`, DEMO_PASSWORD);
        return c;
      }),
    );
    const serviceId = await C.page.evaluate(async () => {
      const services = (await (await fetch('/api/services')).json()) as { id: string; name: string }[];
      return services.find((s) => s.name === 'Haircut & Style')!.id;
    });
    const assignedTo = new Set<string>();
    for (const c of clients) {
      const r = await c.request<{ stylistId?: string; error?: { code: string } }>('POST', '/api/bookings', {
        stylistId: 'any',
        serviceId,
        startUtc: start,
      });
      if (r.status === 409) {
        expect(r.data.error?.code).toBe('SLOT_TAKEN');
        break;
      }
      expect(r.status).toBe(201);
      assignedTo.add(r.data.stylistId!);
    }
    expect(assignedTo.size).toBeGreaterThan(0);
    await W.page.waitForFunction(
      ([date, before]) => {
        const text = document.querySelector(`.month [data-date="${date}"] .avail`)?.textContent ?? '';
        const n = Number(/^(\d+) free$/.exec(text)?.[1] ?? 0);
        return n < before;
      },
      [day, watcherBefore] as const,
    );
  });
});
