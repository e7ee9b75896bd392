// A manage link in Chromium against the real server on a fresh demo database: a visitor who is not
// signed in opens the link from a message, sees the booking in salon time with "Add to calendar",
// fetches its calendar file, cancels it after confirming, and opening the link again explains that it
// was used. The link is issued as the mailer issues it (server/manage/links.ts), with the secret the
// server keeps in the database.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manageLinkSecret } from '../../server/manage/links.ts';
import { signLink } from '../../server/manage/token.ts';
import { parseIcs } from '../calendar/parse.ts';
import { ensureWebBuild, freePort, person, screenshot, startServer, type Person, type RunningServer } from './harness.ts';

let server: RunningServer;
let db: pg.Client;
let V: Person;

beforeAll(async () => {
  await ensureWebBuild();
  const pgPort = await freePort();
  server = await startServer({ EMBEDDED_PG_PORT: String(pgPort) });
  db = new pg.Client({ connectionString: `postgres://kb:kb-embedded@127.0.0.1:${pgPort}/postgres` });
  await db.connect();
  V = await person('visitor');
}, 180_000);

afterAll(async () => {
  await V?.close();
  await db?.end();
  await server?.stop();
  expect(V?.errors ?? []).toEqual([]);
}, 60_000);

describe('a manage link in the browser', () => {
  it('shows the booking without signing in, offers its calendar file, cancels after a confirmation, and then says it was used', async () => {
    // A seeded customer's confirmed booking a few days ahead.
    const { rows } = await db.query<{ id: string; start_at: Date }>(
      `select b.id, b.start_at from bookings b join users u on u.id = b.customer_id
        where u.email = 'suman@kbstylish.test' and b.status = 'confirmed' and b.start_at > now() + interval '2 days'
        order by b.start_at limit 1`,
    );
    expect(rows.length).toBe(1);
    const booking = rows[0];
    const secret = await manageLinkSecret(db);
    const token = signLink(secret, {
      bookingId: booking.id,
      actions: ['view', 'cancel', 'reschedule'],
      expiresAtMs: Date.now() + 7 * 86_400_000,
    });

    const page = V.page;
    await page.goto(`${server.baseUrl}/manage/${token}`);
    await page.getByRole('heading', { name: /^Your booking at / }).waitFor();
    await expect.poll(() => page.getByTestId('manage-status').textContent()).toMatch(/Confirmed/i);
    const when = (await page.getByTestId('manage-when').textContent())!;
    expect(when).toMatch(/Kathmandu time/);
    await screenshot(page, 'manage-link', true);

    const href = (await page.getByRole('link', { name: 'Add to calendar' }).getAttribute('href'))!;
    const ics = await fetch(`${server.baseUrl}${href}`);
    expect(ics.status).toBe(200);
    const ev = parseIcs(await ics.text()).events[0];
    expect(ev.uid).toBe(`booking-${booking.id}@kb-stylish-live`);
    expect(ev.startUtc).toBe(booking.start_at.toISOString());

    await page.getByRole('button', { name: 'Cancel the booking' }).click();
    await page.getByLabel(/Cancel this booking\?/).fill('Travelling that week');
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect.poll(() => page.getByTestId('manage-status').textContent()).toMatch(/Cancelled/i);
    const after = await db.query<{ status: string; cancel_reason: string }>('select status, cancel_reason from bookings where id = $1', [
      booking.id,
    ]);
    expect(after.rows[0]).toEqual({ status: 'cancelled', cancel_reason: 'Travelling that week' });

    await page.reload();
    await page.getByTestId('link-used').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel the booking' }).count()).toBe(0);
  });
});
