// The smaller things, in Chromium against the real server: a visitor's page load with a clean
// console, page titles, announcements that stay in sight (scrolling, over an open modal), focus
// through the booking modal, one message after a closure, the registration name limit and the
// header's ellipsis, and phone width (390 × 844): the stylist's customer panel as a bottom sheet and
// the admin's schedule editor without clipped fields.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import {
  busiestOpenDay,
  DEMO_PASSWORD,
  ensureWebBuild,
  monthLoaded,
  person,
  screenshot,
  signIn,
  startServer,
  type Person,
  type RunningServer,
} from './harness.ts';

const PHONE = { width: 390, height: 844 };

let server: RunningServer;
let V: Person; // a visitor, then customer@
let R: Person; // a visitor registering
let S: Person; // aarav@ at phone width
let M: Person; // admin@ at phone width
let admin: Client;
/** Console errors of every page (a 401 of a fetch is logged by Chromium as one). */
const consoleErrors: string[] = [];

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [V, R, S, M] = await Promise.all([
    person('visitor', { viewport: { width: 1180, height: 640 } }),
    person('register'),
    person('stylist-phone', { viewport: PHONE }),
    person('admin-phone', { viewport: PHONE }),
  ]);
  for (const p of [V, R, S, M]) {
    p.page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${p.name}: ${m.text()} (${m.location().url})`);
    });
  }
  admin = new Client(server.baseUrl);
  await admin.login('admin@kbstylish.test', DEMO_PASSWORD);
}, 180_000);

afterAll(async () => {
  await Promise.all([V, R, S, M].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  expect([V, R, S, M].filter(Boolean).flatMap((p) => p.errors)).toEqual([]);
}, 60_000);

async function box(l: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('element not rendered');
  return b;
}

/** Whether `inner` lies wholly inside `outer` (a pixel of rounding allowed). */
function inside(
  inner: { x: number; y: number; width: number; height: number },
  outer: { x: number; y: number; width: number; height: number },
) {
  return (
    inner.x >= outer.x - 1 &&
    inner.y >= outer.y - 1 &&
    inner.x + inner.width <= outer.x + outer.width + 1 &&
    inner.y + inner.height <= outer.y + outer.height + 1
  );
}

async function chooseHaircutWithAarav(page: Page): Promise<void> {
  await page.getByText('Haircut & Style').click();
  await page.getByText('Aarav Shrestha').click();
  await monthLoaded(page);
}

describe('polish, end to end', () => {
  it('a visitor’s page load has a clean console and a title that names the page', async () => {
    await V.page.goto(server.baseUrl);
    await V.page.getByRole('link', { name: 'Sign in' }).waitFor(); // the session probe has answered
    await V.page.getByText('Haircut & Style').waitFor();
    expect(await V.page.title()).toBe('Book a visit · KB Stylish Live');
    await V.page.getByRole('link', { name: 'My bookings' }).click();
    await V.page.waitForFunction(() => document.title === 'My bookings · KB Stylish Live');
    await V.page.goto(`${server.baseUrl}/admin/schedule`);
    await V.page.getByRole('heading', { name: 'Admin sign-in' }).waitFor();
    expect(await V.page.title()).toBe('Schedules · Admin console · KB Stylish Live');
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('an announcement stays in sight while the page scrolls and shows over an open modal', async () => {
    await V.page.goto(server.baseUrl);
    await V.page.getByRole('link', { name: 'Sign in' }).waitFor();
    const sent = await admin.request('POST', '/api/admin/announcements', {
      message: 'Water is off until noon: we still cut, no washes',
      audience: 'all',
      level: 'warning',
    });
    expect(sent.status).toBe(201);
    const banner = V.page.locator('header [data-testid=announcement]');
    await banner.waitFor();
    await chooseHaircutWithAarav(V.page);
    await V.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await V.page.evaluate(() => window.scrollY)).toBeGreaterThan(100);
    const scrolled = await box(banner);
    expect(scrolled.y).toBeGreaterThanOrEqual(0);
    expect(scrolled.y + scrolled.height).toBeLessThanOrEqual(640);

    const day = await busiestOpenDay(V.page);
    await V.page.locator(`.month [data-date="${day}"]`).click();
    const dialog = V.page.getByRole('dialog');
    await dialog.locator('[data-testid=slot-grid]').waitFor();
    const inModal = dialog.getByTestId('modal-announcements').getByTestId('modal-announcement');
    await inModal.waitFor();
    expect(await inModal.textContent()).toContain('Water is off until noon');
    const b = await box(inModal);
    // What is drawn at the banner's centre is the banner itself: nothing covers it.
    const onTop = await V.page.evaluate(
      ([x, y]) => !!document.elementFromPoint(x, y)?.closest('[data-testid=modal-announcements]'),
      [b.x + b.width / 2, b.y + b.height / 2],
    );
    expect(onTop).toBe(true);
    // And it can be dismissed from there.
    await inModal.getByRole('button', { name: 'Dismiss announcement' }).click();
    await dialog.getByTestId('modal-announcements').waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    expect(await V.page.locator('[data-testid=announcement]').count()).toBe(0);
  }, 60_000);

  it('moves focus with the booking: e-mail when signed out, Confirm after Hold, the day after closing', async () => {
    const day = await busiestOpenDay(V.page);
    await V.page.locator(`.month [data-date="${day}"]`).click();
    await V.page.locator('[data-testid=slot-grid] .slot.available').first().click();
    await V.page.getByTestId('hold-button').click();
    await V.page.getByText(/Sign in to hold/).waitFor();
    await V.page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'email');
    // Typing goes straight into the e-mail field.
    await V.page.keyboard.type('customer@kbstylish.test');
    const form = V.page.locator('form.auth').last();
    expect(await form.getByLabel('Email').inputValue()).toBe('customer@kbstylish.test');
    await form.getByLabel('Password').fill(DEMO_PASSWORD);
    await form.getByRole('button', { name: 'Sign in', exact: true }).click();
    await V.page.getByTestId('hold-panel').waitFor();
    await V.page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'confirm-booking');
    // Closing the modal returns focus to the day that opened it.
    await V.page.getByRole('button', { name: 'Release this time' }).click();
    await V.page.keyboard.press('Escape');
    await V.page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await V.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.date)).toBe(day);
    expect(await V.page.title()).toBe('Book a visit · KB Stylish Live');
  }, 60_000);

  it('after a closure the modal says one thing: the day is no longer available', async () => {
    const day = await busiestOpenDay(V.page);
    await V.page.locator(`.month [data-date="${day}"]`).click();
    const chosen = V.page.locator('[data-testid=slot-grid] .slot.available').nth(2);
    await chosen.click();
    const aarav = (await admin.request<{ id: string; displayName: string }[]>('GET', '/api/stylists')).data.find(
      (s) => s.displayName === 'Aarav Shrestha',
    )!;
    const closed = await admin.request('POST', '/api/admin/overrides', {
      scope: 'stylist',
      stylistId: aarav.id,
      startDate: day,
      endDate: day,
      kind: 'closed',
      reason: 'Burst pipe',
    });
    expect(closed.status).toBe(201);
    const dialog = V.page.getByRole('dialog');
    await dialog.getByTestId('day-emptied').waitFor();
    expect(await dialog.getByTestId('lost-notice').count()).toBe(0);
    expect(await dialog.getByTestId('flow-error').count()).toBe(0);
    expect(await dialog.getByTestId('try-anyway').count()).toBe(0);
    expect(await dialog.locator('[role=alert]').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  }, 60_000);

  it('registration says a long name is too long under the field, and the header ends a long name in an ellipsis', async () => {
    await R.page.goto(`${server.baseUrl}/signin`);
    await R.page.getByRole('tab', { name: 'Create account' }).click();
    const form = R.page.locator('form.auth');
    await form.getByLabel('Your name').fill('Ananya '.repeat(20) + 'Shrestha');
    await form.getByLabel('Email').fill('ananya.long@example.test');
    await form.getByLabel('Password').fill('quiet-lantern-harbour-42');
    await form.getByRole('button', { name: 'Create account' }).click();
    const problem = form.getByTestId('name-error');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/at most 120 characters/);
    expect(await form.getByLabel('Your name').getAttribute('aria-invalid')).toBe('true');
    // Nothing was cut: the field still holds everything typed.
    expect((await form.getByLabel('Your name').inputValue()).length).toBe(148);

    const name = ('Ananya '.repeat(20) + 'Shrestha').slice(0, 120);
    await form.getByLabel('Your name').fill(name);
    await form.getByRole('button', { name: 'Create account' }).click();
    const who = R.page.getByTestId('signed-in-as');
    await who.waitFor();
    expect(await who.textContent()).toBe(name);
    expect(await who.getAttribute('title')).toBe(name);
    const cut = await who.evaluate((el) => ({
      overflow: getComputedStyle(el).textOverflow,
      clipped: el.scrollWidth > el.clientWidth,
      lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '20')),
    }));
    expect(cut.overflow).toBe('ellipsis');
    expect(cut.clipped).toBe(true);
    // The header keeps one row: the brand, the navigation and the name side by side.
    const header = await box(R.page.locator('header.top .inner'));
    expect(header.height).toBeLessThan(70);
  }, 60_000);

  it('at phone width the stylist’s customer panel opens as a bottom sheet in view', async () => {
    await S.page.goto(`${server.baseUrl}/stylist`);
    await signIn(S.page, 'aarav@kbstylish.test');
    await S.page.getByTestId('timeline').waitFor();
    expect(await S.page.title()).toBe('My day · Stylist dashboard · KB Stylish Live');
    const show = S.page.getByRole('button', { name: /show customer/ }).last();
    await show.scrollIntoViewIfNeeded();
    await show.click();
    const sheet = S.page.getByTestId('customer-sheet');
    const panel = sheet.getByTestId('customer-panel');
    await panel.waitFor();
    // The sheet's rise animation has ended (it lasts --calm, longer than a fixed pause under load).
    await sheet.evaluate(async (el) => {
      await Promise.all(el.getAnimations().map((a) => a.finished));
    });
    const viewport = { x: 0, y: 0, ...PHONE };
    const s = await box(sheet);
    expect(inside(s, viewport)).toBe(true);
    expect(s.y + s.height).toBeGreaterThan(PHONE.height - 2); // docked at the bottom
    expect(inside(await box(panel.getByRole('heading').first()), viewport)).toBe(true);
    // Focus moved into the sheet; its Close button (or Escape) closes it.
    expect(await S.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Close');
    await screenshot(S.page, 'phone-customer-sheet');
    await S.page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  }, 60_000);

  it('at phone width the admin’s schedule editor shows every time field and Remove whole', async () => {
    await M.page.goto(`${server.baseUrl}/admin/schedule`);
    await signIn(M.page, 'admin@kbstylish.test');
    await M.page.getByRole('link', { name: 'Schedules' }).click();
    await M.page.getByLabel('Stylist').selectOption({ label: 'Aarav Shrestha' });
    await M.page.getByTestId('schedule-in-force').waitFor();
    expect(await M.page.title()).toBe('Schedules · Admin console · KB Stylish Live');
    const viewportWidth = PHONE.width;
    const days = M.page.locator('fieldset.day');
    expect(await days.count()).toBe(7);
    let checked = 0;
    for (let d = 0; d < 7; d++) {
      const fs = days.nth(d);
      const outer = await box(fs);
      expect(outer.x).toBeGreaterThanOrEqual(0);
      expect(outer.x + outer.width).toBeLessThanOrEqual(viewportWidth);
      for (const el of await fs.locator('.win input, .win button').all()) {
        expect(inside(await box(el), outer)).toBe(true);
        checked++;
      }
      for (const input of await fs.locator('.win input[type=time]').all()) {
        // The time is drawn whole: the field is wide enough for its own content.
        const fits = await input.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.getBoundingClientRect().width >= 90);
        expect(fits).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(6);
    // No sideways scrolling of the page.
    expect(await M.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewportWidth);
    await M.page.locator('fieldset.day').first().scrollIntoViewIfNeeded();
    await screenshot(M.page, 'phone-admin-schedule');
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
