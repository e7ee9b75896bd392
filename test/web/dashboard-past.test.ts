// @vitest-environment happy-dom
// The stylist's past days: yesterday on the timeline, with its bookings, to mark no-shows and completions.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppContext } from '../../web/src/lib/app.ts';
import { APP_CONTEXT_KEY } from '../../web/src/lib/context.ts';
import type { StylistBooking, StylistDay } from '../../web/src/lib/types.ts';
import StylistPage from '../../web/src/stylist/StylistPage.svelte';
import { PAST_DAYS, StylistDashboard, statusActions } from '../../web/src/stylist/dashboard.svelte.ts';
import { errorBody, fakeFetch, fakeSocketFactory } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2027-03-10T03:00:00Z'); // 08:45 in Kathmandu
const YESTERDAY = '2027-03-09';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function booking(id: string, startUtc: string, extra: Partial<StylistBooking> = {}): StylistBooking {
  return {
    id,
    customerId: 'c1',
    stylistId: STYLIST,
    serviceId: SERVICE,
    startUtc,
    endUtc: new Date(Date.parse(startUtc) + 45 * 60_000).toISOString(),
    status: 'confirmed',
    priceCents: 150000,
    notes: '',
    createdAt: '2027-03-01T00:00:00Z',
    customer: {
      id: 'c1',
      displayName: id === 'y2' ? 'Rohan Basnet' : 'Anita Karki',
      visitCount: 4,
      lastVisitAt: null,
      lastServiceName: null,
      totalSpentCents: 0,
      notes: '',
      hasSafetyNotes: false,
    },
    ...extra,
  };
}

function setup() {
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
  const ranges: string[] = [];
  const statuses: Record<string, StylistBooking['status']> = {};
  const y1 = () => booking('y1', '2027-03-09T04:15:00.000Z', { status: statuses.y1 ?? 'confirmed' });
  const y2 = () => booking('y2', '2027-03-09T06:15:00.000Z', { status: statuses.y2 ?? 'confirmed' });
  const f = fakeSocketFactory();
  const ctx = createAppContext({
    fetch: fakeFetch(
      {
        'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
        'GET /api/services': () => ({
          body: [{ id: SERVICE, name: 'Haircut', category: 'Hair', durationMinutes: 45, priceCents: 150000 }],
        }),
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
        'GET /api/stylist/bookings': ({ query }) => {
          ranges.push(`${query.get('from')}..${query.get('to')}`);
          if (query.get('from') === YESTERDAY) return { body: [y1(), y2()] };
          return { body: [booking('t1', '2027-03-10T04:15:00.000Z')] };
        },
        'GET /api/stylist/day': ({ query }): { body: StylistDay } => ({
          body: { stylistId: STYLIST, date: query.get('date')!, timezone: 'Asia/Kathmandu', windows: [], holds: [], overrides: [] },
        }),
        'POST /api/bookings/:id/status': ({ path, body }) => {
          const id = path.split('/')[3];
          const to = (body as { status: StylistBooking['status'] }).status;
          if (id === 'y2' && to !== 'no_show') return { status: 409, body: errorBody('INVALID_TRANSITION') };
          statuses[id] = to;
          // The status answer is the plain booking (no customer context).
          const { customer: _c, ...plain } = id === 'y1' ? y1() : y2();
          return { body: plain };
        },
      },
      calls,
    ),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  return { ctx, calls, ranges, socket: f.socket };
}

describe('a stylist’s past days', () => {
  it('goes back to yesterday and reads that day’s bookings; not further back than PAST_DAYS', async () => {
    const { ctx, ranges } = setup();
    const dash = new StylistDashboard(STYLIST, { api: ctx.api, live: ctx.live, catalogue: ctx.catalogue, now: () => NOW });
    dash.start();
    await vi.waitFor(() => expect(dash.loaded).toBe(true));
    expect(dash.today).toBe('2027-03-10');
    dash.showDay(YESTERDAY);
    await vi.waitFor(() => expect(dash.todays.map((b) => b.id)).toEqual(['y1', 'y2']));
    expect(ranges).toContain(`${YESTERDAY}..${YESTERDAY}`);
    // Today's list is not mixed in, and the coming days stay as they were.
    expect(dash.coming).toEqual([]);
    dash.showDay('2026-12-01');
    expect(dash.timelineDate).toBe(YESTERDAY);
    expect(PAST_DAYS).toBeGreaterThanOrEqual(31);
    // A re-read (as after a resync or a reconnect) keeps the past day shown.
    await dash.load();
    expect(dash.timelineDate).toBe(YESTERDAY);
    expect(dash.todays.map((b) => b.id)).toEqual(['y1', 'y2']);
  });

  it('marks yesterday’s visits completed and no-show from the dashboard', async () => {
    // The page reads the real clock: only Date is faked (timers stay real).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const { ctx, calls } = setup();
    void ctx.catalogue.load();
    render(StylistPage, { props: { stylistId: STYLIST }, context: new Map([[APP_CONTEXT_KEY, ctx]]) });
    const prev = await screen.findByRole('button', { name: 'Previous day' });
    await vi.waitFor(() => expect((prev as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(prev);
    const list = await screen.findByTestId('day-bookings');
    await vi.waitFor(() => expect(within(list).getAllByRole('article')).toHaveLength(2));
    expect(screen.getByRole('heading', { name: 'Mark how each visit went' })).toBeTruthy();
    const [first, second] = within(list).getAllByRole('article');
    await fireEvent.click(within(first).getByRole('button', { name: 'Completed' }));
    await vi.waitFor(() => expect(within(first).queryByRole('button', { name: 'Completed' })).toBeNull());
    expect(first.classList.contains('completed')).toBe(true);
    expect(within(first).getByText('Anita Karki')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/api/bookings/y1/status').map((c) => c.body)).toEqual([
      { status: 'in_progress' },
      { status: 'completed' },
    ]);
    await fireEvent.click(within(second).getByRole('button', { name: 'No-show' }));
    await vi.waitFor(() => expect(second.classList.contains('no_show')).toBe(true));
    expect(calls.filter((c) => c.path === '/api/bookings/y2/status').map((c) => c.body)).toEqual([{ status: 'no_show' }]);
  });

  it('keeps a live change to a past booking on that day', async () => {
    const { ctx, socket } = setup();
    const dash = new StylistDashboard(STYLIST, { api: ctx.api, live: ctx.live, catalogue: ctx.catalogue, now: () => NOW });
    dash.start();
    await vi.waitFor(() => expect(dash.loaded).toBe(true));
    dash.showDay(YESTERDAY);
    await vi.waitFor(() => expect(dash.todays).toHaveLength(2));
    // The desk marked Rohan a no-show.
    socket().push('booking:updated', { eventId: 40, booking: booking('y2', '2027-03-09T06:15:00.000Z', { status: 'no_show' }) });
    expect(dash.todays.find((b) => b.id === 'y2')?.status).toBe('no_show');
    expect(dash.bookings.some((b) => b.id === 'y2')).toBe(false);
  });
});

describe('status actions after the visit', () => {
  it('offers “Completed” once the visit’s time is over', () => {
    const b = booking('b', '2027-03-09T04:15:00.000Z');
    const end = Date.parse(b.endUtc);
    expect(statusActions(b, end - 60_000).map((a) => a.label)).toEqual(['Start', 'No-show']);
    expect(statusActions(b, end)).toEqual([
      { status: 'in_progress', label: 'Start' },
      { status: 'completed', label: 'Completed', via: 'in_progress' },
      { status: 'no_show', label: 'No-show' },
    ]);
  });
});
