// @vitest-environment happy-dom
// The manage page (/manage/<token>) with no sign-in: the booking in salon time with an "Add to
// calendar" link, cancel after a confirmation, a new time picked from the day's live slots (the link
// is then replaced by the fresh one the server answers), and a page that explains an expired, used
// or invalid link. The whole app on a fake fetch and socket.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.svelte';
import { createAppContext } from '../../web/src/lib/app.ts';
import type { Booking, ManageView } from '../../web/src/lib/types.ts';
import { errorBody, fakeFetch, fakeSocketFactory, makeSlots, type Route } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const TOKEN = 'T'.repeat(63);
const NEXT = 'N'.repeat(63);
const ZONE = 'Asia/Kathmandu';

function booking(o: Partial<Booking> = {}): Booking {
  return {
    id: 'b1',
    customerId: 'c1',
    stylistId: STYLIST,
    serviceId: SERVICE,
    // 10:00 in Kathmandu, far ahead so the real clock has it in the future.
    startUtc: '2099-03-10T04:15:00.000Z',
    endUtc: '2099-03-10T05:15:00.000Z',
    status: 'confirmed',
    priceCents: 150000,
    notes: '',
    createdAt: '2099-03-01T00:00:00.000Z',
    attention: null,
    ...o,
  };
}

function view(o: Partial<ManageView> = {}, b: Partial<Booking> = {}): ManageView {
  return {
    booking: booking(b),
    stylist: { id: STYLIST, displayName: 'Priya', timezone: ZONE },
    service: { id: SERVICE, name: 'Haircut', durationMinutes: 60 },
    salon: { name: 'KB Stylish', address: 'Durbar Marg, Kathmandu', timezone: ZONE },
    actions: ['cancel', 'reschedule'],
    used: false,
    expiresAt: '2099-03-10T05:15:00.000Z',
    calendarUrl: `/api/manage/${TOKEN}/calendar.ics`,
    ...o,
  };
}

const base: Record<string, Route> = {
  'GET /api/auth/session': () => ({ body: { user: null } }),
  'GET /api/salon': () => ({ body: { timezone: ZONE, currency: 'NPR' } }),
  'GET /api/services': () => ({ body: [] }),
  'GET /api/stylists': () => ({ body: [] }),
  'GET /api/announcements/current': () => ({ body: [] }),
};

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

