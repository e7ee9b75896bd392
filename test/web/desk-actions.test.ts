// @vitest-environment happy-dom
// What the front desk does on the calendar: book from an empty cell (a found customer or a walk-in,
// "Book anyway" outside the hours), move a booking (keyboard and pointer), change status, cancel.
import { cleanup, fireEvent, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AARAV, COLOUR, CUT, PRIYA, TODAY, at, booking, cell, choose, day, deskPage, sleep } from './desk-fixtures.ts';
import { errorBody, type Route } from './fakes.ts';

afterEach(() => cleanup());

const politely = () => screen.getByTestId('live-polite').textContent?.trim() ?? '';
const posts = (h: { calls: { method: string; path: string; body: unknown }[] }, path: string) =>
  h.calls.filter((c) => c.method === 'POST' && c.path === path).map((c) => c.body);

const ANITA = {
  id: 'c-anita',
  displayName: 'Anita Karki',
  email: 'anita@example.test',
  phone: '+977 9800000001',
  walkIn: false,
  lastVisitAt: '2027-02-01T05:00:00Z',
  upcoming: [{ id: 'u1', stylistId: AARAV, serviceId: CUT, startUtc: at('2027-03-20', '11:00'), status: 'confirmed' }],
};

function customersRoute(): Route {
  return ({ query }) => ({ body: (query.get('q') ?? '').length >= 2 ? [ANITA] : [] });
}

