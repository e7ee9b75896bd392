// The front desk's day, in Chromium against the real server on a fresh demo database: reception
// books a walk-in while a customer books online, and the stylist marks a visit nobody turned up to
// as a no-show; each of the three screens follows the others live, without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import {
  DEMO_PASSWORD,
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
let R: Person; // desk@, reception at a 1280 px screen
let C: Person; // maya@, a customer booking online
let S: Person; // the stylist

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [R, C, S] = await Promise.all([person('reception', { viewport: { width: 1280, height: 900 } }), person('customer'), person('stylist')]);
}, 180_000);

afterAll(async () => {
  await Promise.all([R, C, S].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  const errors = [R, C, S].filter(Boolean).flatMap((p) => p.errors);
  expect(errors).toEqual([]);
}, 60_000);

interface Stylist {
  id: string;
  displayName: string;
  services: { id: string; name: string }[];
}
interface DeskBooking {
  id: string;
  status: string;
  endUtc: string;
}
interface Calendar {
  stylists: { stylistId: string; displayName: string; bookings: DeskBooking[] }[];
}
interface Slot {
  startUtc: string;
  status: string;
}

const salonDate = (ms: number, zone: string) => new Date(ms).toLocaleDateString('en-CA', { timeZone: zone });

describe('the front desk, a customer and a stylist on one day', () => {
  let zone = '';
  let stylist: Stylist;
  let service: { id: string; name: string };
  let unmarked = { id: '', date: '' };
  let day = '';
  let walkInStart = '';

  it('finds a visit nobody marked yet and a coming day with free times for its stylist', async () => {
    const desk = new Client(server.baseUrl);
    await desk.login('desk@kbstylish.test', DEMO_PASSWORD);
    zone = (await desk.request<{ timezone: string }>('GET', '/api/salon')).data.timezone;
    const stylists = (await desk.request<Stylist[]>('GET', '/api/stylists')).data;
    // The demo seed leaves some of the last two days' visits unmarked (still confirmed after their end).
    for (const back of [0, 1, 2]) {
      const date = salonDate(Date.now() - back * 86_400_000, zone);
      const cal = (await desk.request<Calendar>('GET', `/api/desk/calendar?date=${date}`)).data;
      for (const col of cal.stylists) {
        const b = col.bookings.find((x) => x.status === 'confirmed' && Date.parse(x.endUtc) <= Date.now());
        if (b && !unmarked.id) {
          unmarked = { id: b.id, date };
          stylist = stylists.find((s) => s.id === col.stylistId)!;
        }
      }
      if (unmarked.id) break;
    }
    expect(unmarked.id).not.toBe('');
    service = stylist.services[0];
    for (let i = 1; i < 8 && !day; i++) {
      const date = salonDate(Date.now() + i * 86_400_000, zone);
      const slots = (
        await desk.request<Slot[]>(
          'GET',
          `/api/bookings/available-slots?stylistId=${stylist.id}&serviceId=${service.id}&targetDate=${date}`,
        )
      ).data;
      const free = slots.filter((s) => s.status === 'available');
      if (free.length >= 4) {
        day = date;
        walkInStart = free[free.length - 1].startUtc;
      }
    }
    expect(day).not.toBe('');
  });

  it('reception books a walk-in; the customer’s open grid and the stylist’s dashboard show it at once', async () => {
    const first = stylist.displayName.split(' ')[0].toLowerCase();
    await S.page.goto(`${server.baseUrl}/stylist`);
    await signIn(S.page, `${first}@kbstylish.test`);
    await S.page.getByTestId('timeline').waitFor();

    await C.page.goto(`${server.baseUrl}/signin`);
    await signIn(C.page, 'maya@kbstylish.test');
    await C.page.getByTestId('signed-in-as').waitFor();
    await C.page.goto(server.baseUrl);
    await C.page.getByText(service.name, { exact: true }).first().click();
    await C.page.getByText(stylist.displayName).click();
    await monthLoaded(C.page);
    await showDay(C.page, day);
    await C.page.locator(`.month [data-date="${day}"]`).click();
    await C.page.locator('[data-testid=slot-grid] .slot.available').first().waitFor();

    await R.page.goto(`${server.baseUrl}/desk`);
    await signIn(R.page, 'desk@kbstylish.test');
    await R.page.getByTestId('day-calendar').waitFor();
    await R.page.getByTestId('desk-date').fill(day);
    await R.page.getByTestId('desk-date').dispatchEvent('change');
    const column = R.page.locator(`[data-testid=desk-column][data-stylist-id="${stylist.id}"]`);
    await column.waitFor();
    // The empty cell at the walk-in's time opens the booking dialog there.
    const cellIndex = await R.page.evaluate(
      ([id, at]) =>
        [...document.querySelectorAll<HTMLElement>(`[data-testid=desk-cell][data-stylist-id="${id}"]`)].findIndex(
          (c) => Date.parse(c.dataset.start!) === Date.parse(at),
        ),
      [stylist.id, walkInStart] as const,
    );
    expect(cellIndex).toBeGreaterThanOrEqual(0);
    await R.page.locator(`[data-testid=desk-cell][data-stylist-id="${stylist.id}"]`).nth(cellIndex).click();
    const form = R.page.getByTestId('desk-book-form');
    await form.waitFor();
    await form.getByLabel('Walk-in / new caller').check();
    await form.getByLabel('Name').fill('Wendy Walk-in');
    await form.getByLabel('Phone (optional)').fill('9800 111 222');
    await form.getByLabel('Service').selectOption(service.id);
    await form.getByRole('button', { name: 'Book', exact: true }).click();
    const walkIn = R.page.locator('[data-testid=desk-booking]', { hasText: 'Wendy Walk-in' });
    await walkIn.waitFor();

    // The customer's grid marks that time taken without a reload; the stylist sees the new booking.
    await C.page.locator(`[data-testid=slot-grid] .slot[data-status=booked]`).first().waitFor();
    expect(await C.page.locator(`[data-testid=slot-grid] [data-start="${walkInStart}"]`).getAttribute('data-status')).toBe('booked');
    await S.page.locator('article', { hasText: 'Wendy Walk-in' }).first().waitFor();
  }, 120_000);

  it('the customer books online; the desk calendar and the stylist’s dashboard show it at once', async () => {
    const slot = C.page.locator('[data-testid=slot-grid] .slot.available').first();
    await slot.click();
    await C.page.getByTestId('hold-button').click();
    await C.page.getByTestId('hold-panel').waitFor();
    // While held, the desk sees the time held.
    await R.page.locator(`[data-testid=desk-column][data-stylist-id="${stylist.id}"] [data-testid=desk-hold]`).first().waitFor();
    await C.page.getByRole('button', { name: 'Confirm booking' }).click();
    await C.page.getByTestId('confirmation').waitFor();

    await R.page.locator('[data-testid=desk-booking]', { hasText: 'Maya' }).first().waitFor();
    await S.page.locator('article', { hasText: 'Maya' }).first().waitFor();
    await screenshot(R.page, 'desk-calendar', true);
  }, 60_000);

  it('a customer joins the waitlist for the walk-in’s time and leaves it; the desk’s count follows at once', async () => {
    const anita = new Client(server.baseUrl);
    await anita.login('anita@kbstylish.test', DEMO_PASSWORD);
    const waiting = R.page.getByTestId('desk-waitlist');
    const before = (await waiting.textContent())?.trim() ?? '';
    const total = /^(\d+) waiting/.exec(before)?.[1] ?? '0';
    // The walk-in's start, in salon time: a range with no free time (it is booked), so joining is allowed.
    const hhmm = (ms: number) =>
      new Date(ms).toLocaleTimeString('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const joined = await anita.request<{ id: string }>('POST', '/api/waitlist', {
      stylistId: stylist.id,
      serviceId: service.id,
      date: day,
      from: hhmm(Date.parse(walkInStart)),
      to: hhmm(Date.parse(walkInStart) + 5 * 60_000),
    });
    expect(joined.status, JSON.stringify(joined.data)).toBe(201);
    await R.page
      .getByTestId('desk-waitlist')
      .filter({ hasText: `${Number(total) + 1} waiting` })
      .waitFor();
    expect((await anita.request('DELETE', `/api/waitlist/${joined.data.id}`)).status).toBe(204);
    await R.page
      .getByTestId('desk-waitlist')
      .filter({ hasText: total === '0' ? 'Nobody waiting' : `${total} waiting` })
      .waitFor();
  }, 60_000);

  it('the stylist marks the unmarked visit a no-show; the desk calendar on that day follows', async () => {
    await R.page.getByTestId('desk-date').fill(unmarked.date);
    await R.page.getByTestId('desk-date').dispatchEvent('change');
    const onDesk = R.page.locator(`[data-testid=desk-booking][data-booking-id="${unmarked.id}"]`);
    await onDesk.waitFor();
    expect(await onDesk.getAttribute('data-status')).toBe('confirmed');

    const today = salonDate(Date.now(), zone);
    const back = Math.round((Date.parse(today) - Date.parse(unmarked.date)) / 86_400_000);
    for (let i = 0; i < back; i++) await S.page.getByRole('button', { name: 'Previous day' }).click();
    const card = S.page.locator(`[data-testid=day-bookings] article[data-booking-id="${unmarked.id}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'No-show' }).click();

    await R.page.locator(`[data-testid=desk-booking][data-booking-id="${unmarked.id}"][data-status=no_show]`).waitFor();
    await screenshot(S.page, 'stylist-past-day', true);
  }, 60_000);
});