function startApp(routes: Record<string, Route>, path = `/manage/${TOKEN}`) {
  window.history.replaceState(null, '', path);
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
  const f = fakeSocketFactory();
  const ctx = createAppContext({
    fetch: fakeFetch({ ...base, ...routes }, calls),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  void ctx.session.load();
  void ctx.catalogue.load();
  render(App, { props: { ctx } });
  return { ctx, calls };
}

describe('the manage page', () => {
  it('shows the booking in salon time, with the salon, stylist, service and an "Add to calendar" link, without signing in', async () => {
    startApp({ [`GET /api/manage/${TOKEN}`]: () => ({ body: view() }) });
    await screen.findByRole('heading', { name: 'Your booking at KB Stylish' });
    expect(screen.getByText('Haircut')).toBeTruthy();
    expect(screen.getByText(/with Priya/)).toBeTruthy();
    expect(screen.getByTestId('manage-when').textContent).toMatch(/10:00/);
    expect(screen.getByText('Durbar Marg, Kathmandu')).toBeTruthy();
    const cal = screen.getByRole('link', { name: 'Add to calendar' });
    expect(cal.getAttribute('href')).toBe(`/api/manage/${TOKEN}/calendar.ics`);
    expect(screen.getByTestId('manage-status').textContent).toMatch(/Confirmed/i);
    expect(document.title).toMatch(/^Your booking/);
  });

  it('cancels only after a confirmation, sending the reason, and then shows the booking cancelled', async () => {
    let current = view();
    const { calls } = startApp({
      [`GET /api/manage/${TOKEN}`]: () => ({ body: current }),
      [`POST /api/manage/${TOKEN}/cancel`]: () => {
        current = view({ used: true, actions: [] }, { status: 'cancelled' });
        return { body: { booking: current.booking } };
      },
    });
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel the booking' }));
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await fireEvent.input(screen.getByLabelText(/Cancel this booking\?/), { target: { value: 'Feeling unwell' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    await vi.waitFor(() => expect(screen.getByTestId('manage-status').textContent).toMatch(/Cancelled/i));
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: `/api/manage/${TOKEN}/cancel`,
      body: { reason: 'Feeling unwell' },
    });
    expect(screen.queryByRole('button', { name: 'Cancel the booking' })).toBeNull();
    expect(screen.getByText('Your booking is cancelled.')).toBeTruthy();
  });

  it('moves the booking to a free time of the chosen day and carries on with the fresh link', async () => {
    const slots = makeSlots(6, { 0: 'booked' }, '2099-03-10T04:15:00.000Z');
    let moved = false;
    const { calls } = startApp({
      [`GET /api/manage/${TOKEN}`]: () => ({ body: moved ? view({ used: true, actions: [] }) : view() }),
      [`GET /api/manage/${NEXT}`]: () => ({
        body: view({ calendarUrl: `/api/manage/${NEXT}/calendar.ics` }, { startUtc: slots[2].startUtc, endUtc: slots[2].endUtc }),
      }),
      'GET /api/bookings/available-slots': ({ query }) => {
        expect(query.get('stylistId')).toBe(STYLIST);
        expect(query.get('serviceId')).toBe(SERVICE);
        expect(query.get('targetDate')).toBe('2099-03-10');
        return { body: slots, headers: { 'x-availability-version': '1' } };
      },
      [`POST /api/manage/${TOKEN}/reschedule`]: ({ body }) => {
        moved = true;
        return { body: { booking: booking({ startUtc: (body as { startUtc: string }).startUtc }), token: NEXT } };
      },
    });
    await fireEvent.click(await screen.findByRole('button', { name: 'Change the time' }));
    await screen.findByRole('group', { name: 'Free times' });
    const taken = document.querySelector<HTMLButtonElement>(`[data-start="${slots[0].startUtc}"]`)!;
    expect(taken.dataset.status).toBe('booked');
    await fireEvent.click(document.querySelector<HTMLButtonElement>(`[data-start="${slots[2].startUtc}"]`)!);
    await fireEvent.click(screen.getByRole('button', { name: /^Move to / }));
    await vi.waitFor(() => expect(window.location.pathname).toBe(`/manage/${NEXT}`));
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: `/api/manage/${TOKEN}/reschedule`,
      body: { startUtc: slots[2].startUtc },
    });
    await vi.waitFor(() =>
      expect(screen.getByRole('link', { name: 'Add to calendar' }).getAttribute('href')).toBe(`/api/manage/${NEXT}/calendar.ics`),
    );
    expect(screen.getByTestId('manage-when').textContent).toMatch(/11:00/);
    expect(screen.getByRole('button', { name: 'Change the time' })).toBeTruthy();
  });

  it.each([
    ['LINK_EXPIRED', 410, 'This link has expired'],
    ['LINK_INVALID', 404, 'This link is not valid'],
  ])('explains a link that cannot be used (%s)', async (code, status, title) => {
    startApp({ [`GET /api/manage/${TOKEN}`]: () => ({ status, body: errorBody(code, 'server words') }) });
    const alert = await screen.findByTestId('link-problem');
    expect(alert.dataset.code).toBe(code);
    expect(screen.getByRole('heading', { name: title })).toBeTruthy();
    expect(within(alert).getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin');
    expect(screen.queryByRole('button', { name: 'Cancel the booking' })).toBeNull();
  });

  it('a link used meanwhile (another tab) says so and still shows the booking, without the change buttons', async () => {
    let used = false;
    startApp({
      [`GET /api/manage/${TOKEN}`]: () => ({ body: used ? view({ used: true, actions: [] }) : view() }),
      [`POST /api/manage/${TOKEN}/cancel`]: () => {
        used = true;
        return { status: 410, body: errorBody('LINK_USED', 'used') };
      },
    });
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel the booking' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    await vi.waitFor(() => expect(screen.getByTestId('manage-error').textContent).toMatch(/already used/));
    await vi.waitFor(() => expect(screen.getByTestId('link-used')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Cancel the booking' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Your booking at KB Stylish' })).toBeTruthy();
  });
});

describe('the stylist’s calendar subscription', () => {
  it('turns on with an address shown once to copy, gives a new address, and turns off', async () => {
    const { default: CalendarFeed } = await import('../../web/src/stylist/CalendarFeed.svelte');
    const { Api } = await import('../../web/src/lib/api.ts');
    let feed: { createdAt: string } | null = null;
    let n = 0;
    const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
    const api = new Api(
      fakeFetch(
        {
          'GET /api/stylist/calendar-token': () => ({ body: { feed } }),
          'POST /api/stylist/calendar-token': () => {
            n++;
            feed = { createdAt: '2099-01-01T00:00:00.000Z' };
            return {
              status: 201,
              body: { ...feed, token: `tok${n}`, url: `https://salon.example/api/stylist/calendar.ics?token=tok${n}` },
            };
          },
          'DELETE /api/stylist/calendar-token': () => {
            feed = null;
            return { status: 204 };
          },
        },
        calls,
      ),
    );
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(CalendarFeed, { props: { api } });
    await screen.findByTestId('feed-off');
    await fireEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    const url = await screen.findByTestId<HTMLInputElement>('feed-url');
    expect(url.value).toBe('https://salon.example/api/stylist/calendar.ics?token=tok1');
    await fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('https://salon.example/api/stylist/calendar.ics?token=tok1');
    await screen.findByRole('button', { name: 'Copied' });
    await fireEvent.click(screen.getByRole('button', { name: 'New address' }));
    await vi.waitFor(() => expect(screen.getByTestId<HTMLInputElement>('feed-url').value).toMatch(/token=tok2$/));
    await fireEvent.click(screen.getByRole('button', { name: 'Turn off' }));
    await screen.findByTestId('feed-off');
    expect(screen.queryByTestId('feed-url')).toBeNull();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/stylist/calendar-token',
      'POST /api/stylist/calendar-token',
      'POST /api/stylist/calendar-token',
      'DELETE /api/stylist/calendar-token',
    ]);
  });
});

describe('Add to calendar for a signed-in customer', () => {
  it('each upcoming booking in My bookings links to its calendar file', async () => {
    const me = { id: 'c1', email: 'anita@example.test', displayName: 'Anita', role: 'customer' as const };
    startApp(
      {
        'GET /api/auth/session': () => ({ body: { user: me } }),
        'GET /api/bookings/mine': () => ({
          body: [booking(), booking({ id: 'b2', status: 'cancelled', startUtc: '2099-03-11T04:15:00.000Z' })],
        }),
      },
      '/bookings',
    );
    await vi.waitFor(() => expect(document.querySelector('[data-booking-id="b1"]')).toBeTruthy());
    const row = document.querySelector<HTMLElement>('[data-booking-id="b1"]')!;
    expect(within(row).getByRole('link', { name: 'Add to calendar' }).getAttribute('href')).toBe('/api/bookings/b1/calendar.ics');
    const cancelled = document.querySelector<HTMLElement>('[data-booking-id="b2"]')!;
    expect(within(cancelled).queryByRole('link', { name: 'Add to calendar' })).toBeNull();
  });
});
