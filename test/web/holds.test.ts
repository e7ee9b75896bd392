// @vitest-environment happy-dom
// Holds that behave, in the web app: the page going away releases the hold (a keepalive DELETE);
// after a reload the customer's own live hold is shown as "your hold" with its countdown, not as a
// time someone else holds; Escape on a held time asks before releasing it.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.svelte';
import { RESUME_WITHIN_MS } from '../../web/src/customer/booking.svelte.ts';
import { createAppContext } from '../../web/src/lib/app.ts';
import type { Fetch } from '../../web/src/lib/api.ts';
import { availableDaysRoute, errorBody, fakeFetch, fakeSocketFactory, makeSlots } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const HOLD_ID = '33333333-3333-4333-8333-333333333333';
const CUSTOMER = { id: 'c1', email: 'c@x.test', displayName: 'Anita', role: 'customer' };
const STASH_KEY = 'kb.releasedHold';

/** Tomorrow 04:15Z (10:00 in Kathmandu), so the hold is in the future whatever the real clock says. */
const START = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000 + (4 * 60 + 15) * 60_000).toISOString();
/** Every day from yesterday on (whatever month the calendar shows) has free times. */
const OPEN_DAYS = Object.fromEntries(
  Array.from({ length: 100 }, (_, i) => [new Date(Date.now() + (i - 1) * 86_400_000).toISOString().slice(0, 10), 6]),
);

interface Call {
  method: string;
  path: string;
  body: unknown;
  keepalive: boolean;
}

function start(o: { mine?: object[]; rehold?: 'ok' | 'taken'; at?: string } = {}) {
  window.history.replaceState(null, '', '/');
  const slots = makeSlots(6, { 2: 'held' }, o.at ?? START);
  const holdStart = slots[2].startUtc;
  const hold = {
    id: HOLD_ID,
    stylistId: STYLIST,
    serviceId: SERVICE,
    startUtc: holdStart,
    endUtc: slots[2].endUtc,
    expiresAt: new Date(Date.now() + 7 * 60_000 + 30_000).toISOString(),
  };
  const calls: Call[] = [];
  const inner = fakeFetch({
    'GET /api/auth/session': () => ({ body: { user: CUSTOMER } }),
    'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
    'GET /api/services': () => ({ body: [{ id: SERVICE, name: 'Haircut', category: 'Hair', durationMinutes: 45, priceCents: 150000 }] }),
    'GET /api/stylists': () => ({
      body: [
        {
          id: STYLIST,
          displayName: 'Aarav Shrestha',
          timezone: 'Asia/Kathmandu',
          bio: '',
          services: [{ id: SERVICE, name: 'Haircut', durationMinutes: 45, priceCents: 150000 }],
        },
      ],
    }),
    'GET /api/announcements/current': () => ({ body: [] }),
    'GET /api/bookings/available-days': availableDaysRoute(OPEN_DAYS),
    'GET /api/bookings/available-slots': () => ({ body: slots, headers: { 'x-availability-version': '1' } }),
    'GET /api/holds/mine': () => ({ body: o.mine === undefined ? [hold] : o.mine }),
    'POST /api/holds': () =>
      o.rehold === 'taken'
        ? { status: 409, body: errorBody('SLOT_HELD', 'held', { alternatives: [] }) }
        : { status: 201, body: { ...hold, id: '44444444-4444-4444-8444-444444444444' } },
    'DELETE /api/holds/:id': () => ({ status: 204 }),
  });
  const fetch: Fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input, 'http://salon.test');
    calls.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      keepalive: init?.keepalive === true,
    });
    return inner(input, init);
  };
  const f = fakeSocketFactory();
  const ctx = createAppContext({ fetch, live: { createSocket: f.createSocket, eventTarget: null }, window });
  ctx.live.start();
  f.socket().daySlots = slots;
  void ctx.session.load();
  void ctx.catalogue.load();
  render(App, { props: { ctx } });
  return { calls, hold, slots };
}

