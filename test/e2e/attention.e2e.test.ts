// When the salon closes on a booked day, in Chromium against the real server on a fresh database:
// the admin closes a stylist's day and sees whom to call, the stylist's dashboard marks the booking
// live, and the customer finds it flagged in My bookings and moves it with one tap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import { DEMO_PASSWORD, ensureWebBuild, person, screenshot, signIn, startServer, type Person, type RunningServer } from './harness.ts';

let server: RunningServer;
let C: Person; // rina@, the customer
let S: Person; // aarav@, her stylist
let M: Person; // admin@

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [C, S, M] = await Promise.all([person('customer'), person('stylist'), person('admin', { viewport: { width: 1280, height: 900 } })]);
}, 180_000);

afterAll(async () => {
  await Promise.all([C, S, M].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  const errors = [C, S, M].filter(Boolean).flatMap((p) => p.errors);
  expect(errors).toEqual([]);
}, 60_000);

interface Stylist {
  id: string;
  displayName: string;
  services: { id: string; name: string }[];
}
interface Slot {
  startUtc: string;
  status: string;
}

describe('a closure on a booked day, end to end', () => {
  let rina: Client;
  let bookingId = '';
  let day = '';
  let aarav: Stylist;

  it('the customer has a booking; the admin closes that day and sees whom to call; the stylist sees it flagged live', async () => {
    rina = new Client(server.baseUrl);
    await rina.login('rina@kbstylish.test', DEMO_PASSWORD);
    const stylists = (await rina.request<Stylist[]>('GET', '/api/stylists')).data;
    aarav = stylists.find((s) => s.displayName.startsWith('Aarav'))!;
    const service = aarav.services.find((s) => s.name === 'Haircut & Style')!;
    // The first free time from two days ahead (not a day off, not the demo closure) that Rina can take:
    // she has bookings of her own, and one customer is in one chair at a time (409 CUSTOMER_BUSY).
    const { timezone } = (await rina.request<{ timezone: string }>('GET', '/api/salon')).data;
    let booked: { status: number; data: { id: string; error?: { code: string } } } | undefined;
    for (let i = 2; i < 9 && booked?.status !== 201; i++) {
      day = new Date(Date.now() + i * 86_400_000).toLocaleDateString('en-CA', { timeZone: timezone });
      const slots = await rina.request<Slot[]>(
        'GET',
        `/api/bookings/available-slots?stylistId=${aarav.id}&serviceId=${service.id}&targetDate=${day}`,
      );
      for (const slot of slots.data.filter((s) => s.status === 'available')) {
        booked = await rina.request<{ id: string; error?: { code: string } }>('POST', '/api/bookings', {
          stylistId: aarav.id,
          serviceId: service.id,
          startUtc: slot.startUtc,
        });
        if (booked.status === 201) break;
        expect(booked.data.error?.code).toBe('CUSTOMER_BUSY');
      }
    }
    expect(booked?.status).toBe(201);
    bookingId = booked!.data.id;

    // The stylist's dashboard is open before the closure.
    await S.page.goto(`${server.baseUrl}/stylist`);
    await signIn(S.page, 'aarav@kbstylish.test');
    const card = S.page.locator(`article:not(.compact)[data-booking-id="${bookingId}"]`);
    await card.waitFor();
    expect(await card.getByTestId('attention').count()).toBe(0);

    await M.page.goto(`${server.baseUrl}/admin`);
    await signIn(M.page, 'admin@kbstylish.test');
    await M.page.getByRole('heading', { name: 'Today', exact: true }).waitFor();
    await M.page.getByRole('link', { name: 'Overrides' }).click();
    await M.page.getByLabel('Applies to').selectOption('stylist');
    await M.page.getByLabel('Stylist', { exact: true }).selectOption(aarav.id);
    await M.page.getByLabel('Kind').selectOption('closed');
    await M.page.getByLabel('First date').fill(day);
    await M.page.getByLabel('Reason').fill('Aarav is unwell');
    await M.page.getByRole('button', { name: 'Preview affected bookings' }).click();
    const preview = M.page.getByTestId('override-preview');
    await preview.waitFor();
    // The preview names the customer and how to reach her.
    const contact = preview.locator(`li[data-booking-id="${bookingId}"] [data-testid=affected-customer]`);
    expect(await contact.textContent()).toMatch(/Rina Bhandari · 98\d{8}/);
    expect(await contact.locator('a[href^="tel:98"]').count()).toBe(1);
    await M.page.getByRole('button', { name: 'Confirm and apply' }).click();
    await M.page.getByTestId('override-created').waitFor();

    // Live on the stylist's dashboard, without a reload.
    await card.getByTestId('attention').waitFor();
    expect(await card.getByTestId('attention').textContent()).toMatch(/Closed: contact customer/);
  }, 120_000);

  it('the customer sees the flag in My bookings and moves the booking with one tap', async () => {
    await C.page.goto(`${server.baseUrl}/bookings`);
    await signIn(C.page, 'rina@kbstylish.test');
    const item = C.page.locator(`li[data-booking-id="${bookingId}"]`);
    const notice = item.getByTestId('attention');
    await notice.waitFor();
    expect(await notice.getAttribute('data-reason')).toBe('closed');
    expect(await notice.textContent()).toMatch(/The salon is closed at this time/);
    const times = notice.getByRole('list', { name: 'Nearest free times' }).getByRole('button');
    await times.first().waitFor();
    expect(await times.count()).toBeGreaterThan(0);
    // The plain Reschedule and Cancel buttons give way to the notice's own.
    expect(await item.getByRole('button', { name: 'Reschedule' }).count()).toBe(0);
    await screenshot(C.page, 'customer-flagged-booking');

    const label = (await times.first().getAttribute('aria-label'))!;
    await times.first().click();
    await notice.waitFor({ state: 'detached' });
    expect(await C.page.getByTestId('live-polite').textContent()).toMatch(/Your booking was moved/);
    expect(label).toMatch(/^Move to .+ with .+$/);

    const mine = await rina.request<{ id: string; attention: unknown; startUtc: string; stylistId: string }[]>('GET', '/api/bookings/mine');
    const moved = mine.data.find((b) => b.id === bookingId)!;
    expect(moved.attention).toBeNull();
    expect(item.getByRole('button', { name: 'Reschedule' })).toBeTruthy();
    await item.getByRole('button', { name: 'Reschedule' }).waitFor();
  }, 90_000);
});
