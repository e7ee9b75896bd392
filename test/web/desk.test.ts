// @vitest-environment happy-dom
// The front desk's day calendar: what it shows, how it moves between days, and how it stays live.
import { cleanup, fireEvent, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { axisRange, deskActions, deskMessage, offAreas } from '../../web/src/desk/desk.svelte.ts';
import { ApiError } from '../../web/src/lib/api.ts';
import { instantAt } from '../../web/src/lib/time.ts';
import { AARAV, PRIYA, TODAY, ZONE, at, booking, cell, day, deskPage, sleep } from './desk-fixtures.ts';

afterEach(() => cleanup());

const politely = () => screen.getByTestId('live-polite').textContent?.trim() ?? '';

describe('the desk day calendar', () => {
  it('opens on today in the salon’s zone with a column per stylist: bookings, holds, closed areas and overrides', async () => {
    const h = await deskPage();
    expect(h.reads).toEqual([TODAY]);
    expect(screen.getByRole('heading', { level: 1, name: 'Front desk' })).toBeTruthy();
    expect(screen.getByTestId('desk-date-label').textContent).toContain('(today)');
    expect(screen.getByTestId('desk-date-label').textContent).toContain('Asia/Kathmandu');
    const heads = screen.getAllByTestId('desk-column-head');
    expect(heads.map((x) => x.querySelector('strong')?.textContent)).toEqual(['Aarav Shrestha', 'Priya Thapa']);
    expect(within(heads[1]).getByTestId('desk-override').textContent).toBe('Blocked 13:00–14:00: Team meeting');

    const [b1] = screen.getAllByTestId('desk-booking');
    expect(b1.dataset.bookingId).toBe('b1');
    for (const text of ['Anita Karki', '+977 9800000001', 'Haircut', 'Confirmed']) expect(b1.textContent).toContain(text);
    expect(b1.closest('[data-testid="desk-column"]')?.getAttribute('data-stylist-id')).toBe(AARAV);

    const hold = screen.getByTestId('desk-hold');
    expect(hold.textContent).toMatch(/Held · until 8:55/);
    expect(hold.closest('[data-testid="desk-column"]')?.getAttribute('data-stylist-id')).toBe(PRIYA);
    const priyaOff = within(screen.getAllByTestId('desk-column')[1])
      .getAllByTestId('desk-off')
      .map((x) => x.textContent?.trim());
    expect(priyaOff).toEqual(['Closed', 'Team meeting']);
    // Outside the hours a cell says so (booking there needs "Book anyway").
    expect(cell(AARAV, TODAY, '09:00').getAttribute('aria-label')).toMatch(/outside working hours$/);
    expect(cell(AARAV, TODAY, '10:30').getAttribute('aria-label')).not.toMatch(/outside/);
    await vi.waitFor(() => expect(screen.getByTestId('desk-live')).toBeTruthy());
  });

  it('flags a booking that needs attention and names a stylist’s day off', async () => {
    const h = await deskPage();
    h.days['2027-03-11'] = day('2027-03-11', {
      aarav: { bookings: [booking('b9', AARAV, '2027-03-11', '11:00', { attention: { reason: 'closed', overrideId: 'o9' } })] },
      priya: {
        windows: [],
        holds: [],
        overrides: [{ ...day(TODAY).stylists[1].overrides[0], id: 'o9', kind: 'closed', start: null, end: null, reason: 'Annual leave' }],
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Next day' }));
    await vi.waitFor(() => expect(screen.getByTestId('desk-attention').textContent).toContain('Closed: contact customer'));
    expect(within(screen.getAllByTestId('desk-column')[1]).getByTestId('desk-off').textContent?.trim()).toBe('Off: Annual leave');
  });

  it('drops a hold at its expiry without waiting for the re-read', async () => {
    const h = await deskPage();
    h.days['2027-03-11'] = day('2027-03-11');
    h.days['2027-03-11'].stylists[1].holds = [
      { id: 'h2', serviceId: 'x', startUtc: at('2027-03-11', '11:00'), endUtc: at('2027-03-11', '11:45'), expiresAt: at(TODAY, '08:40') },
      { id: 'h3', serviceId: 'x', startUtc: at('2027-03-11', '12:00'), endUtc: at('2027-03-11', '12:45'), expiresAt: at(TODAY, '08:50') },
    ];
    await fireEvent.click(screen.getByRole('button', { name: 'Next day' }));
    await vi.waitFor(() => expect(h.reads.at(-1)).toBe('2027-03-11'));
    await vi.waitFor(() =>
      expect(screen.getAllByTestId('desk-hold').map((x) => x.textContent?.trim())).toEqual([expect.stringMatching(/until 8:50/)]),
    );
  });

  it('goes to the previous and next day, any date, and back to today', async () => {
    const h = await deskPage();
    await fireEvent.click(screen.getByRole('button', { name: 'Previous day' }));
    await vi.waitFor(() => expect(h.reads.at(-1)).toBe('2027-03-09'));
    expect(screen.getByTestId('desk-date-label').textContent).not.toContain('(today)');
    // Never another day's bookings under this day's date.
    await vi.waitFor(() => expect(screen.queryAllByTestId('desk-booking')).toHaveLength(0));
    await fireEvent.change(screen.getByTestId('desk-date'), { target: { value: '2027-01-15' } });
    await vi.waitFor(() => expect(h.reads.at(-1)).toBe('2027-01-15'));
    await fireEvent.click(screen.getByRole('button', { name: 'Next day' }));
    await vi.waitFor(() => expect(h.reads.at(-1)).toBe('2027-01-16'));
    await fireEvent.click(screen.getByRole('button', { name: 'Today' }));
    await vi.waitFor(() => expect(h.reads.at(-1)).toBe(TODAY));
    await vi.waitFor(() => expect(screen.getAllByTestId('desk-booking')).toHaveLength(1));
  });

  it('re-reads the shown day once for a burst of changes to it, and announces what changed', async () => {
    const h = await deskPage();
    await vi.waitFor(() => expect(h.socket().connected).toBe(true));
    h.days[TODAY] = day(TODAY, {
      priya: { bookings: [booking('b3', PRIYA, TODAY, '15:00', { customer: { displayName: 'Rohan Basnet' } as never })] },
    });
    h.socket().push('calendar:changed', { eventId: 10, stylistId: PRIYA, dates: [TODAY], kind: 'booking' });
    h.socket().push('booking:created', { eventId: 11, booking: booking('b3', PRIYA, TODAY, '15:00') });
    h.socket().push('calendar:changed', { eventId: 12, stylistId: PRIYA, dates: [TODAY], kind: 'hold' });
    await vi.waitFor(() => expect(document.querySelector('[data-booking-id="b3"]')).toBeTruthy());
    await sleep(30);
    expect(h.reads).toEqual([TODAY, TODAY]);
    expect(politely()).toMatch(/^New booking: Rohan Basnet with Priya Thapa at 3:00/);
    expect(document.querySelector('[data-booking-id="b3"]')?.textContent).toContain('New');

    // A status change is said in words too.
    h.days[TODAY] = day(TODAY, {
      aarav: { bookings: [booking('b1', AARAV, TODAY, '10:00', { status: 'cancelled' })] },
      priya: { bookings: [booking('b3', PRIYA, TODAY, '15:00', { customer: { displayName: 'Rohan Basnet' } as never })] },
    });
    h.socket().push('calendar:changed', { eventId: 13, stylistId: AARAV, dates: [TODAY], kind: 'booking' });
    await vi.waitFor(() => expect(politely()).toMatch(/^Anita Karki’s booking at 10:00.* is now cancelled\.$/));
    expect(h.reads).toHaveLength(3);
  });

  it('leaves other days alone, and re-reads on every kind of change to this one', async () => {
    const h = await deskPage();
    await vi.waitFor(() => expect(h.socket().connected).toBe(true));
    const s = h.socket();
    s.push('calendar:changed', { eventId: 20, stylistId: AARAV, dates: ['2027-03-11'], kind: 'booking' });
    s.push('booking:created', { eventId: 21, booking: booking('bx', AARAV, '2027-03-12', '10:00') });
    s.push('override:changed', {
      eventId: 22,
      action: 'created',
      override: { ...day(TODAY).stylists[1].overrides[0], startDate: '2027-04-01', endDate: '2027-04-02' },
    });
    await sleep(30);
    expect(h.reads).toHaveLength(1);

    s.push('calendar:changed', { eventId: 23, stylistId: null, dates: null, kind: 'schedule' });
    await vi.waitFor(() => expect(h.reads).toHaveLength(2));
    s.push('override:changed', {
      eventId: 24,
      action: 'created',
      override: { ...day(TODAY).stylists[1].overrides[0], startDate: '2027-03-09', endDate: '2027-03-12' },
    });
    await vi.waitFor(() => expect(h.reads).toHaveLength(3));
    // A booking of this day moved to another day: its old day changes too.
    s.push('booking:updated', { eventId: 25, booking: booking('b1', AARAV, '2027-03-20', '10:00') });
    await vi.waitFor(() => expect(h.reads).toHaveLength(4));
    s.push('resync', { reason: 'pruned' });
    await vi.waitFor(() => expect(h.reads).toHaveLength(5));
    // A customer's own view of a booking (no customer context) is not the desk's.
    const { customer: _c, ...own } = booking('b1', AARAV, TODAY, '10:00');
    s.push('booking:updated', { eventId: 26, booking: own });
    await sleep(30);
    expect(h.reads).toHaveLength(5);
  });

  it('says when the connection is down and re-reads the day when it is back', async () => {
    const h = await deskPage();
    await vi.waitFor(() => expect(h.socket().connected).toBe(true));
    h.socket().drop();
    expect((await screen.findByTestId('desk-stale')).textContent).toMatch(/Reconnecting….*may be out of date/);
    // The day stays on screen meanwhile.
    expect(screen.getAllByTestId('desk-booking')).toHaveLength(1);
    h.socket().open();
    await vi.waitFor(() => expect(h.reads).toHaveLength(2));
    expect(screen.queryByTestId('desk-stale')).toBeNull();
  });

  it('lets the arrow keys walk the grid (one tab stop), and a phone pick one stylist', async () => {
    await deskPage();
    const stops = screen.getAllByTestId('desk-cell').filter((c) => c.tabIndex === 0);
    expect(stops).toHaveLength(1);
    stops[0].focus();
    await fireEvent.keyDown(stops[0], { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-cell')).toBe('0:1');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement?.getAttribute('data-cell')).toBe('1:1');
    expect(screen.getAllByTestId('desk-cell').filter((c) => c.tabIndex === 0)).toEqual([document.activeElement]);
    // Moving sideways also switches the stylist a phone shows.
    const heads = screen.getAllByTestId('desk-column-head');
    expect(heads.map((x) => x.classList.contains('phone-off'))).toEqual([true, false]);
    await fireEvent.change(screen.getByTestId('desk-stylist-switcher'), { target: { value: AARAV } });
    expect(heads.map((x) => x.classList.contains('phone-off'))).toEqual([false, true]);
  });

  it('is the admin console’s Today section as well', async () => {
    await deskPage({}, { heading: 'Today' });
    expect(screen.getByRole('heading', { name: 'Today' })).toBeTruthy();
  });
});

describe('the calendar’s rules', () => {
  it('draws the axis over every window and booking, at least 9:00 to 18:00', () => {
    expect(axisRange(day(TODAY).stylists, ZONE)).toEqual({ from: 540, to: 1080 });
    const late = day(TODAY, { aarav: { bookings: [booking('b1', AARAV, TODAY, '19:30')] } });
    expect(axisRange(late.stylists, ZONE)).toEqual({ from: 540, to: 1260 });
    expect(axisRange([], ZONE)).toEqual({ from: 540, to: 1080 });
  });

  it('names the stretches outside the windows', () => {
    const [aarav, priya] = day(TODAY).stylists;
    const range = { from: 540, to: 1140 };
    expect(offAreas(aarav, ZONE, range)).toEqual([
      { from: 540, to: 600, label: 'Closed' },
      { from: 1080, to: 1140, label: 'Closed' },
    ]);
    expect(offAreas(priya, ZONE, range).map((a) => a.label)).toEqual(['Closed', 'Team meeting', 'Closed']);
    expect(offAreas({ ...priya, overrides: [] }, ZONE, range)[1]).toEqual({ from: 780, to: 840, label: 'Break' });
    expect(offAreas({ ...aarav, windows: [] }, ZONE, range)).toEqual([{ from: 540, to: 1140, label: 'Not working' }]);
  });

  it('offers the status changes the server allows, and completes a past visit through in progress', () => {
    const b = booking('b', AARAV, TODAY, '10:00');
    const start = Date.parse(b.startUtc);
    expect(deskActions(b, start - 3_600_000)).toEqual([]);
    expect(deskActions(b, start - 10 * 60_000).map((a) => a.label)).toEqual(['Check in']);
    expect(deskActions(b, start + 60_000).map((a) => a.label)).toEqual(['Check in', 'No-show']);
    expect(deskActions(b, start + 86_400_000)).toEqual([
      { status: 'in_progress', label: 'Check in' },
      { status: 'completed', label: 'Completed', via: 'in_progress' },
      { status: 'no_show', label: 'No-show' },
    ]);
    expect(deskActions({ ...b, status: 'in_progress' }, start).map((a) => a.status)).toEqual(['completed']);
    expect(deskActions({ ...b, status: 'pending' }, start).map((a) => a.status)).toEqual(['confirmed']);
    expect(deskActions({ ...b, status: 'no_show' }, start + 86_400_000)).toEqual([]);
  });

  it('speaks of the customer, not “you”, in errors', () => {
    expect(deskMessage(new ApiError('CUSTOMER_BUSY', 409, 'busy'))).toBe('This customer already has a booking or a hold at that time.');
    expect(deskMessage(new ApiError('OUTSIDE_HOURS', 400, 'x'))).toBe('That time is outside the stylist’s working hours.');
    expect(deskMessage(new ApiError('NETWORK', 0, 'x'))).toMatch(/could not reach the salon/);
    const invalid = new ApiError('INVALID_INPUT', 400, 'x', { fields: [{ field: 'walkIn.phone' }, { field: 'walkIn.email' }] });
    expect(deskMessage(invalid)).toBe('Please check the phone number and e-mail address.');
  });

  it('turns a salon wall time into its instant', () => {
    expect(new Date(instantAt(TODAY, 600, ZONE)).toISOString()).toBe(at(TODAY, '10:00'));
    expect(new Date(instantAt('2027-03-14', 150, 'America/New_York')).toISOString()).toBe('2027-03-14T07:30:00.000Z');
    expect(new Date(instantAt('2027-11-07', 60, 'America/New_York')).toISOString()).toBe('2027-11-07T05:00:00.000Z');
  });
});