/** The time as the modal writes it: in the salon's zone or the browser's (whichever the app shows). */
const times = (iso: string) => [
  ...new Set(
    ['Asia/Kathmandu', undefined].map((timeZone) =>
      new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone }).format(Date.parse(iso)),
    ),
  ),
];

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  cleanup();
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('after a reload, my own live hold is mine', () => {
  it('opens the modal on the held time, as "your hold" with its countdown, and the grid says "Held for you", not "On hold"', async () => {
    const { hold, calls } = start();
    const panel = await screen.findByTestId('hold-panel', {}, { timeout: 5000 });
    expect(panel.textContent).toContain('Your hold');
    expect(times(hold.startUtc).some((t) => (panel.textContent ?? '').includes(t))).toBe(true);
    // The countdown runs from the hold's own expiry (7½ minutes left), not from a fresh hold length.
    expect(panel.textContent).toMatch(/7:[23]\d/);
    expect(screen.getByTestId('hold-note').textContent).toMatch(/Still yours from before/);
    const grid = await screen.findByRole('group', { name: /Times on/ });
    const mine = within(grid).getAllByRole('button', { name: /, Held for you$/ });
    expect(mine).toHaveLength(1);
    expect(times(hold.startUtc).some((t) => mine[0].getAttribute('aria-label')!.startsWith(t))).toBe(true);
    expect(within(grid).queryAllByRole('button', { name: /, On hold$/ })).toHaveLength(0);
    // Nothing was held anew: the hold was recognised.
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/holds')).toBe(false);
  });

  it('a hold in a later month: the calendar pages to its month, and closing the modal puts focus on its day', async () => {
    const later = new Date(Date.parse(START) + 45 * 86_400_000).toISOString();
    const { hold } = start({ at: later });
    await screen.findByTestId('hold-panel', {}, { timeout: 5000 });
    const date = hold.startUtc.slice(0, 10);
    const day = await vi.waitFor(() => {
      const el = document.querySelector<HTMLButtonElement>(`button[data-date="${date}"]`);
      expect(el).not.toBeNull();
      return el!;
    });
    await vi.waitFor(() => expect(day.dataset.status).toBe('open'));
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await fireEvent.click(await screen.findByTestId('release-and-close'));
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(document.querySelector(`button[data-date="${date}"]`));
  });

  it('takes back the hold this tab released as it reloaded, when /api/holds/mine has none', async () => {
    sessionStorage.setItem(
      STASH_KEY,
      JSON.stringify({
        userId: CUSTOMER.id,
        stylistId: STYLIST,
        serviceId: SERVICE,
        startUtc: makeSlots(6, {}, START)[2].startUtc,
        at: Date.now() - 2000,
      }),
    );
    const { calls, hold } = start({ mine: [] });
    const panel = await screen.findByTestId('hold-panel', {}, { timeout: 5000 });
    expect(panel.textContent).toContain('Your hold');
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/holds').map((c) => c.body)).toEqual([
      { stylistId: STYLIST, serviceId: SERVICE, startUtc: hold.startUtc },
    ]);
    expect(sessionStorage.getItem(STASH_KEY)).toBeNull();
  });

  it('takes the time back with a new hold even while /api/holds/mine still lists the released one (its DELETE may still be on the way)', async () => {
    sessionStorage.setItem(
      STASH_KEY,
      JSON.stringify({
        userId: CUSTOMER.id,
        stylistId: STYLIST,
        serviceId: SERVICE,
        startUtc: makeSlots(6, {}, START)[2].startUtc,
        at: Date.now(),
      }),
    );
    const { calls } = start();
    await screen.findByTestId('hold-panel', {}, { timeout: 5000 });
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/holds')).toHaveLength(1);
    expect(calls.some((c) => c.path === '/api/holds/mine')).toBe(false);
    // Confirming uses the new hold, not the one being released.
    await fireEvent.click(screen.getByTestId('confirm-booking'));
    await vi.waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/api/bookings')).toBe(true));
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/bookings')?.body).toMatchObject({
      holdId: '44444444-4444-4444-8444-444444444444',
    });
  });

  it('does not take back a hold released long ago, nor another customer’s', async () => {
    const stash = { stylistId: STYLIST, serviceId: SERVICE, startUtc: makeSlots(6, {}, START)[2].startUtc };
    sessionStorage.setItem(STASH_KEY, JSON.stringify({ ...stash, userId: CUSTOMER.id, at: Date.now() - RESUME_WITHIN_MS - 1000 }));
    const first = start({ mine: [] });
    await vi.waitFor(() => expect(first.calls.some((c) => c.path === '/api/holds/mine')).toBe(true), { timeout: 5000 });
    cleanup();
    sessionStorage.setItem(STASH_KEY, JSON.stringify({ ...stash, userId: 'someone-else', at: Date.now() }));
    const second = start({ mine: [] });
    await vi.waitFor(() => expect(second.calls.some((c) => c.path === '/api/holds/mine')).toBe(true), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    expect([...first.calls, ...second.calls].some((c) => c.method === 'POST' && c.path === '/api/holds')).toBe(false);
    expect(screen.queryByTestId('hold-panel')).toBeNull();
  });
});

