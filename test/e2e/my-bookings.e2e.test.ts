// "My bookings" is live, in Chromium against the real server on a fresh database: one customer in
// two browser contexts (two devices, each with its own session) books in one and sees it arrive in
// the other's list without a reload; a move made in one shows in both. A second customer's list,
// open all along, receives none of it.
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

let server: RunningServer;
let T1: Person; // maya@, books and moves
let T2: Person; // maya@ again, on another device with My bookings open
let O: Person; // nabin@, another customer with My bookings open

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [T1, T2, O] = await Promise.all([person('maya-1'), person('maya-2'), person('nabin')]);
}, 180_000);

afterAll(async () => {
  await Promise.all([T1, T2, O].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  const errors = [T1, T2, O].filter(Boolean).flatMap((p) => p.errors);
  expect(errors).toEqual([]);
}, 60_000);

const ids = (p: Person) => p.page.locator('li.booking').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.bookingId!));
const row = (p: Person, id: string) => p.page.locator(`li.booking[data-booking-id="${id}"]`);

async function openMyBookings(p: Person, email: string): Promise<void> {
  await p.page.goto(`${server.baseUrl}/bookings`);
  await signIn(p.page, email);
  await p.page.getByRole('heading', { name: 'Coming up' }).waitFor();
  await p.page.locator('[data-testid=connection].live').waitFor();
}

describe('My bookings, live across devices', () => {
  let bookedId = '';

  it('a booking made on one device appears in the other device’s list as it happens, and nowhere else', async () => {
    await Promise.all([openMyBookings(T2, 'maya@kbstylish.test'), openMyBookings(O, 'nabin@kbstylish.test')]);
    const [before, otherBefore] = [await ids(T2), await ids(O)];

    await T1.page.goto(`${server.baseUrl}/signin`);
    await signIn(T1.page, 'maya@kbstylish.test');
    await T1.page.getByTestId('signed-in-as').waitFor();
    await T1.page.getByRole('link', { name: 'Book', exact: true }).click();
    await T1.page.getByText('Haircut & Style').click();
    await T1.page.getByText('Aarav Shrestha').click();
    // The open day after today with the most free times.
    await monthLoaded(T1.page);
    const day = await busiestOpenDay(T1.page);
    await T1.page.locator(`.month [data-date="${day}"]`).click();
    const free = T1.page.locator('[data-testid=slot-grid] .slot.available');
    await free.first().waitFor();
    const start = (await free.first().getAttribute('data-start'))!;
    await free.first().click();
    await T1.page.getByTestId('hold-button').click();
    await T1.page.getByRole('button', { name: 'Confirm booking' }).click();
    await T1.page.getByTestId('confirmation').waitFor();

    // The other device: the new booking arrives in "Coming up", marked, without a reload.
    await T2.page.waitForFunction((n) => document.querySelectorAll('li.booking').length === n + 1, before.length);
    const added = (await ids(T2)).filter((id) => !before.includes(id));
    expect(added).toHaveLength(1);
    bookedId = added[0];
    expect(await row(T2, bookedId).getAttribute('data-start')).toBe(start);
    await row(T2, bookedId).getByTestId('updated-live').waitFor();
    expect(await T2.page.getByTestId('live-polite').textContent()).toMatch(/new booking/);
    await screenshot(T2.page, 'my-bookings-live');

    // And it is what the server has.
    const api = new Client(server.baseUrl);
    await api.login('maya@kbstylish.test', DEMO_PASSWORD);
    const mine = (await api.request<{ id: string; startUtc: string }[]>('GET', '/api/bookings/mine')).data;
    expect(mine.find((b) => b.id === bookedId)?.startUtc).toBe(start);

    // The booking device's own list has it at once (from the answer), with no reload either.
    await T1.page.getByRole('button', { name: 'See my bookings' }).click();
    await row(T1, bookedId).waitFor();

    // Another customer's list never heard of it.
    expect(await ids(O)).toEqual(otherBefore);
  }, 120_000);

  it('a move made on one device updates both lists; a cancellation on the other updates the first', async () => {
    const oldStart = (await row(T1, bookedId).getAttribute('data-start'))!;
    await row(T1, bookedId).getByRole('button', { name: 'Reschedule' }).click();
    await T1.page.getByRole('heading', { name: 'Move your booking' }).waitFor();
    const free = T1.page.locator('[data-testid=slot-grid] .slot.available');
    await free.first().waitFor();
    const to = (await free.last().getAttribute('data-start'))!;
    expect(to).not.toBe(oldStart);
    await free.last().click();
    await T1.page.getByTestId('hold-button').click();
    await T1.page.getByText('Your booking was moved').waitFor();
    await T1.page.getByRole('button', { name: 'See my bookings' }).click();

    await T1.page.locator(`li.booking[data-booking-id="${bookedId}"][data-start="${to}"]`).waitFor();
    await T2.page.locator(`li.booking[data-booking-id="${bookedId}"][data-start="${to}"]`).waitFor();
    expect(await row(T2, bookedId).textContent()).toMatch(/Confirmed/);

    // Cancelled on the second device: the first device's list follows.
    await row(T2, bookedId).getByRole('button', { name: 'Cancel' }).click();
    await row(T2, bookedId).getByRole('button', { name: 'Yes, cancel it' }).click();
    await T1.page.locator(`li.booking[data-booking-id="${bookedId}"][data-status="cancelled"]`).waitFor();
    await T2.page.locator(`li.booking[data-booking-id="${bookedId}"][data-status="cancelled"]`).waitFor();
    await T1.page.getByRole('heading', { name: 'Past and cancelled' }).waitFor();
    expect(await O.page.locator(`li.booking[data-booking-id="${bookedId}"]`).count()).toBe(0);
  }, 120_000);
});
