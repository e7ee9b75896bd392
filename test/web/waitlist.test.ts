// @vitest-environment happy-dom
// The waitlist in the web app: the customer's entries in My bookings (with "Leave"), the offer banner
// arriving live on `waitlist:offer` wherever the customer is (countdown, "Book it", "No thanks"), and
// the "Join the waitlist" dialog. The whole app (or the dialog) on a fake fetch and socket.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.svelte';
import WaitlistJoin from '../../web/src/customer/WaitlistJoin.svelte';
import { Waitlist } from '../../web/src/customer/waitlist.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { createAppContext } from '../../web/src/lib/app.ts';
import type { Booking, WaitlistEntry, WaitlistOfferPayload } from '../../web/src/lib/types.ts';
import { errorBody, fakeFetch, fakeSocketFactory, makeSlots } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const ME = { id: 'c1', email: 'anita@example.test', displayName: 'Anita', role: 'customer' as const };
const START = '2099-03-10T04:15:00.000Z'; // 10:00 in Kathmandu

const catalogueRoutes = {
  'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
  'GET /api/services': () => ({ body: [{ id: SERVICE, name: 'Cut', category: 'Hair', durationMinutes: 45, priceCents: 150000 }] }),
  'GET /api/stylists': () => ({
    body: [
      {
        id: STYLIST,
        displayName: 'Aarav',
        timezone: 'Asia/Kathmandu',
        bio: '',
        services: [{ id: SERVICE, name: 'Cut', durationMinutes: 45, priceCents: 150000 }],
      },
    ],
  }),
  'GET /api/announcements/current': () => ({ body: [] }),
};

const entry = (id: string, o: Partial<WaitlistEntry> = {}): WaitlistEntry => ({
  id,
  stylistId: STYLIST,
  serviceId: SERVICE,
  date: '2099-03-10',
  from: '10:00',
  to: '12:00',
  status: 'waiting',
  createdAt: '2099-03-01T00:00:00.000Z',
  offer: null,
  ...o,
});

const offerPayload = (entryId: string, expiresInMs = 10 * 60_000): WaitlistOfferPayload => {
  const hold = {
    id: 'h1',
    stylistId: STYLIST,
    serviceId: SERVICE,
    startUtc: START,
    endUtc: '2099-03-10T05:00:00.000Z',
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  };
  return {
    eventId: 30,
    offerId: 'o1',
    entryId,
    hold,
    slot: { stylistId: STYLIST, serviceId: SERVICE, startUtc: START, endUtc: hold.endUtc, startLocal: '2099-03-10T10:00:00.000+05:45' },
  };
};

const booked: Booking = {
  id: 'b9',
  customerId: ME.id,
  stylistId: STYLIST,
  serviceId: SERVICE,
  startUtc: START,
  endUtc: '2099-03-10T05:00:00.000Z',
  status: 'confirmed',
  priceCents: 150000,
  notes: '',
  createdAt: '2099-03-01T00:00:00.000Z',
};

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

