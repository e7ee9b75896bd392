// @vitest-environment happy-dom
// "My bookings" stays current without a reload: the customer's own booking events (another tab, the
// salon) and the answers of their own actions (book, cancel, reschedule) update the list, the
// confirmation and a move in progress. The whole app is rendered on a fake fetch and socket.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.svelte';
import CustomerPage from '../../web/src/customer/CustomerPage.svelte';
import { BookingFlow } from '../../web/src/customer/booking.svelte.ts';
import { MyBookings } from '../../web/src/customer/my-bookings.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { createAppContext } from '../../web/src/lib/app.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { Clock } from '../../web/src/lib/clock.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import type { Booking, StylistBooking } from '../../web/src/lib/types.ts';
import { fakeFetch, fakeSocketFactory, makeSlots, settle } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const ME = { id: 'c1', email: 'anita@example.test', displayName: 'Anita', role: 'customer' as const };
// Far in the future: every booking here is upcoming on the real clock the page uses.
const DAY0 = Date.parse('2099-03-10T04:15:00.000Z');

function booking(id: string, hoursFromDay0: number, o: Partial<Booking> = {}): Booking {
  const start = DAY0 + hoursFromDay0 * 3_600_000;
  return {
    id,
    customerId: ME.id,
    stylistId: STYLIST,
    serviceId: SERVICE,
    startUtc: new Date(start).toISOString(),
    endUtc: new Date(start + 45 * 60_000).toISOString(),
    status: 'confirmed',
    priceCents: 150000,
    notes: '',
    createdAt: '2099-03-01T00:00:00.000Z',
    ...o,
  };
}

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

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