describe('booking from an empty cell', () => {
  it('finds a customer as the desk types (from 2 characters, after a pause) and books them', async () => {
    let search = 0;
    const h = await deskPage({
      'GET /api/desk/customers': (req) => {
        search++;
        return customersRoute()(req);
      },
      'POST /api/desk/bookings': ({ body }) => ({ status: 201, body: { id: 'new1', ...(body as object) } }),
    });
    await fireEvent.click(cell(PRIYA, TODAY, '15:00'));
    const form = await screen.findByTestId('desk-book-form');
    expect(screen.getByRole('heading', { name: 'New booking with Priya Thapa' })).toBeTruthy();
    // Only what this stylist offers.
    expect(
      within(form)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Haircut · 45 min']);
    const q = screen.getByTestId('desk-customer-search');
    await fireEvent.input(q, { target: { value: 'a' } });
    await sleep(30);
    expect(search).toBe(0);
    await fireEvent.input(q, { target: { value: 'an' } });
    await fireEvent.input(q, { target: { value: 'ani' } });
    const [hit] = await screen.findAllByTestId('desk-customer-result');
    expect(search).toBe(1);
    expect(h.calls.find((c) => c.path === '/api/desk/customers')).toBeTruthy();
    expect(hit.textContent).toContain('+977 9800000001');
    expect(hit.textContent).toMatch(/Last visit .*Feb/);
    expect(hit.textContent).toMatch(/Upcoming: .*Mar.* with Aarav Shrestha/);

    // Without a customer nothing is sent.
    await fireEvent.submit(form);
    expect(screen.getByTestId('desk-book-error').textContent).toMatch(/Choose a customer/);
    expect(posts(h, '/api/desk/bookings')).toEqual([]);

    await fireEvent.click(hit);
    expect(screen.getByTestId('desk-chosen-customer').textContent).toContain('Anita Karki');
    await fireEvent.input(within(form).getByLabelText(/Notes/), { target: { value: 'Prefers Priya' } });
    h.days[TODAY] = day(TODAY, { priya: { bookings: [booking('new1', PRIYA, TODAY, '15:00')] } });
    await fireEvent.submit(form);
    await vi.waitFor(() => expect(screen.queryByTestId('desk-book-form')).toBeNull());
    expect(posts(h, '/api/desk/bookings')).toEqual([
      { customerId: 'c-anita', stylistId: PRIYA, serviceId: CUT, startUtc: at(TODAY, '15:00'), notes: 'Prefers Priya' },
    ]);
    expect(politely()).toMatch(/^Booked Anita Karki with Priya Thapa at 3:00/);
    await vi.waitFor(() => expect(document.querySelector('[data-booking-id="new1"]')).toBeTruthy());
  });

  it('books a walk-in outside the hours only after “Book anyway” with a reason', async () => {
    const h = await deskPage({
      'POST /api/desk/bookings': ({ body }) =>
        (body as { force?: boolean }).force
          ? { status: 201, body: { id: 'w1' } }
          : { status: 400, body: errorBody('OUTSIDE_HOURS', 'Outside the working hours') },
    });
    const early = cell(AARAV, TODAY, '09:00');
    expect(early.getAttribute('aria-label')).toMatch(/outside working hours/);
    await fireEvent.click(early);
    const form = await screen.findByTestId('desk-book-form');
    // Aarav offers both services.
    expect(within(form).getAllByRole('option')).toHaveLength(2);
    await fireEvent.click(within(form).getByLabelText(/Walk-in/));
    await fireEvent.input(within(form).getByLabelText(/^Name/), { target: { value: '  Sunita Rai ' } });
    await fireEvent.input(within(form).getByLabelText(/Phone/), { target: { value: '+977 9811111111' } });
    await choose(within(form).getByLabelText(/Service/), COLOUR);
    await fireEvent.submit(form);
    expect((await screen.findByTestId('desk-book-error')).textContent).toBe('That time is outside the stylist’s working hours.');
    await fireEvent.click(screen.getByRole('button', { name: 'Book anyway…' }));
    const reason = screen.getByTestId('desk-force-reason');
    await fireEvent.input(reason, { target: { value: 'ok' } });
    await fireEvent.submit(form);
    expect(screen.getByTestId('desk-book-error').textContent).toMatch(/Please say why, in 5 to 500 characters/);
    expect(posts(h, '/api/desk/bookings')).toHaveLength(1);
    await fireEvent.input(reason, { target: { value: 'Bride’s party arrives early; Aarav agreed' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Book anyway' }));
    await vi.waitFor(() => expect(screen.queryByTestId('desk-book-form')).toBeNull());
    expect(posts(h, '/api/desk/bookings')).toEqual([
      { stylistId: AARAV, serviceId: COLOUR, startUtc: at(TODAY, '09:00'), walkIn: { name: 'Sunita Rai', phone: '+977 9811111111' } },
      {
        stylistId: AARAV,
        serviceId: COLOUR,
        startUtc: at(TODAY, '09:00'),
        walkIn: { name: 'Sunita Rai', phone: '+977 9811111111' },
        force: true,
        forceReason: 'Bride’s party arrives early; Aarav agreed',
      },
    ]);
  });

  it('shows the free times nearby when the time was just taken, and explains a busy customer', async () => {
    let answer = 0;
    const h = await deskPage({
      'GET /api/desk/customers': customersRoute(),
      'POST /api/desk/bookings': () =>
        answer++ === 0
          ? {
              status: 409,
              body: errorBody('SLOT_TAKEN', 'taken', {
                alternatives: [{ startUtc: at(TODAY, '16:00') }, { startUtc: at(TODAY, '16:30') }],
              }),
            }
          : { status: 409, body: errorBody('CUSTOMER_BUSY', 'busy') },
    });
    await fireEvent.click(cell(PRIYA, TODAY, '15:00'));
    const form = await screen.findByTestId('desk-book-form');
    await fireEvent.input(screen.getByTestId('desk-customer-search'), { target: { value: 'anita' } });
    await fireEvent.click((await screen.findAllByTestId('desk-customer-result'))[0]);
    await fireEvent.submit(form);
    expect((await screen.findByTestId('desk-book-error')).textContent).toBe('That time is already booked with this stylist.');
    const alts = within(screen.getByTestId('desk-book-alternatives')).getAllByRole('button');
    expect(alts.map((b) => b.textContent)).toEqual([expect.stringMatching(/^4:00/), expect.stringMatching(/^4:30/)]);
    expect(screen.queryByRole('button', { name: 'Book anyway…' })).toBeNull();
    await fireEvent.click(alts[1]);
    expect(within(form).getByLabelText<HTMLInputElement>(/Start time/).value).toBe('16:30');
    await fireEvent.submit(form);
    expect((await screen.findByTestId('desk-book-error')).textContent).toBe('This customer already has a booking or a hold at that time.');
    expect((posts(h, '/api/desk/bookings')[1] as { startUtc: string }).startUtc).toBe(at(TODAY, '16:30'));
  });
});

describe('moving a booking', () => {
  it('moves by keyboard to another stylist and time, with the alternatives in place when it is taken', async () => {
    let tries = 0;
    const h = await deskPage({
      'POST /api/bookings/:id/reschedule': ({ body }) =>
        tries++ === 0
          ? { status: 409, body: errorBody('SLOT_TAKEN', 'taken', { alternatives: [{ startUtc: at(TODAY, '12:00') }] }) }
          : { body: { ...booking('b1', PRIYA, TODAY, '12:00'), ...(body as object) } },
    });
    const b1 = screen.getAllByTestId('desk-booking')[0];
    b1.focus();
    await fireEvent.click(b1);
    const panel = await screen.findByTestId('desk-booking-panel');
    const move = within(panel).getByRole('form', { name: 'Move booking' });
    // Only stylists who offer the service are offered.
    expect(
      within(move)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Aarav Shrestha', 'Priya Thapa']);
    await choose(within(move).getByLabelText('Stylist'), PRIYA);
    await fireEvent.input(within(move).getByLabelText('Time'), { target: { value: '11:30' } });
    await fireEvent.submit(move);
    const problem = await screen.findByTestId('desk-move-problem');
    expect(problem.textContent).toContain('That time is already booked with this stylist.');
    h.days[TODAY] = day(TODAY, { aarav: { bookings: [] }, priya: { bookings: [booking('b1', PRIYA, TODAY, '12:00')] } });
    await fireEvent.click(within(problem).getByRole('button', { name: /^Move to 12:00/ }));
    await vi.waitFor(() =>
      expect(
        document.querySelector('[data-booking-id="b1"]')?.closest('[data-testid="desk-column"]')?.getAttribute('data-stylist-id'),
      ).toBe(PRIYA),
    );
    expect(posts(h, '/api/bookings/b1/reschedule')).toEqual([
      { startUtc: at(TODAY, '11:30'), stylistId: PRIYA },
      { startUtc: at(TODAY, '12:00'), stylistId: PRIYA },
    ]);
    expect(screen.queryByTestId('desk-move-problem')).toBeNull();
    expect(politely()).toMatch(/^Moved to 12:00.* with Priya Thapa\.$/);
  });

  it('moves by dragging with the pointer, in steps of 15 minutes', async () => {
    const h = await deskPage({ 'POST /api/bookings/:id/reschedule': () => ({ body: booking('b1', AARAV, TODAY, '10:30') }) });
    const b1 = screen.getAllByTestId('desk-booking')[0];
    await fireEvent.pointerDown(b1, { pointerId: 1, button: 0, clientX: 100, clientY: 100 });
    await fireEvent.pointerMove(b1, { pointerId: 1, clientX: 100, clientY: 120 });
    await fireEvent.pointerMove(b1, { pointerId: 1, clientX: 100, clientY: 137 }); // 37 px ≈ 25 min at 1.5 px/min: the nearest 15-minute step is 30
    await fireEvent.pointerUp(b1, { pointerId: 1, clientX: 100, clientY: 137 });
    await fireEvent.click(b1); // the click that ends a drag is not a selection
    await vi.waitFor(() => expect(posts(h, '/api/bookings/b1/reschedule')).toEqual([{ startUtc: at(TODAY, '10:30'), stylistId: AARAV }]));
    expect(screen.queryByTestId('desk-booking-panel')).toBeNull();
  });
  it('drags across to another stylist, but not to one who does not offer the service', async () => {
    const h = await deskPage({ 'POST /api/bookings/:id/reschedule': () => ({ body: booking('b1', PRIYA, TODAY, '10:00') }) });
    h.days[TODAY] = day(TODAY, {
      aarav: { bookings: [booking('b1', AARAV, TODAY, '10:00'), booking('b2', AARAV, TODAY, '14:00', { serviceId: COLOUR })] },
    });
    h.socket().push('calendar:changed', { eventId: 30, stylistId: AARAV, dates: [TODAY], kind: 'booking' });
    await vi.waitFor(() => expect(screen.getAllByTestId('desk-booking')).toHaveLength(2));
    // happy-dom lays nothing out: give the two columns their places side by side.
    screen.getAllByTestId('desk-column').forEach((col, i) => {
      col.getBoundingClientRect = () =>
        ({ left: 60 + i * 150, right: 210 + i * 150, width: 150, top: 0, bottom: 900, height: 900 }) as DOMRect;
    });
    const drag = async (el: HTMLElement) => {
      await fireEvent.pointerDown(el, { pointerId: 2, button: 0, clientX: 100, clientY: 100 });
      await fireEvent.pointerMove(el, { pointerId: 2, clientX: 260, clientY: 100 });
      await fireEvent.pointerUp(el, { pointerId: 2, clientX: 260, clientY: 100 });
    };
    await drag(document.querySelector<HTMLElement>('[data-booking-id="b2"]')!);
    const panel = await screen.findByTestId('desk-booking-panel');
    expect(within(panel).getByRole('alert').textContent).toBe('Priya Thapa does not offer Hair Colour.');
    expect(posts(h, '/api/bookings/b2/reschedule')).toEqual([]);
    await drag(document.querySelector<HTMLElement>('[data-booking-id="b1"]')!);
    await vi.waitFor(() => expect(posts(h, '/api/bookings/b1/reschedule')).toEqual([{ startUtc: at(TODAY, '10:00'), stylistId: PRIYA }]));
  });

  it('closes the booking with Escape and gives the focus back to it on the calendar', async () => {
    await deskPage();
    const b1 = screen.getAllByTestId('desk-booking')[0];
    await fireEvent.click(b1);
    const panel = await screen.findByTestId('desk-booking-panel');
    expect(document.activeElement).toBe(panel);
    await fireEvent.keyDown(panel, { key: 'Escape' });
    expect(screen.queryByTestId('desk-booking-panel')).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(b1));
  });
});

describe('status and cancelling', () => {
  const past = '2027-03-09';

  async function pastDay(status: Route) {
    const h = await deskPage({ 'POST /api/bookings/:id/status': status });
    h.days[past] = day(past, {
      aarav: { bookings: [booking('p1', AARAV, past, '10:00')] },
      priya: { bookings: [booking('p2', PRIYA, past, '15:00', { customer: { displayName: 'Rohan Basnet' } as never })] },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Previous day' }));
    await vi.waitFor(() => expect(screen.getAllByTestId('desk-booking')).toHaveLength(2));
    return h;
  }

  it('marks yesterday’s visit completed (through in progress) and says why a refused change failed', async () => {
    const h = await pastDay(({ path, body }) =>
      path.includes('p2') ? { status: 409, body: errorBody('INVALID_TRANSITION', 'no') } : { body: { id: 'p1', ...(body as object) } },
    );
    await fireEvent.click(document.querySelector<HTMLElement>('[data-booking-id="p1"]')!);
    let panel = await screen.findByTestId('desk-booking-panel');
    expect(
      within(panel)
        .getAllByRole('button')
        .map((b) => b.textContent?.trim()),
    ).toEqual(expect.arrayContaining(['Check in', 'Completed', 'No-show', 'Cancel booking…', 'Move booking']));
    h.days[past] = day(past, {
      aarav: { bookings: [booking('p1', AARAV, past, '10:00', { status: 'completed' })] },
      priya: h.days[past].stylists[1],
    });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Completed' }));
    await vi.waitFor(() => expect(screen.getByTestId('desk-panel-status').textContent).toBe('Completed'));
    expect(posts(h, '/api/bookings/p1/status')).toEqual([{ status: 'in_progress' }, { status: 'completed' }]);

    await fireEvent.click(document.querySelector<HTMLElement>('[data-booking-id="p2"]')!);
    panel = await screen.findByTestId('desk-booking-panel');
    expect(within(panel).getByRole('heading', { level: 2 }).textContent).toBe('Rohan Basnet');
    await fireEvent.click(within(panel).getByRole('button', { name: 'No-show' }));
    expect((await within(panel).findByRole('alert')).textContent).toMatch(/not possible for this booking now/);
    expect(posts(h, '/api/bookings/p2/status')).toEqual([{ status: 'no_show' }]);
  });

  it('cancels with a reason', async () => {
    const h = await deskPage({ 'POST /api/bookings/:id/cancel': () => ({ body: { id: 'b1', status: 'cancelled' } }) });
    await fireEvent.click(screen.getAllByTestId('desk-booking')[0]);
    const panel = await screen.findByTestId('desk-booking-panel');
    // Before its start a booking can only be moved or cancelled.
    expect(within(panel).queryByRole('button', { name: 'No-show' })).toBeNull();
    await fireEvent.click(within(panel).getByRole('button', { name: 'Cancel booking…' }));
    await fireEvent.input(within(panel).getByLabelText('Reason for cancelling'), { target: { value: 'Called: unwell' } });
    h.days[TODAY] = day(TODAY, { aarav: { bookings: [booking('b1', AARAV, TODAY, '10:00', { status: 'cancelled' })] } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Cancel booking' }));
    await vi.waitFor(() => expect(screen.getByTestId('desk-panel-status').textContent).toBe('Cancelled'));
    expect(posts(h, '/api/bookings/b1/cancel')).toEqual([{ reason: 'Called: unwell' }]);
    expect(screen.getAllByTestId('desk-booking')[0].dataset.status).toBe('cancelled');
  });
});
