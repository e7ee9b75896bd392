// Times people cannot misread, in Chromium against the real server: a customer whose browser is in
// New York books the Kathmandu salon and reads salon time first, its zone named on every time, with
// their own time as a second line, from the grid through the hold and the confirmation to My bookings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWebBuild,
  monthLoaded,
  openDaysAhead,
  person,
  screenshot,
  signIn,
  startServer,
  type Person,
  type RunningServer,
} from './harness.ts';

let server: RunningServer;
let N: Person; // maya@, in New York

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  N = await person('customer-new-york', { timezoneId: 'America/New_York', locale: 'en-US' });
}, 180_000);

afterAll(async () => {
  await N?.close();
  await server?.stop();
  expect(N?.errors ?? []).toEqual([]);
}, 60_000);

const KTM = 'Asia/Kathmandu';
const NY = 'America/New_York';
const time = (iso: string, zone: string) =>
  new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: zone }).format(Date.parse(iso));
const date = (iso: string, zone: string) =>
  new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(Date.parse(iso));
const weekday = (iso: string, zone: string) =>
  new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: zone }).format(Date.parse(iso));

describe('a customer in New York books the Kathmandu salon', () => {
  it('reads salon time with the zone named, and their own time under it, from the grid to My bookings', async () => {
    const page = N.page;
    await page.goto(server.baseUrl);
    await page.getByText('Haircut & Style').click();
    await page.getByText('Aarav Shrestha').click();
    await monthLoaded(page);
    // An open day after today (today may be nearly over in Kathmandu).
    const day = (await openDaysAhead(page))[0].date;
    await page.locator(`.month [data-date="${day}"]`).click();
    const free = page.locator('[data-testid=slot-grid] .slot.available').first();
    await free.waitFor();

    expect(await page.getByTestId('zone-picker').textContent()).toMatch(
      /Times in Kathmandu time \(the salon’s\), with your time \(New York\) under each/,
    );
    const start = (await free.getAttribute('data-start'))!;
    // The salon's time is the big one; New York's, a day apart here, carries its weekday.
    expect(await free.locator('.time').textContent()).toBe(time(start, KTM));
    const yours = date(start, NY) === date(start, KTM) ? time(start, NY) : `${time(start, NY)} ${weekday(start, NY)}`;
    expect(await free.locator('.note').textContent()).toBe(yours);
    expect(await free.getAttribute('aria-label')).toBe(`${time(start, KTM)} Kathmandu time, ${yours} your time, Free`);
    // Every time on the grid names the salon's zone for a screen reader.
    const labels = await page.locator('[data-testid=slot-grid] .slot').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l).toMatch(/ Kathmandu time, .* your time, /);

    // The API answer the grid reads names both zones too.
    const api = await page.evaluate(async (q) => (await fetch(`/api/bookings/available-slots?${q}`)).json(), await slotQuery(page, day));
    const slot = (api as { startUtc: string; localZone: string; displayZone: string; localDisplay: string; display: string }[]).find(
      (s) => s.startUtc === start,
    )!;
    expect(slot).toMatchObject({ localZone: KTM, displayZone: NY, localDisplay: time(start, KTM), display: time(start, NY) });

    await free.click();
    await page.getByTestId('hold-button').click();
    await page.getByText(/Sign in to hold/).waitFor();
    await signIn(page, 'maya@kbstylish.test');
    const panel = page.getByTestId('hold-panel');
    await panel.waitFor();
    expect(await panel.textContent()).toMatch(new RegExp(`${time(start, KTM)} Kathmandu time is held for you\\s*\\d+:\\d\\d`));
    expect(await page.getByTestId('hold-your-time').textContent()).toBe(`${yours} your time (New York)`);
    await screenshot(page, 'customer-new-york-salon-time');

    await page.getByRole('button', { name: 'Confirm booking' }).click();
    const done = page.getByTestId('confirmation');
    await done.waitFor();
    expect(await done.getByTestId('salon-time').textContent()).toMatch(new RegExp(`${time(start, KTM)}\\s+Kathmandu time`));
    expect(await done.getByTestId('your-time').textContent()).toMatch(new RegExp(`${time(start, NY)} your time \\(New York\\)$`));

    await page.getByRole('button', { name: 'See my bookings' }).click();
    const item = page.locator('li.booking', { hasText: time(start, KTM) }).first();
    await item.waitFor();
    expect(await item.getByTestId('salon-time').textContent()).toMatch(/Kathmandu time/);
    expect(await item.getByTestId('your-time').textContent()).toMatch(new RegExp(`${time(start, NY)} your time \\(New York\\)`));
  }, 120_000);
});

/** The grid's own query (stylist, service, date) with the customer's zone, as an API client would ask. */
async function slotQuery(page: Person['page'], day: string): Promise<string> {
  const stylists = await page.evaluate(async () => (await fetch('/api/stylists')).json());
  const aarav = (stylists as { displayName: string; id: string; services: { id: string; name: string }[] }[]).find(
    (s) => s.displayName === 'Aarav Shrestha',
  )!;
  const service = aarav.services.find((s) => s.name === 'Haircut & Style')!;
  return new URLSearchParams({ stylistId: aarav.id, serviceId: service.id, targetDate: day, customerTimezone: NY }).toString();
}