/** The app on /bookings for a signed-in customer whose list is `list` (a function: read on every GET). */
function startApp(list: () => Booking[] | Promise<Booking[]>) {
  window.history.replaceState(null, '', '/bookings');
  const f = fakeSocketFactory();
  const ctx = createAppContext({
    fetch: fakeFetch({
      ...catalogueRoutes,
      'GET /api/auth/session': () => ({ body: { user: ME } }),
      'GET /api/bookings/mine': async () => ({ body: await list() }),
      'POST /api/bookings/:id/cancel': ({ path }) => ({ body: booking(path.split('/')[3], 1, { status: 'cancelled' }) }),
    }),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  void ctx.session.load();
  void ctx.catalogue.load();
  render(App, { props: { ctx } });
  return { ctx, socket: f.socket };
}

const upcoming = () => screen.getByRole('region', { name: 'Coming up' });
const rowOf = (id: string) => document.querySelector<HTMLElement>(`[data-booking-id="${id}"]`);

describe('My bookings, live', () => {
  it('shows a booking made in another tab, and its reschedule and cancellation, as they happen', async () => {
    const { socket } = startApp(() => [booking('b1', 0)]);
    await vi.waitFor(() => expect(rowOf('b1')).toBeTruthy());
    await vi.waitFor(() => expect(socket().connected).toBe(true));

    // Booked in another tab: the server sends this customer's own view.
    socket().push('booking:created', { eventId: 20, booking: booking('b2', 24) });
    await vi.waitFor(() => expect(rowOf('b2')).toBeTruthy());
    expect(
      within(upcoming())
        .getAllByRole('listitem')
        .map((li) => li.dataset.bookingId),
    ).toEqual(['b1', 'b2']);
    expect(within(rowOf('b2')!).getByTestId('updated-live').textContent).toContain('Added just now');
    expect(screen.getByTestId('live-polite').textContent).toContain('A new booking was added');

    // Moved earlier than b1 in another tab: the list re-sorts.
    socket().push('booking:updated', { eventId: 21, booking: booking('b2', -2) });
    await vi.waitFor(() =>
      expect(
        within(upcoming())
          .getAllByRole('listitem')
          .map((li) => li.dataset.bookingId),
      ).toEqual(['b2', 'b1']),
    );
    expect(within(rowOf('b2')!).getByTestId('updated-live').textContent).toContain('Updated just now');

    // Cancelled by the salon: it leaves "Coming up" for "Past and cancelled".
    socket().push('booking:updated', { eventId: 22, booking: booking('b2', -2, { status: 'cancelled' }) });
    await vi.waitFor(() => expect(screen.getByRole('region', { name: 'Past and cancelled' })).toBeTruthy());
    expect(rowOf('b2')!.dataset.status).toBe('cancelled');
    expect(
      within(upcoming())
        .getAllByRole('listitem')
        .map((li) => li.dataset.bookingId),
    ).toEqual(['b1']);
    expect(screen.getByTestId('live-polite').textContent).toContain('now cancelled');
  });

  it('ignores the staff view and anyone else’s booking, and an event replayed twice', async () => {
    const { socket } = startApp(() => [booking('b1', 0)]);
    await vi.waitFor(() => expect(rowOf('b1')).toBeTruthy());
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    const staff: StylistBooking = {
      ...booking('s1', 3),
      customer: {
        id: ME.id,
        displayName: 'Anita',
        visitCount: 2,
        lastVisitAt: null,
        lastServiceName: null,
        totalSpentCents: 0,
        notes: '',
        hasSafetyNotes: true,
      },
    };
    socket().push('booking:created', { eventId: 30, booking: staff });
    socket().push('booking:created', { eventId: 31, booking: booking('x1', 4, { customerId: 'someone-else' }) });
    socket().push('booking:created', { eventId: 32, booking: booking('b3', 5) });
    // The same event again (a replay overlapping live delivery) with another state: dropped by its id.
    socket().push('booking:updated', { eventId: 32, booking: booking('b3', 5, { status: 'cancelled' }) });
    await vi.waitFor(() => expect(rowOf('b3')).toBeTruthy());
    await settle();
    expect(rowOf('s1')).toBeNull();
    expect(rowOf('x1')).toBeNull();
    expect(rowOf('b3')!.dataset.status).toBe('confirmed');
  });

  it('keeps an event that arrives while the list is loading (the answer may predate it)', async () => {
    let answer!: (b: Booking[]) => void;
    const { socket } = startApp(() => new Promise<Booking[]>((r) => (answer = r)));
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    socket().push('booking:updated', { eventId: 40, booking: booking('b1', 0, { status: 'cancelled' }) });
    answer([booking('b1', 0)]);
    await vi.waitFor(() => expect(rowOf('b1')).toBeTruthy());
    expect(rowOf('b1')!.dataset.status).toBe('cancelled');
  });

  it('cancels from its own answer, and says when live updates are paused and reloads when back', async () => {
    let list = [booking('b1', 0)];
    const { socket } = startApp(() => list);
    await vi.waitFor(() => expect(rowOf('b1')).toBeTruthy());
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    await fireEvent.click(within(rowOf('b1')!).getByRole('button', { name: 'Cancel' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    await vi.waitFor(() => expect(rowOf('b1')!.dataset.status).toBe('cancelled'));

    expect(screen.queryByTestId('stale-notice')).toBeNull();
    socket().drop();
    expect((await screen.findByTestId('stale-notice')).textContent).toContain('may be out of date');
    // Missed while away (and not replayable): the list is read again on reconnect.
    list = [booking('b1', 0, { status: 'cancelled' }), booking('b4', 6)];
    socket().open();
    await vi.waitFor(() => expect(rowOf('b4')).toBeTruthy());
    expect(screen.queryByTestId('stale-notice')).toBeNull();
  });
});

describe('My bookings, another customer in the same browser', () => {
  it('shows nothing of the previous customer’s list, nor their late events', async () => {
    let list = [booking('b1', 0)];
    const { ctx, socket } = startApp(() => list);
    await vi.waitFor(() => expect(rowOf('b1')).toBeTruthy());
    socket().push('booking:created', { eventId: 70, booking: booking('b2', 1) });
    await vi.waitFor(() => expect(rowOf('b2')).toBeTruthy());
    // Rohan signs in here (as the sign-in form does): his own list only.
    list = [booking('r1', 2, { customerId: 'c2' })];
    ctx.session.user = { id: 'c2', email: 'rohan@example.test', displayName: 'Rohan', role: 'customer' };
    await vi.waitFor(() => expect(rowOf('r1')).toBeTruthy());
    expect(document.querySelectorAll('[data-booking-id]')).toHaveLength(1);
    expect(screen.queryByTestId('updated-live')).toBeNull();
    // An event for Anita still in flight on the old socket is not shown to Rohan.
    socket().push('booking:updated', { eventId: 71, booking: booking('b1', 0, { status: 'cancelled' }) });
    await settle();
    expect(rowOf('b1')).toBeNull();
  });
});

describe('the booking flow and My bookings share one state', () => {
  function setup() {
    const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
    const slots = makeSlots(6);
    const api = new Api(
      fakeFetch(
        {
          ...catalogueRoutes,
          'GET /api/auth/session': () => ({ body: { user: ME } }),
          'GET /api/bookings/available-slots': () => ({ body: slots }),
          'POST /api/holds': ({ body }) => ({
            status: 201,
            body: {
              id: 'h1',
              stylistId: STYLIST,
              serviceId: SERVICE,
              ...(body as object),
              endUtc: slots[0].endUtc,
              expiresAt: '2099-01-01T00:00:00Z',
            },
          }),
          'POST /api/bookings': () => ({ status: 201, body: booking('new', 0, { startUtc: slots[2].startUtc }) }),
          'POST /api/bookings/:id/reschedule': ({ path, body }) => ({
            body: booking(path.split('/')[3], 0, { startUtc: (body as { startUtc: string }).startUtc }),
          }),
        },
        calls,
      ),
    );
    const f = fakeSocketFactory();
    const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
    const session = new Session(api);
    const catalogue = new Catalogue(api);
    const mine = new MyBookings(api, live, Date.now, () => session.user?.id ?? null);
    const flow = new BookingFlow({ api, live, session, catalogue, clock: new Clock(), onBooking: (b) => mine.upsert(b) });
    f.socket().daySlots = slots;
    live.start();
    return { flow, mine, session, catalogue, slots, calls, socket: f.socket };
  }

  async function opened(t: ReturnType<typeof setup>) {
    await t.catalogue.load();
    await t.session.load();
    await vi.waitFor(() => expect(t.socket().connected).toBe(true));
    t.flow.setService(SERVICE);
    t.flow.setStylist(STYLIST);
    t.flow.openDay('2027-03-10');
    await vi.waitFor(() => expect(t.flow.day?.loading).toBe(false));
  }

  it('a booking confirmed in the modal is in My bookings at once, and its confirmation follows later changes', async () => {
    const t = setup();
    await opened(t);
    t.flow.select(t.slots[2].startUtc);
    await t.flow.holdSelected();
    await t.flow.confirm();
    expect(t.flow.step).toBe('done');
    expect(t.mine.items.map((b) => b.id)).toEqual(['new']);
    // Cancelled from another tab: the confirmation says so.
    t.socket().push('booking:updated', { eventId: 50, booking: booking('new', 0, { startUtc: t.slots[2].startUtc, status: 'cancelled' }) });
    expect(t.flow.booking?.status).toBe('cancelled');
    render(CustomerPage, { props: { flow: t.flow, catalogue: t.catalogue, session: t.session, onmybookings: () => {} } });
    expect((await screen.findByTestId('confirmation-status')).textContent).toContain('This booking is now cancelled');
    expect(t.mine.items[0].status).toBe('cancelled');
  });

  it('a move in progress follows the booking: moved elsewhere it shows the new time, cancelled it refuses to move', async () => {
    const t = setup();
    await opened(t);
    const b = booking('b9', 0, { startUtc: t.slots[1].startUtc });
    t.mine.upsert(b);
    t.flow.startReschedule(b);
    await vi.waitFor(() => expect(t.flow.day?.loading).toBe(false));
    // Moved in another tab.
    t.socket().push('booking:updated', { eventId: 60, booking: { ...b, startUtc: t.slots[3].startUtc } });
    expect(t.flow.rescheduling?.startUtc).toBe(t.slots[3].startUtc);
    const { unmount } = render(CustomerPage, {
      props: { flow: t.flow, catalogue: t.catalogue, session: t.session, onmybookings: () => {} },
    });
    // The modal names the booking's current time, the one set in the other tab.
    await vi.waitFor(() => expect(screen.getByTestId('reschedule-current').textContent).toContain(t.flow.timeOf(t.slots[3].startUtc)));
    expect(t.mine.items[0].startUtc).toBe(t.slots[3].startUtc);
    // Moved here: the answer updates the list.
    t.flow.select(t.slots[4].startUtc);
    await t.flow.holdSelected();
    expect(t.flow.step).toBe('done');
    expect(t.mine.items[0].startUtc).toBe(t.slots[4].startUtc);

    // Another move, of a booking the salon then cancels: no request is sent.
    const c = booking('c9', 0, { startUtc: t.slots[1].startUtc });
    t.flow.startReschedule(c);
    await vi.waitFor(() => expect(t.flow.day?.loading).toBe(false));
    t.socket().push('booking:updated', { eventId: 61, booking: { ...c, status: 'cancelled' } });
    expect(t.flow.reschedulingGone).toBe(true);
    expect((await screen.findByTestId('reschedule-gone')).textContent).toContain('now cancelled, so it can no longer be moved');
    unmount();
    t.flow.select(t.slots[5].startUtc);
    await t.flow.holdSelected();
    expect(t.flow.error).toMatch(/cancelled, so it cannot be moved/);
    expect(t.calls.filter((x) => x.path === '/api/bookings/c9/reschedule')).toEqual([]);
  });
});
