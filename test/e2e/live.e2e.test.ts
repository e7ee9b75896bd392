// The product as people use it, in Chromium against the real server on a fresh database: two
// customers watching the same day, a stylist's dashboard and the admin console, all at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import {
  busiestOpenDay,
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
let A: Person; // customer@, signs in inline while booking
let B: Person; // anita@, a customer in London watching the same day
let S: Person; // aarav@, the stylist
let M: Person; // admin@

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  [A, B, S, M] = await Promise.all([
    person('customer-a'),
    person('customer-b', { timezoneId: 'Europe/London', locale: 'en-GB' }),
    person('stylist'),
    person('admin', { viewport: { width: 1280, height: 900 } }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([A, B, S, M].filter(Boolean).map((p) => p.close()));
  await server?.stop();
  const errors = [A, B, S, M].filter(Boolean).flatMap((p) => p.errors);
  expect(errors).toEqual([]);
}, 60_000);

const slot = (p: Person, start: string) => p.page.locator(`[data-testid=slot-grid] [data-start="${start}"]`);

async function chooseHaircutWithAarav(p: Person): Promise<void> {
  await p.page.getByText('Haircut & Style').click();
  await p.page.getByText('Aarav Shrestha').click();
  // Every day of the month has answered (none still shows "…").
  await monthLoaded(p.page);
}

describe('live booking, end to end', () => {
  let day = '';
  let first = '';
  let bookingId = '';
  let a2: Client;
  let altStart = '';

  it('customers A and B watch the same day; A holds and books, B sees it live and is offered alternatives', async () => {
    // The stylist's dashboard is open before anything happens.
    await S.page.goto(`${server.baseUrl}/stylist`);
    await signIn(S.page, 'aarav@kbstylish.test');
    await S.page.getByTestId('timeline').waitFor();
    // B signs in first (from the header), then both open the booking flow.
    await B.page.goto(`${server.baseUrl}/signin`);
    await signIn(B.page, 'anita@kbstylish.test');
    await B.page.getByTestId('signed-in-as').waitFor();
    await A.page.goto(server.baseUrl);
    await Promise.all([chooseHaircutWithAarav(A), chooseHaircutWithAarav(B)]);
    await screenshot(A.page, 'customer-choose', true);
    // Prices in the currency the catalogue states (CURRENCY, NPR by default), as en-US writes it.
    expect(await A.page.locator('label.option', { hasText: 'Haircut & Style' }).locator('.meta').textContent()).toMatch(/NPR\s?1,500/);

    // The open day after today (within two weeks) with the most free times (today may be nearly over):
    // four people book on it. On a month's last days it may be in the next month: both page there.
    day = await busiestOpenDay(A.page);
    await showDay(B.page, day);
    expect(await A.page.locator('.month .day.closed, .month .day.full, .month .day.off').count()).toBeGreaterThan(0);
    await A.page.locator(`.month [data-date="${day}"]`).click();
    await B.page.locator(`.month [data-date="${day}"]`).click();
    await A.page.locator('[data-testid=slot-grid] .slot.available').first().waitFor();
    await B.page.locator('[data-testid=slot-grid] .slot.available').first().waitFor();

    first = (await A.page.locator('[data-testid=slot-grid] .slot.available').first().getAttribute('data-start'))!;
    // Same instant, each in their own zone and locale.
    const [aLabel, bLabel] = [await slot(A, first).getAttribute('aria-label'), await slot(B, first).getAttribute('aria-label')];
    expect(aLabel).not.toEqual(bLabel);
    expect(bLabel).not.toMatch(/AM|PM/); // en-GB: 24-hour clock

    await slot(B, first).click();
    await slot(A, first).click();
    await A.page.getByTestId('hold-button').click();
    // Not signed in: the modal asks inline and keeps the chosen time.
    await A.page.getByText(/Sign in to hold/).waitFor();
    await signIn(A.page, 'customer@kbstylish.test');
    await A.page.getByTestId('hold-panel').waitFor();
    expect(await A.page.getByTestId('hold-panel').textContent()).toMatch(/is held for you\s*\d+:\d\d/);

    // B's grid shows the hold without a reload, and B is told and offered the nearest free times.
    await B.page.locator(`[data-testid=slot-grid] [data-start="${first}"][data-status=held]`).waitFor();
    await B.page.getByTestId('lost-notice').waitFor();
    expect(await B.page.getByTestId('lost-notice').textContent()).toMatch(/being booked by someone else/);
    expect(await B.page.locator('[data-testid=lost-notice] [data-alternative]').count()).toBeGreaterThan(0);
    expect(await B.page.getByTestId('live-assertive').textContent()).toMatch(/being booked by someone else/);
    await screenshot(A.page, 'booking-modal-held');
    await screenshot(B.page, 'booking-modal-taken-live');

    await A.page.getByLabel(/Anything the stylist should know/).fill('Please keep the fringe long');
    await A.page.getByRole('button', { name: 'Confirm booking' }).click();
    await A.page.getByTestId('confirmation').waitFor();
    await screenshot(A.page, 'booking-confirmed');

    await B.page.locator(`[data-testid=slot-grid] [data-start="${first}"][data-status=booked]`).waitFor();
    expect(await B.page.getByTestId('lost-notice').textContent()).toMatch(/was just booked by someone else/);

    // A booked time is not offered "anyway" (only a held one is): B takes one of the nearest free times.
    expect(await B.page.getByTestId('try-anyway').count()).toBe(0);
    const alternative = B.page.locator('[data-testid=lost-notice] [data-alternative]').first();
    altStart = (await alternative.getAttribute('data-alternative'))!;
    expect(altStart).not.toBe(first);
    await alternative.click();
    expect(await slot(B, altStart).getAttribute('aria-pressed')).toBe('true');

    const a = new Client(server.baseUrl);
    await a.login('customer@kbstylish.test', DEMO_PASSWORD);
    a2 = a;
    const booked = (await a.request<{ id: string; startUtc: string; notes: string }[]>('GET', '/api/bookings/mine')).data.find(
      (b) => b.startUtc === first,
    )!;
    expect(booked.notes).toBe('Please keep the fringe long');
    bookingId = booked.id;
  }, 120_000);

  it('the stylist sees A’s booking arrive live with its customer context, and B’s with safety notes behind a reason', async () => {
    const card = S.page.locator(`article:not(.compact)[data-booking-id="${bookingId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-highlight')).toBe('new');
    expect(await card.textContent()).toMatch(/Demo Customer/);
    expect(await card.textContent()).toMatch(/Haircut & Style/);

    // B books the alternative; Anita has safety notes on file.
    await B.page.getByTestId('hold-button').click();
    await B.page.getByTestId('hold-panel').waitFor();
    await B.page.getByRole('button', { name: 'Confirm booking' }).click();
    await B.page.getByTestId('confirmation').waitFor();
    const anita = S.page.locator('article[data-highlight=new]', { hasText: 'Anita Karki' });
    await anita.waitFor();
    expect(await anita.textContent()).toMatch(/⚠ Notes/);

    await card.getByRole('button', { name: /show customer/ }).click();
    const panel = S.page.getByTestId('customer-panel');
    await panel.getByText('Demo Customer').waitFor();
    expect(await panel.getByTestId('visit-count').textContent()).toMatch(/before|First visit/);
    expect(await card.getAttribute('data-highlight')).toBe(''); // seen

    await anita.getByRole('button', { name: /show customer/ }).click();
    await panel.getByText('Anita Karki').waitFor();
    await panel.getByRole('button', { name: /Show safety notes/ }).click();
    await panel.getByLabel(/Why do you need them/).fill('colour service planned');
    await panel.getByRole('button', { name: 'Show notes' }).click();
    expect(await panel.getByTestId('safety-notes').textContent()).toMatch(/PPD/);
    // A status action: confirm a pending booking.
    const pending = S.page.locator('article.pending', { has: S.page.getByRole('button', { name: 'Confirm' }) }).first();
    const pendingId = (await pending.getAttribute('data-booking-id'))!;
    await pending.getByRole('button', { name: 'Confirm' }).click();
    await S.page.locator(`article.confirmed[data-booking-id="${pendingId}"]`).first().waitFor();

    // The booked day on the timeline, with both new bookings on it, the seeded lunch break between
    // the real working windows, and a customer's hold appearing and going live.
    await S.page.locator(`[data-timeline-day="${day}"]`).click();
    await S.page.locator(`[data-testid=timeline] [data-booking-id="${bookingId}"]`).waitFor();
    await S.page.locator('[data-testid=timeline-gap]', { hasText: 'Break' }).first().waitFor();
    const rohan = new Client(server.baseUrl);
    await rohan.login('rohan@kbstylish.test', DEMO_PASSWORD);
    const aarav = (
      await rohan.request<{ id: string; displayName: string; services: { id: string; name: string }[] }[]>('GET', '/api/stylists')
    ).data.find((st) => st.displayName === 'Aarav Shrestha')!;
    const cut = aarav.services.find((sv) => sv.name === 'Haircut & Style')!;
    const open = (
      await rohan.request<{ startUtc: string; status: string }[]>(
        'GET',
        `/api/bookings/available-slots?stylistId=${aarav.id}&serviceId=${cut.id}&targetDate=${day}`,
      )
    ).data.filter((sl) => sl.status === 'available');
    const hold = await rohan.request<{ id: string }>('POST', '/api/holds', {
      stylistId: aarav.id,
      serviceId: cut.id,
      startUtc: open[Math.floor(open.length / 2)].startUtc,
    });
    expect(hold.status).toBe(201);
    const held = S.page.locator('[data-testid=timeline] .held');
    await held.first().waitFor();
    await screenshot(S.page, 'stylist-dashboard', true);
    expect((await rohan.request('DELETE', `/api/holds/${hold.data.id}`)).status).toBe(204);
    await held.first().waitFor({ state: 'detached' });
  }, 60_000);

  let overrideId = '';
  it('an admin closes the salon on that day: the open modals empty with an explanation', async () => {
    await A.page.getByRole('button', { name: 'Book another time' }).click();
    await B.page.getByRole('button', { name: 'Book another time' }).click();
    await A.page.locator('[data-testid=slot-grid] .slot').first().waitFor();
    await B.page.locator('[data-testid=slot-grid] .slot').first().waitFor();

    // A deep link to the console's System tab survives the sign-in.
    await M.page.goto(`${server.baseUrl}/admin/system`);
    await signIn(M.page, 'admin@kbstylish.test');
    await M.page.getByRole('heading', { name: 'Live operations' }).waitFor();
    // Everyone's socket is counted (this process serves all four browsers).
    await M.page.waitForFunction(
      () => Number(document.querySelector('[data-testid=chart-clients] .value')?.getAttribute('data-value')) >= 4,
    );

    await M.page.getByRole('link', { name: 'Overrides' }).click();
    await M.page.getByLabel('Applies to').selectOption('salon');
    await M.page.getByLabel('Kind').selectOption('closed');
    await M.page.getByLabel('First date').fill(day);
    await M.page.getByLabel('Reason').fill('Burst water pipe');
    await M.page.getByRole('button', { name: 'Preview affected bookings' }).click();
    await M.page.getByTestId('override-preview').waitFor();
    await screenshot(M.page, 'admin-override-preview', true);
    await M.page.getByRole('button', { name: 'Confirm and apply' }).click();
    const created = M.page.getByTestId('override-created');
    await created.waitFor();
    expect(await created.textContent()).toMatch(/need attention|needs attention/);
    expect(await M.page.getByTestId('affected-bookings').locator('li').count()).toBeGreaterThanOrEqual(2);
    await screenshot(M.page, 'admin-override-created', true);
    overrideId = (await M.page.locator('[data-override-id]', { hasText: 'Burst water pipe' }).getAttribute('data-override-id'))!;

    for (const p of [A, B]) {
      const note = p.page.getByTestId('day-emptied');
      await note.waitFor();
      expect(await note.textContent()).toMatch(/salon has just closed this day/);
      expect(await p.page.locator('[data-testid=slot-grid]').count()).toBe(0);
    }
    await screenshot(A.page, 'booking-modal-closed-day');
  }, 90_000);

  it('an announcement reaches both customers and the stylist', async () => {
    await M.page.getByRole('link', { name: 'Announcements' }).click();
    await M.page.getByLabel('Message').fill('We open at 11:00 tomorrow because of the rally.');
    await M.page.getByLabel('Who sees it').selectOption('all');
    await M.page.getByLabel('Tone').selectOption('warning');
    await M.page.getByRole('button', { name: 'Send now' }).click();
    for (const p of [A, B, S]) {
      const banner = p.page.getByTestId('announcement');
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/We open at 11:00 tomorrow/);
    }
    await screenshot(S.page, 'stylist-announcement');
    // A page opened afterwards still shows it (read from the server, not pushed).
    await M.page.reload();
    await M.page.getByTestId('announcement').filter({ hasText: 'We open at 11:00 tomorrow' }).waitFor();
  }, 60_000);

  it('contexts taken offline and back converge to the truth', async () => {
    await Promise.all([B.context.setOffline(true), S.context.setOffline(true)]);
    await B.page.getByText(/^Offline since/).waitFor();
    await S.page.getByText(/^Offline since/).waitFor();
    await B.page.getByTestId('stale-notice').waitFor();
    await screenshot(B.page, 'booking-modal-offline');

    // While they are away: the closure is lifted, and another customer books on that day.
    await M.page.getByRole('link', { name: 'Overrides' }).click();
    const row = M.page.locator(`[data-override-id="${overrideId}"]`);
    await row.getByRole('button', { name: /Delete override/ }).click();
    await row.getByRole('button', { name: 'Delete it' }).click();
    await row.waitFor({ state: 'detached' });
    await A.page.locator('[data-testid=slot-grid] .slot').first().waitFor(); // A stayed online: the day is back

    const rohan = new Client(server.baseUrl);
    await rohan.login('rohan@kbstylish.test', DEMO_PASSWORD);
    const stylists = (
      await rohan.request<{ id: string; displayName: string; services: { id: string; name: string }[] }[]>('GET', '/api/stylists')
    ).data;
    const aarav = stylists.find((s) => s.displayName === 'Aarav Shrestha')!;
    const cut = aarav.services.find((s) => s.name === 'Haircut & Style')!;
    const slotsUrl = `/api/bookings/available-slots?stylistId=${aarav.id}&serviceId=${cut.id}&targetDate=${day}`;
    const free = (await rohan.request<{ startUtc: string; status: string }[]>('GET', slotsUrl)).data.filter(
      (s) => s.status === 'available',
    );
    expect(free.length).toBeGreaterThan(0);
    const target = free.at(-1)!.startUtc;
    const hold = await rohan.request<{ id: string }>('POST', '/api/holds', { stylistId: aarav.id, serviceId: cut.id, startUtc: target });
    expect(hold.status).toBe(201);
    const made = await rohan.request<{ id: string }>('POST', '/api/bookings', { holdId: hold.data.id });
    expect(made.status).toBe(201);
    await A.page.locator(`[data-testid=slot-grid] [data-start="${target}"][data-status=booked]`).waitFor();

    // Back online: B re-watches and sees the day as it is now; the stylist is replayed what it missed.
    await Promise.all([B.context.setOffline(false), S.context.setOffline(false)]);
    await B.page.getByTestId('connection').getByText('Live').waitFor();
    await B.page.getByTestId('stale-notice').waitFor({ state: 'detached' });
    await B.page.locator(`[data-testid=slot-grid] [data-start="${target}"][data-status=booked]`).waitFor();
    const truth = (await rohan.request<{ startUtc: string; status: string }[]>('GET', slotsUrl)).data;
    const shown = await B.page
      .locator('[data-testid=slot-grid] .slot')
      .evaluateAll((els) => els.map((e) => ({ startUtc: (e as HTMLElement).dataset.start, status: (e as HTMLElement).dataset.status })));
    expect(shown).toEqual(truth.map((s) => ({ startUtc: s.startUtc, status: s.status })));
    expect(await B.page.getByTestId('day-emptied').count()).toBe(0);

    await S.page.getByTestId('connection').getByText('Live').waitFor();
    const replayed = S.page.locator(`article:not(.compact)[data-booking-id="${made.data.id}"]`);
    await replayed.waitFor();
    expect(await replayed.getAttribute('data-highlight')).toBe('new');
    expect(await replayed.textContent()).toMatch(/Rohan Basnet/);
  }, 90_000);

  it('works at phone width and lists the audit trail', async () => {
    await B.page.setViewportSize({ width: 390, height: 844 });
    await screenshot(B.page, 'phone-booking-modal');
    await B.page.getByRole('button', { name: 'Close', exact: true }).click();
    await B.page.getByRole('link', { name: 'My bookings' }).click();
    await B.page.getByRole('heading', { name: 'Coming up' }).waitFor();
    expect(await B.page.locator('[data-booking-id]').count()).toBeGreaterThan(0);
    await screenshot(B.page, 'phone-my-bookings');

    // B cancels the booking made above (the seed gave Anita others too).
    const anita = new Client(server.baseUrl);
    await anita.login('anita@kbstylish.test', DEMO_PASSWORD);
    const bId = (await anita.request<{ id: string; startUtc: string }[]>('GET', '/api/bookings/mine')).data.find(
      (b) => b.startUtc === altStart,
    )!.id;
    const bBooking = B.page.locator(`li.booking[data-booking-id="${bId}"]`);
    await bBooking.getByRole('button', { name: 'Cancel' }).click();
    await bBooking.getByLabel(/Tell the salon why/).fill('Travelling that week');
    await bBooking.getByRole('button', { name: 'Yes, cancel it' }).click();
    await B.page.locator(`li.booking[data-booking-id="${bId}"] .badge.cancelled`).waitFor();
    await S.page.locator(`article.cancelled:not(.compact)[data-booking-id="${bId}"]`).waitFor(); // and the stylist sees it live

    // A moves their booking to another free time of the same day.
    await A.page.getByRole('button', { name: 'Close', exact: true }).click();
    await A.page.getByRole('link', { name: 'My bookings' }).click();
    const aBooking = A.page.locator(`li.booking[data-booking-id="${bookingId}"]`);
    await aBooking.getByRole('button', { name: 'Reschedule' }).click();
    await A.page.getByRole('heading', { name: 'Move your booking' }).waitFor();
    const to = (await A.page.locator('[data-testid=slot-grid] .slot.available').first().getAttribute('data-start'))!;
    await slot(A, to).click();
    await A.page.getByTestId('hold-button').click();
    await A.page.getByText('Your booking was moved').waitFor();
    await A.page.getByRole('button', { name: 'See my bookings' }).click();
    const moved = await a2.request<{ id: string; startUtc: string }[]>('GET', '/api/bookings/mine');
    expect(moved.data.find((b) => b.id === bookingId)?.startUtc).toBe(to);

    await M.page.getByRole('link', { name: 'Audit log' }).click();
    const audit = M.page.getByTestId('audit-table');
    await audit.locator('code', { hasText: 'customer.safety_notes.read' }).first().waitFor();
    // Who did it, by name and role; then only that family of actions, filtered by the server.
    expect(await audit.locator('tr', { hasText: 'customer.safety_notes.read' }).first().textContent()).toMatch(/Aarav Shrestha\s*stylist/);
    await M.page.getByLabel('Action').selectOption('customer.');
    await M.page.waitForFunction(() => {
      const codes = [...document.querySelectorAll('[data-testid=audit-table] code')].map((c) => c.textContent);
      return codes.length > 0 && codes.every((c) => c === 'customer.safety_notes.read');
    });
    expect(await M.page.getByText(/loaded \(all that match\)/).count()).toBe(1);
    await screenshot(M.page, 'admin-audit-log', true);
    await M.page.getByLabel('Action').selectOption('');

    // Onboard a stylist and give her a week.
    await M.page.getByRole('link', { name: 'Stylists' }).click();
    await M.page.getByLabel('Name').fill('Mina Lama');
    await M.page.getByLabel('Login email').fill('mina@kbstylish.test');
    await M.page.getByLabel(/First password/).fill('mina-password-1');
    await M.page.getByLabel(/Short bio/).fill('Gel nails and quick blow-dries.');
    await M.page.getByRole('checkbox', { name: 'Manicure' }).check();
    await M.page.getByRole('checkbox', { name: 'Blow-dry' }).check();
    await M.page.getByLabel('Duration for Blow-dry in minutes').fill('40');
    await M.page.getByRole('button', { name: 'Create stylist' }).click();
    await M.page.locator('form.onboard .success, form.onboard .error').first().waitFor();
    expect(await M.page.locator('form.onboard .error').count(), (await M.page.locator('form.onboard').textContent()) ?? '').toBe(0);
    await M.page.getByText(/Mina Lama can now sign in/).waitFor();
    await M.page.locator('tr', { hasText: 'Mina Lama' }).waitFor();
    await screenshot(M.page, 'admin-stylists', true);

    await M.page.getByRole('link', { name: 'Schedules' }).click();
    // An existing stylist's editor starts from the schedule in force (the seed's Sunday: 10:00–13:00, 14:00–18:00).
    await M.page.getByLabel('Stylist').selectOption({ label: 'Aarav Shrestha' });
    await M.page.getByTestId('schedule-in-force').waitFor();
    expect(await M.page.getByLabel('Sun window 2 start').inputValue()).toBe('14:00');
    await M.page.getByLabel('Stylist').selectOption({ label: 'Mina Lama' });
    await M.page.getByText(/has no schedule yet/).waitFor();
    await M.page.getByRole('group', { name: 'Sat' }).getByRole('button', { name: 'Add hours' }).click();
    await M.page.getByRole('button', { name: 'Save schedule' }).click();
    await M.page.getByText(/Schedule saved/).waitFor();
    await screenshot(M.page, 'admin-schedule', true);

    // The operations charts have sampled all along: two clients went offline and came back, Rohan booked.
    await M.page.getByRole('link', { name: 'System' }).click();
    await M.page.waitForFunction(
      () => Number(document.querySelector('[data-testid=chart-bookings] .value')?.getAttribute('data-value')) >= 1,
    );
    expect(await M.page.locator('[data-testid=chart-relay-lag] .value').getAttribute('data-value')).not.toBe('');
    await screenshot(M.page, 'admin-operations', true);
  }, 60_000);
});