function startApp(path: string, entries: () => WaitlistEntry[]) {
  window.history.replaceState(null, '', path);
  const f = fakeSocketFactory();
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
  const ctx = createAppContext({
    fetch: fakeFetch(
      {
        ...catalogueRoutes,
        'GET /api/auth/session': () => ({ body: { user: ME } }),
        'GET /api/bookings/mine': () => ({ body: [] }),
        'GET /api/holds/mine': () => ({ body: [] }),
        'GET /api/waitlist/mine': () => ({ body: entries() }),
        'DELETE /api/waitlist/:id': () => ({ status: 204 }),
        'POST /api/waitlist/:id/decline': ({ path: p }) => ({ body: entry(p.split('/')[3]) }),
        'POST /api/bookings': () => ({ status: 201, body: booked }),
      },
      calls,
    ),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  void ctx.session.load();
  void ctx.catalogue.load();
  render(App, { props: { ctx } });
  return { ctx, socket: f.socket, calls };
}

describe('the waitlist in the web app', () => {
  it('lists the entries in My bookings; "Leave" removes one', async () => {
    const { calls } = startApp('/bookings', () => [
      entry('e1'),
      entry('e2', { stylistId: 'any', from: null, to: null, date: '2099-03-11' }),
    ]);
    const section = await screen.findByRole('region', { name: 'Your waitlist' });
    const rows = within(section).getAllByRole('listitem');
    expect(rows.map((r) => r.dataset.entryId)).toEqual(['e1', 'e2']);
    expect(rows[0].textContent).toContain('Cut');
    expect(rows[0].textContent).toContain('Aarav');
    expect(rows[0].textContent).toContain('10:00 – 12:00');
    expect(rows[1].textContent).toContain('any stylist');
    expect(rows[1].textContent).toContain('any time');
    await fireEvent.click(within(rows[0]).getByTestId('waitlist-leave'));
    await vi.waitFor(() =>
      expect(
        within(section)
          .getAllByRole('listitem')
          .map((r) => r.dataset.entryId),
      ).toEqual(['e2']),
    );
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/waitlist/e1')).toBe(true);
  });

  it('an offer arrives live on the booking page with a countdown; "Book it" books from the offer\u2019s hold', async () => {
    const { socket, calls } = startApp('/', () => [entry('e1')]);
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    expect(screen.queryByTestId('waitlist-offer')).toBeNull();
    socket().push('waitlist:offer', offerPayload('e1'));
    const banner = await screen.findByTestId('waitlist-offer');
    expect(banner.textContent).toContain('Cut with Aarav');
    expect(screen.getByTestId('waitlist-live').textContent).toContain('held for you');
    expect(banner.textContent).toContain('10:00');
    expect(within(banner).getByTestId('waitlist-countdown').textContent).toMatch(/^(10:00|9:5\d)$/);
    await fireEvent.click(within(banner).getByTestId('waitlist-book'));
    await screen.findByTestId('waitlist-booked');
    expect(screen.queryByTestId('waitlist-offer')).toBeNull();
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/bookings')?.body).toEqual({ holdId: 'h1' });
  });

  it('"No thanks" declines the offer and the banner goes; an offer already in the list shows after a load', async () => {
    const offered = offerPayload('e1');
    const { calls } = startApp('/bookings', () => [
      entry('e1', { offer: { id: offered.offerId, entryId: 'e1', hold: offered.hold, slot: offered.slot } }),
    ]);
    const banner = await screen.findByTestId('waitlist-offer');
    expect(within(await screen.findByRole('region', { name: 'Your waitlist' })).getByText('Offered to you now')).toBeTruthy();
    await fireEvent.click(within(banner).getByTestId('waitlist-decline'));
    await vi.waitFor(() => expect(screen.queryByTestId('waitlist-offer')).toBeNull());
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/waitlist/e1/decline')).toBe(true);
  });

  it('an expired offer is not shown', async () => {
    const { socket } = startApp('/bookings', () => []);
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    socket().push('waitlist:offer', offerPayload('e1', -1000));
    await screen.findByRole('heading', { name: 'My bookings' });
    await vi.waitFor(() => expect(screen.queryByTestId('waitlist-offer')).toBeNull());
  });
});

describe('"Join the waitlist" dialog', () => {
  /** Picks an option the way a person does (the option selected, then `change`). */
  async function choose(select: HTMLSelectElement, value: string) {
    for (const o of select.options) o.selected = o.value === value;
    await fireEvent.change(select);
  }

  function renderJoin(post: (body: unknown) => { status: number; body: unknown }) {
    const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
    const waitlist = new Waitlist(new Api(fakeFetch({ 'POST /api/waitlist': ({ body }) => post(body) }, calls)), undefined);
    // 10:00, 10:30 and 11:00 in Kathmandu, all booked.
    const slots = makeSlots(3, { 0: 'booked', 1: 'booked', 2: 'booked' }, START);
    render(WaitlistJoin, {
      props: {
        waitlist,
        stylistId: STYLIST,
        serviceId: SERVICE,
        date: '2099-03-10',
        slots,
        salonZone: 'Asia/Kathmandu',
        timeOf: (t: string) => t,
      },
    });
    return { calls, waitlist };
  }

  it('joins for a range of salon times', async () => {
    const { calls, waitlist } = renderJoin((body) => ({ status: 201, body: entry('e5', body as Partial<WaitlistEntry>) }));
    await fireEvent.click(screen.getByTestId('waitlist-open'));
    await choose(screen.getByTestId('waitlist-from'), '10:30');
    // "Until" offers only later times.
    expect([...screen.getByTestId<HTMLSelectElement>('waitlist-to').options].map((o) => o.value)).toEqual(['', '11:00']);
    await choose(screen.getByTestId('waitlist-to'), '11:00');
    await fireEvent.click(screen.getByTestId('waitlist-submit'));
    await screen.findByTestId('waitlist-joined');
    expect(calls[0].body).toEqual({ stylistId: STYLIST, serviceId: SERVICE, date: '2099-03-10', from: '10:30', to: '11:00' });
    expect(waitlist.entries.map((e) => e.id)).toEqual(['e5']);
  });

  it('says why a join was refused (a free time in the range, five entries already)', async () => {
    let code = 'SLOTS_AVAILABLE';
    renderJoin(() => ({ status: 409, body: errorBody(code) }));
    await fireEvent.click(screen.getByTestId('waitlist-open'));
    await fireEvent.click(screen.getByTestId('waitlist-submit'));
    expect((await screen.findByTestId('waitlist-error')).textContent).toContain('free times in that range');
    code = 'WAITLIST_FULL';
    await fireEvent.click(screen.getByTestId('waitlist-submit'));
    await vi.waitFor(() => expect(screen.getByTestId('waitlist-error').textContent).toContain('five'));
    expect(screen.queryByTestId('waitlist-joined')).toBeNull();
  });
});
