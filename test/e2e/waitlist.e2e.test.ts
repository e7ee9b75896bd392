// The live waitlist in Chromium against the real server on a fresh (demo) database: a customer on the
// waitlist for a booked time is shown the offer live, wherever she is in the app, the moment the other
// customer cancels, and books it with "Book it".
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './api-client.ts';
import { DEMO_PASSWORD, ensureWebBuild, person, screenshot, signIn, startServer, type Person, type RunningServer } from './harness.ts';

let server: RunningServer;
let M: Person; // maya@, on the waitlist

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  M = await person('maya-waitlist');
}, 180_000);

afterAll(async () => {
  await M?.close();
  await server?.stop();
  expect(M?.errors ?? []).toEqual([]);
}, 60_000);

interface Slot {
  startUtc: string;
  startLocal: string;
  status: string;
}

describe('the live waitlist', () => {
  it('a customer on the waitlist receives an offer live when another cancels, and books it', async () => {
    const anita = new Client(server.baseUrl);
    const maya = new Client(server.baseUrl);
    await Promise.all([anita.login('anita@kbstylish.test', DEMO_PASSWORD), maya.login('maya@kbstylish.test', DEMO_PASSWORD)]);
    const stylists = (
      await anita.request<{ id: string; displayName: string; services: { id: string; name: string }[] }[]>('GET', '/api/stylists')
    ).data;
    const aarav = stylists.find((s) => s.displayName.startsWith('Aarav'))!;
    const service = aarav.services.find((s) => s.name === 'Haircut & Style')!;

    // The first day ahead with a free time: anita books it.
    let slot: Slot | undefined;
    let date = '';
    for (let d = 2; d < 9 && !slot; d++) {
      date = DateTime.now().setZone('Asia/Kathmandu').plus({ days: d }).toISODate()!;
      const slots = (
        await anita.request<Slot[]>('GET', `/api/bookings/available-slots?stylistId=${aarav.id}&serviceId=${service.id}&targetDate=${date}`)
      ).data;
      slot = slots.find((s) => s.status === 'available');
    }
    expect(slot).toBeDefined();
    const booked = await anita.request<{ id: string }>('POST', '/api/bookings', {
      stylistId: aarav.id,
      serviceId: service.id,
      startUtc: slot!.startUtc,
    });
    expect(booked.status).toBe(201);

    // maya waits for exactly that time (salon time, a one-minute range).
    const from = slot!.startLocal.slice(11, 16);
    const to = DateTime.fromISO(slot!.startLocal, { setZone: true }).plus({ minutes: 1 }).toFormat('HH:mm');
    const joined = await maya.request<{ id: string }>('POST', '/api/waitlist', {
      stylistId: aarav.id,
      serviceId: service.id,
      date,
      from,
      to,
    });
    expect(joined.status).toBe(201);

    // She is on "My bookings", where her waitlist entry is listed, live.
    await M.page.goto(`${server.baseUrl}/bookings`);
    await signIn(M.page, 'maya@kbstylish.test');
    await M.page.locator(`[data-entry-id="${joined.data.id}"]`).waitFor();
    await M.page.locator('[data-testid=connection].live').waitFor();
    expect(await M.page.getByTestId('waitlist-offer').count()).toBe(0);

    // anita cancels: the offer arrives in maya's open page without a reload.
    expect((await anita.request('POST', `/api/bookings/${booked.data.id}/cancel`, {})).status).toBe(200);
    const banner = M.page.getByTestId('waitlist-offer');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Haircut & Style with Aarav');
    expect(await banner.getByTestId('waitlist-countdown').textContent()).toMatch(/^(10:00|9:\d\d)$/);
    await screenshot(M.page, 'waitlist-offer');

    // "Book it": booked from the offer's hold, in her list at once.
    await banner.getByTestId('waitlist-book').click();
    await M.page.getByTestId('waitlist-booked').waitFor();
    await M.page.locator(`li.booking[data-start="${slot!.startUtc}"]`).waitFor();
    const mine = (await maya.request<{ startUtc: string; status: string }[]>('GET', '/api/bookings/mine')).data;
    expect(mine.find((b) => b.startUtc === slot!.startUtc)?.status).toBe('confirmed');
    expect((await maya.request<unknown[]>('GET', '/api/waitlist/mine')).data).toEqual([]);
    expect(await M.page.locator(`[data-entry-id="${joined.data.id}"]`).count()).toBe(0);
  }, 120_000);
});
