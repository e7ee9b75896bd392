// The salon's messages in the admin console, in Chromium against the real server on a fresh
// database with no SMTP server (the local mailbox): a customer books, the admin finds the
// confirmation at Messages and reads it, its HTML in a sandboxed frame, then its plain text.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import { DEMO_PASSWORD, ensureWebBuild, person, screenshot, signIn, startServer, type Person, type RunningServer } from './harness.ts';

let server: RunningServer;
let M: Person;

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  M = await person('admin', { viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await M?.close();
  await server?.stop();
  expect(M?.errors ?? []).toEqual([]);
}, 60_000);

interface Stylist {
  id: string;
  displayName: string;
  services: { id: string; name: string }[];
}

it('a booking’s confirmation is at Messages: the list, then the message as the customer gets it', async () => {
  const maya = new Client(server.baseUrl);
  await maya.login('maya@kbstylish.test', DEMO_PASSWORD);
  const stylists = (await maya.request<Stylist[]>('GET', '/api/stylists')).data;
  const { timezone } = (await maya.request<{ timezone: string }>('GET', '/api/salon')).data;
  let booked: { status: number } | undefined;
  for (let i = 2; i < 9 && booked?.status !== 201; i++) {
    const day = new Date(Date.now() + i * 86_400_000).toLocaleDateString('en-CA', { timeZone: timezone });
    for (const st of stylists) {
      const service = st.services[0];
      const slots = await maya.request<{ startUtc: string; status: string }[]>(
        'GET',
        `/api/bookings/available-slots?stylistId=${st.id}&serviceId=${service.id}&targetDate=${day}`,
      );
      const free = slots.data.find((s) => s.status === 'available');
      if (!free) continue;
      booked = await maya.request('POST', '/api/bookings', { stylistId: st.id, serviceId: service.id, startUtc: free.startUtc });
      if (booked.status === 201) break;
    }
  }
  expect(booked?.status).toBe(201);

  await M.page.goto(`${server.baseUrl}/admin`);
  await signIn(M.page, 'admin@kbstylish.test');
  await M.page.getByRole('heading', { name: 'Today', exact: true }).waitFor();
  await M.page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Messages' }).click();
  await M.page.getByRole('heading', { name: 'Messages', exact: true }).waitFor();
  const table = M.page.getByTestId('messages-table');
  const row = table.getByRole('row').filter({ hasText: 'maya@kbstylish.test' });
  // The job sends within moments of the booking; the page shows what is there when (re)loaded.
  for (let i = 0; i < 40 && (await row.count()) === 0; i++) {
    await M.page.getByRole('button', { name: 'Refresh' }).click();
    await M.page.waitForTimeout(250);
  }
  await expect.poll(() => row.count()).toBe(1);
  expect(await row.textContent()).toContain('Sent');
  expect(await M.page.title()).toBe('Messages · Admin console · KB Stylish Live');

  await row.getByRole('button', { name: /^Booking confirmed/ }).click();
  const frame = M.page.frameLocator('iframe[title="HTML part of the message"]');
  await frame.getByText('Your booking at KB Stylish is confirmed:').waitFor();
  expect(await M.page.getByTestId('message-status').textContent()).toBe('Sent (local mailbox)');
  await screenshot(M.page, 'admin-messages');
  await M.page.getByRole('button', { name: 'Plain text' }).click();
  const text = await M.page.getByTestId('message-text').textContent();
  expect(text).toContain(`(${timezone} time)`);
  // The real server attaches the booking's calendar file and links its manage page.
  expect(text).toContain('The calendar file attached adds it to your calendar.');
  expect(text).toMatch(/\/manage\/[A-Za-z0-9_.~-]+/);
}, 120_000);
