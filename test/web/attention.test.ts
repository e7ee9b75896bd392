// @vitest-environment happy-dom
// A booking that needs attention: the customer's notice with one-tap moves (AttentionNotice and its
// Rebook state), and the marks on the stylist's card and timeline.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AttentionNotice from '../../web/src/customer/AttentionNotice.svelte';
import { Api } from '../../web/src/lib/api.ts';
import type { Booking, BookingAlternative, StylistBooking } from '../../web/src/lib/types.ts';
import BookingCard from '../../web/src/stylist/BookingCard.svelte';
import Timeline from '../../web/src/stylist/Timeline.svelte';
import { errorBody, fakeFetch } from './fakes.ts';

afterEach(() => cleanup());

const ZONE = 'Asia/Kathmandu';
const ANY = '33333333-3333-4333-8333-333333333333';
const flag = { reason: 'closed' as const, overrideId: 'o1' };
const BOOKING: Booking = {
  id: 'b1',
  customerId: 'c1',
  stylistId: 's1',
  serviceId: 'sv1',
  startUtc: '2027-03-20T03:15:00.000Z',
  endUtc: '2027-03-20T04:15:00.000Z',
  status: 'confirmed',
  priceCents: 5000,
  notes: '',
  createdAt: '2027-03-01T00:00:00.000Z',
  attention: flag,
};
const alt = (startUtc: string, stylistId: string): BookingAlternative => ({
  stylistId,
  startUtc,
  endUtc: new Date(Date.parse(startUtc) + 3_600_000).toISOString(),
  startLocal: startUtc,
});
const ALTS = [alt('2027-03-20T03:15:00.000Z', 's2'), alt('2027-03-21T03:15:00.000Z', 's1')];
const names: Record<string, string> = { s1: 'Aarav', s2: 'Priya' };

function notice(routes: Parameters<typeof fakeFetch>[0], calls: Parameters<typeof fakeFetch>[1] = []) {
  const props = {
    booking: BOOKING,
    attention: flag,
    zone: ZONE,
    stylistName: (id: string) => names[id] ?? 'a stylist',
    onmoved: vi.fn(),
    oncancel: vi.fn(),
    onpick: vi.fn(),
    api: new Api(fakeFetch(routes, calls)),
  };
  render(AttentionNotice, { props });
  return props;
}

describe('AttentionNotice', () => {
  it('says what happened and offers the nearest free times, each with its stylist', async () => {
    notice({ 'GET /api/bookings/b1/alternatives': () => ({ body: { bookingId: 'b1', serviceId: 'sv1', alternatives: ALTS } }) });
    expect(screen.getByText('The salon is closed at this time')).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Nearest free times' });
    const buttons = within(list).getAllByRole('button');
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^Move to .*9:00.* with Priya$/),
      expect.stringMatching(/^Move to .*9:00.* with Aarav$/),
    ]);
  });

  it('one tap moves the booking to that time and stylist and hands the moved booking back', async () => {
    const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
    const moved = { ...BOOKING, stylistId: 's2', attention: null };
    const props = notice(
      {
        'GET /api/bookings/b1/alternatives': () => ({ body: { bookingId: 'b1', serviceId: 'sv1', alternatives: ALTS } }),
        'POST /api/bookings/b1/reschedule': () => ({ body: moved }),
      },
      calls,
    );
    const list = await screen.findByRole('list', { name: 'Nearest free times' });
    await fireEvent.click(within(list).getAllByRole('button')[0]);
    await vi.waitFor(() => expect(props.onmoved).toHaveBeenCalledWith(moved));
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      expect.objectContaining({ path: '/api/bookings/b1/reschedule', body: { startUtc: ALTS[0].startUtc, stylistId: 's2' } }),
    ]);
  });

  it('a time taken meanwhile says so and offers the times free now', async () => {
    let reads = 0;
    const props = notice({
      'GET /api/bookings/b1/alternatives': () => ({
        body: { bookingId: 'b1', serviceId: 'sv1', alternatives: reads++ === 0 ? ALTS : [ALTS[1]] },
      }),
      'POST /api/bookings/b1/reschedule': () => ({ status: 409, body: errorBody('SLOT_TAKEN', 'taken', { alternatives: [] }) }),
    });
    const list = await screen.findByRole('list', { name: 'Nearest free times' });
    await fireEvent.click(within(list).getAllByRole('button')[0]);
    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/booked|taken/i));
    await vi.waitFor(() => expect(within(screen.getByRole('list', { name: 'Nearest free times' })).getAllByRole('button')).toHaveLength(1));
    expect(props.onmoved).not.toHaveBeenCalled();
  });

  it('offers cancelling and another day when nothing is free nearby', async () => {
    const props = notice({
      'GET /api/bookings/b1/alternatives': () => ({ body: { bookingId: 'b1', serviceId: 'sv1', alternatives: [] } }),
    });
    expect(await screen.findByText('No free time nearby.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel booking' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Another day…' }));
    expect([props.oncancel.mock.calls.length, props.onpick.mock.calls.length]).toEqual([1, 1]);
  });
});

const stylistBooking = (attention: StylistBooking['attention']): StylistBooking => ({
  ...BOOKING,
  id: ANY,
  attention,
  customer: {
    id: 'c1',
    displayName: 'Anita Karki',
    visitCount: 0,
    lastVisitAt: null,
    lastServiceName: null,
    totalSpentCents: 0,
    notes: '',
    hasSafetyNotes: false,
  },
});

describe('the stylist sees flagged bookings', () => {
  const card = (attention: StylistBooking['attention']) =>
    render(BookingCard, {
      props: {
        booking: stylistBooking(attention),
        zone: ZONE,
        nowMs: Date.parse('2027-03-01T00:00:00Z'),
        serviceName: 'Haircut',
        highlight: null,
        selected: false,
        busy: false,
        error: '',
        onselect: () => {},
        onstatus: () => {},
      },
    });

  it('marks the card of a flagged booking, and only that one', () => {
    card({ reason: 'blocked', overrideId: 'o2' });
    expect(screen.getByTestId('attention').textContent).toContain('Blocked: contact customer');
    cleanup();
    card(null);
    expect(screen.queryByTestId('attention')).toBeNull();
  });

  it('marks the booking on the timeline, in its accessible name too', () => {
    render(Timeline, {
      props: {
        bookings: [stylistBooking(flag)],
        windows: [],
        held: [],
        zone: ZONE,
        nowMs: Date.parse('2027-03-01T00:00:00Z'),
        highlights: {},
        selectedId: null,
        serviceName: () => 'Haircut',
        onselect: () => {},
      },
    });
    expect(screen.getByTestId('timeline-attention').textContent).toContain('Closed: contact customer');
    expect(screen.getByRole('button', { name: /Anita Karki.*Closed: contact customer/ })).toBeTruthy();
  });
});