describe('the page going away', () => {
  it('releases the hold with a keepalive DELETE and remembers it for a reload', async () => {
    const { calls, hold } = start();
    await screen.findByTestId('hold-panel', {}, { timeout: 5000 });
    window.dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'DELETE')).toMatchObject({ path: `/api/holds/${HOLD_ID}`, keepalive: true });
    expect(JSON.parse(sessionStorage.getItem(STASH_KEY)!)).toMatchObject({
      userId: CUSTOMER.id,
      stylistId: STYLIST,
      serviceId: SERVICE,
      startUtc: hold.startUtc,
    });
  });

  it('sends nothing when no time is held', async () => {
    const { calls } = start({ mine: [] });
    await vi.waitFor(() => expect(calls.some((c) => c.path === '/api/holds/mine')).toBe(true), { timeout: 5000 });
    window.dispatchEvent(new Event('pagehide'));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(sessionStorage.getItem(STASH_KEY)).toBeNull();
  });
});

describe('Escape on a held time', () => {
  it('asks first (focus on "Keep my hold"); Escape again keeps the hold; "Release and close" releases it', async () => {
    const { calls } = start();
    await screen.findByTestId('hold-panel', {}, { timeout: 5000 });
    const dialog = screen.getByRole('dialog');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    const ask = await screen.findByTestId('confirm-release');
    expect(ask.textContent).toMatch(/Release your hold on .+\?/);
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-testid')).toBe('keep-hold'));
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    // Escape again answers "keep": the hold panel is back, focus on Confirm.
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await vi.waitFor(() => expect(screen.queryByTestId('confirm-release')).toBeNull());
    expect(screen.getByTestId('hold-panel')).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('confirm-booking')));

    // The ✕ asks the same; "Keep my hold" by click keeps it too.
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    await fireEvent.click(await screen.findByTestId('keep-hold'));
    expect(screen.getByTestId('hold-panel')).toBeTruthy();
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await fireEvent.click(await screen.findByTestId('release-and-close'));
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/api/holds/${HOLD_ID}`]);
  });

  it('closes at once when nothing is held', async () => {
    start({ mine: [] });
    await fireEvent.click(await screen.findByLabelText(/Haircut/, {}, { timeout: 5000 }));
    await fireEvent.click(screen.getByLabelText(/Aarav Shrestha/));
    const days = await screen.findAllByRole('button', { name: /free times/ }, { timeout: 5000 });
    await fireEvent.click(days[0]);
    await screen.findByRole('group', { name: /Times on/ });
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.queryByTestId('confirm-release')).toBeNull();
  });
});
