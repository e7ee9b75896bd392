// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import type { Override, StylistBooking, StylistDay } from '../../web/src/lib/types.ts';
import CustomerPanel from '../../web/src/stylist/CustomerPanel.svelte';
import Timeline from '../../web/src/stylist/Timeline.svelte';
import { StylistDashboard, describeOverride, mergeIntervals, statusActions, toIntervals } from '../../web/src/stylist/dashboard.svelte.ts';
import { errorBody, fakeFetch, fakeSocketFactory, makeSlots, type FakeSocket } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2027-03-10T03:00:00Z'); // 08:45 in Kathmandu
let socket: () => FakeSocket;
let calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[];
/** What GET /api/stylist/day answers, by date (the test changes it to simulate the server). */
let days: Record<string, StylistDay>;
const BLOCK: Override = {
  id: 'o1',
  scope: 'salon',
  stylistId: null,
  startDate: '2027-03-10',
  endDate: '2027-03-10',
  kind: 'blocked',
  start: '13:00',
  end: '14:00',
  priority: 0,
  reason: 'Team meeting',
  createdBy: 'a1',
  createdAt: '2027-03-01T00:00:00.000Z',
};
// 2027-03-10 in Kathmandu: 10:00–13:00 and 14:00–18:00 (the meeting takes the 13:00 hour), one hold at 11:00.
const TODAY: StylistDay = {
  stylistId: STYLIST,
  date: '2027-03-10',
  timezone: 'Asia/Kathmandu',
  windows: [
    { startUtc: '2027-03-10T04:15:00.000Z', endUtc: '2027-03-10T07:15:00.000Z' },
    { startUtc: '2027-03-10T08:15:00.000Z', endUtc: '2027-03-10T12:15:00.000Z' },
  ],
  holds: [{ startUtc: '2027-03-10T05:15:00.000Z', endUtc: '2027-03-10T06:00:00.000Z', expiresAt: '2027-03-10T03:10:00.000Z' }],
  overrides: [BLOCK],
};

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
      displayName: 'Anita Karki',
      visitCount: 4,
      lastVisitAt: '2027-02-01T05:00:00Z',
      lastServiceName: 'Hair Colour',
      totalSpentCents: 2200000,
      notes: 'Likes tea',
      hasSafetyNotes: true,
    },
    ...extra,
  };
}

async function dashboard() {
  calls = [];
  days = {
    '2027-03-10': TODAY,
    '2027-03-12': {
      ...TODAY,
      date: '2027-03-12',
      windows: [TODAY.windows[1]].map((w) => ({
        startUtc: w.startUtc.replace('03-10', '03-12'),
        endUtc: w.endUtc.replace('03-10', '03-12'),
      })),
      holds: [],
      overrides: [],
    },
  };
  const api = new Api(
    fakeFetch(
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
        'GET /api/stylist/bookings': ({ query }) => {
          expect(query.get('from')).toBe('2027-03-10');
          expect(query.get('to')).toBe('2027-03-24');
          return { body: [booking('b1', '2027-03-10T04:15:00.000Z'), booking('b2', '2027-03-12T05:15:00.000Z', { status: 'pending' })] };
        },
        'GET /api/stylist/day': ({ query }) => {
          const day = days[query.get('date') ?? ''];
          return day ? { body: day } : { status: 400, body: errorBody('INVALID_INPUT') };
        },
        'POST /api/bookings/:id/status': ({ path, body }) => {
          if ((body as { status: string }).status === 'no_show') return { status: 409, body: errorBody('INVALID_TRANSITION') };
          return {
            body: {
              ...booking(path.split('/')[3], '2027-03-10T04:15:00.000Z'),
              status: (body as { status: string }).status,
              customer: undefined,
            },
          };
        },
        'POST /api/stylist/customers/:id/safety-notes': ({ body }) => ({
          body: { customerId: 'c1', safetyNotes: `Allergic to PPD (${(body as { reason: string }).reason})` },
        }),
      },
      calls,
    ),
  );
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  socket = f.socket;
  live.start();
  const dash = new StylistDashboard(STYLIST, { api, live, catalogue: new Catalogue(api), now: () => NOW });
  const stop = dash.start();
  await vi.waitFor(() => expect(dash.loaded).toBe(true));
  await vi.waitFor(() => expect(dash.day).not.toBeNull());
  return { dash, stop };
}

afterEach(() => cleanup());

describe('StylistDashboard', () => {
  it('splits today from the coming days, in the stylist’s zone', async () => {
    const { dash } = await dashboard();
    expect(dash.today).toBe('2027-03-10');
    expect(dash.todays.map((b) => b.id)).toEqual(['b1']);
    expect(dash.coming).toEqual([{ date: '2027-03-12', items: [expect.objectContaining({ id: 'b2' })] }]);
  });

  it('shows the day’s real working windows, holds and overrides from the server', async () => {
    const { dash } = await dashboard();
    expect(calls.find((c) => c.path === '/api/stylist/day')).toBeTruthy();
    expect(dash.windows).toEqual([
      { startMs: Date.parse('2027-03-10T04:15:00.000Z'), endMs: Date.parse('2027-03-10T07:15:00.000Z') },
      { startMs: Date.parse('2027-03-10T08:15:00.000Z'), endMs: Date.parse('2027-03-10T12:15:00.000Z') },
    ]);
    expect(dash.held).toEqual([{ startMs: Date.parse('2027-03-10T05:15:00.000Z'), endMs: Date.parse('2027-03-10T06:00:00.000Z') }]);
    expect(dash.overrides).toEqual([BLOCK]);
    expect(dash.blocks).toEqual([{ start: '13:00', end: '14:00', reason: 'Team meeting' }]);
    // The slots of a service are watched only as a signal; nothing of them is shown.
    expect(socket().sentOf('slots:watch')).toEqual([{ stylistId: STYLIST, serviceId: SERVICE, date: '2027-03-10' }]);
  });

  it('re-reads the day when its slots change live (a hold, an expiry) or an override of that day changes', async () => {
    const { dash } = await dashboard();
    const reads = () => calls.filter((c) => c.path === '/api/stylist/day').length;
    await vi.waitFor(() => expect(reads()).toBeGreaterThanOrEqual(1));
    const before = reads();
    days['2027-03-10'] = { ...TODAY, holds: [] };
    socket().push('slots:update', {
      stylistId: STYLIST,
      serviceId: SERVICE,
      date: '2027-03-10',
      version: 9,
      slots: makeSlots(8),
      reason: 'hold',
    });
    await vi.waitFor(() => expect(dash.held).toEqual([]));
    expect(reads()).toBe(before + 1);
    days['2027-03-10'] = {
      ...TODAY,
      holds: [],
      windows: [],
      overrides: [{ ...BLOCK, id: 'o2', kind: 'closed', start: null, end: null, reason: 'Burst pipe' }],
    };
    socket().push('override:changed', {
      eventId: 20,
      action: 'created',
      override: { ...BLOCK, id: 'o2', kind: 'closed', start: null, end: null, reason: 'Burst pipe' },
    });
    await vi.waitFor(() => expect(dash.windows).toEqual([]));
    // An override of another day does not concern the timeline.
    const after = reads();
    socket().push('override:changed', {
      eventId: 21,
      action: 'created',
      override: { ...BLOCK, id: 'o3', startDate: '2027-04-01', endDate: '2027-04-01' },
    });
    socket().push('override:changed', {
      eventId: 22,
      action: 'deleted',
      override: { ...BLOCK, id: 'o3', startDate: '2027-04-01', endDate: '2027-04-01' },
    });
    expect(reads()).toBe(after);
  });

  it('moves the timeline to another day and never shows one day’s hours on another', async () => {
    const { dash } = await dashboard();
    dash.showDay('2027-03-12');
    expect(dash.timelineDate).toBe('2027-03-12');
    expect(dash.windows).toEqual([]); // today's answer is not shown for the 12th
    await vi.waitFor(() => expect(dash.windows).toHaveLength(1));
    expect(dash.held).toEqual([]);
    expect(socket().sentOf('slots:unwatch')).toEqual([{ stylistId: STYLIST, serviceId: SERVICE, date: '2027-03-10' }]);
    expect(socket().sentOf('slots:watch').at(-1)).toEqual({ stylistId: STYLIST, serviceId: SERVICE, date: '2027-03-12' });
  });

  it('says when the day cannot be read', async () => {
    const { dash } = await dashboard();
    dash.showDay('2027-03-11');
    await vi.waitFor(() => expect(dash.dayError).toBe('Some details are missing or not valid. Please check and try again.'));
  });

  it('adds a booking that arrives live, with its customer context and a highlight', async () => {
    const { dash } = await dashboard();
    socket().push('booking:created', {
      eventId: 12,
      booking: booking('b3', '2027-03-10T06:15:00.000Z', {
        customer: { ...booking('x', '2027-03-10T06:15:00.000Z').customer, displayName: 'Rohan Basnet', visitCount: 0 },
      }),
    });
    expect(dash.todays.map((b) => b.id)).toEqual(['b1', 'b3']);
    expect(dash.highlights.b3).toBe('new');
    expect(dash.announcement).toMatch(/^New booking: Rohan Basnet at /);
    socket().push('booking:updated', { eventId: 13, booking: { ...booking('b1', '2027-03-10T04:15:00.000Z'), status: 'cancelled' } });
    expect(dash.highlights.b1).toBe('changed');
    expect(dash.todays.find((b) => b.id === 'b1')?.status).toBe('cancelled');
    dash.select('b3');
    expect(dash.highlights.b3).toBeUndefined();
  });

  it('marks a replayed creation new even when the re-read list already had it', async () => {
    const { dash } = await dashboard();
    // b2 came with the list (as after a reconnect's re-read); its creation is replayed afterwards.
    socket().push('booking:created', { eventId: 15, booking: booking('b2', '2027-03-12T05:15:00.000Z', { status: 'pending' }) });
    expect(dash.highlights.b2).toBe('new');
    expect(dash.announcement).toMatch(/^New booking: Anita Karki at /);
    expect(dash.bookings.filter((b) => b.id === 'b2')).toHaveLength(1);
  });

  it('ignores another stylist’s booking', async () => {
    const { dash } = await dashboard();
    socket().push('booking:created', { eventId: 14, booking: booking('bx', '2027-03-10T06:15:00.000Z', { stylistId: 'someone-else' }) });
    expect(dash.bookings.some((b) => b.id === 'bx')).toBe(false);
  });

  it('moves a booking through its states and explains a refused change', async () => {
    const { dash } = await dashboard();
    await dash.setStatus('b1', 'in_progress');
    expect(dash.bookings.find((b) => b.id === 'b1')).toMatchObject({ status: 'in_progress', customer: { displayName: 'Anita Karki' } });
    await dash.setStatus('b1', 'no_show');
    expect(dash.actionError).toEqual({ id: 'b1', message: 'That change is not possible for this booking right now.' });
  });

  it('re-reads its bookings after a resync', async () => {
    const { dash } = await dashboard();
    const before = calls.filter((c) => c.path === '/api/stylist/bookings').length;
    socket().push('resync', { reason: 'pruned' });
    await vi.waitFor(() => expect(calls.filter((c) => c.path === '/api/stylist/bookings').length).toBe(before + 1));
    await vi.waitFor(() => expect(dash.loading).toBe(false));
  });
});

describe('status actions', () => {
  const b = (status: StylistBooking['status']) => booking('b', '2027-03-10T04:15:00.000Z', { status });
  const start = Date.parse('2027-03-10T04:15:00.000Z');
  it('offers only what the state machine allows at that time', () => {
    expect(statusActions(b('pending'), start - 3_600_000).map((a) => a.status)).toEqual(['confirmed']);
    expect(statusActions(b('confirmed'), start - 3_600_000)).toEqual([]);
    expect(statusActions(b('confirmed'), start - 20 * 60_000).map((a) => a.status)).toEqual(['in_progress']);
    expect(statusActions(b('confirmed'), start + 60_000).map((a) => a.status)).toEqual(['in_progress', 'no_show']);
    expect(statusActions(b('in_progress'), start).map((a) => a.status)).toEqual(['completed']);
    expect(statusActions(b('completed'), start)).toEqual([]);
  });
});

describe('the day view', () => {
  it('turns instants into sorted intervals and merges overlapping holds', () => {
    expect(
      toIntervals([
        { startUtc: '2027-03-10T08:15:00Z', endUtc: '2027-03-10T09:00:00Z' },
        { startUtc: '2027-03-10T04:15:00Z', endUtc: '2027-03-10T05:00:00Z' },
      ]),
    ).toEqual([
      { startMs: Date.parse('2027-03-10T04:15:00Z'), endMs: Date.parse('2027-03-10T05:00:00Z') },
      { startMs: Date.parse('2027-03-10T08:15:00Z'), endMs: Date.parse('2027-03-10T09:00:00Z') },
    ]);
    expect(
      mergeIntervals([
        { startMs: 5, endMs: 9 },
        { startMs: 0, endMs: 5 },
        { startMs: 12, endMs: 13 },
      ]),
    ).toEqual([
      { startMs: 0, endMs: 9 },
      { startMs: 12, endMs: 13 },
    ]);
  });

  it('describes each kind of override', () => {
    expect(describeOverride(BLOCK)).toBe('Blocked 13:00–14:00: Team meeting');
    expect(describeOverride({ ...BLOCK, kind: 'closed', start: null, end: null, reason: 'Holiday' })).toBe('Salon closed: Holiday');
    expect(
      describeOverride({ ...BLOCK, scope: 'stylist', stylistId: STYLIST, kind: 'closed', start: null, end: null, reason: 'Leave' }),
    ).toBe('Day off: Leave');
    expect(describeOverride({ ...BLOCK, kind: 'hours', start: '11:00', end: '15:00', reason: 'Festival' })).toBe(
      'Salon hours 11:00–15:00: Festival',
    );
  });

  it('draws the windows, names a blocked gap by its reason and a plain gap a break', () => {
    const windows = toIntervals([...TODAY.windows, { startUtc: '2027-03-10T12:45:00.000Z', endUtc: '2027-03-10T13:15:00.000Z' }]);
    render(Timeline, {
      props: {
        bookings: [],
        windows,
        held: toIntervals(TODAY.holds),
        blocks: [{ start: '13:00', end: '14:00', reason: 'Team meeting' }],
        zone: 'Asia/Kathmandu',
        nowMs: NOW,
        highlights: {},
        selectedId: null,
        serviceName: () => 'Haircut',
        onselect: () => {},
      },
    });
    expect(screen.getAllByTestId('timeline-gap').map((g) => g.textContent)).toEqual(['Team meeting', 'Break']);
    expect(screen.getByTitle('A customer is holding a time here')).toBeTruthy();
  });
});

describe('CustomerPanel', () => {
  it('shows the history and keeps safety notes behind a stated reason', async () => {
    const { dash } = await dashboard();
    render(CustomerPanel, { props: { dash, booking: dash.bookings[0] } });
    expect(screen.getByTestId('visit-count').textContent).toBe('4 before');
    expect(screen.getByText('Likes tea')).toBeTruthy();
    expect(screen.queryByTestId('safety-notes')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: /Show safety notes/ }));
    const reason = screen.getByLabelText(/Why do you need them/);
    await fireEvent.input(reason, { target: { value: 'colour' } });
    await fireEvent.submit(reason.closest('form')!);
    expect(screen.getByRole('alert').textContent).toMatch(/at least 10 characters/);
    expect(calls.some((c) => c.path.includes('safety-notes'))).toBe(false);
    await fireEvent.input(reason, { target: { value: 'colour service this afternoon' } });
    await fireEvent.submit(reason.closest('form')!);
    expect((await screen.findByTestId('safety-notes')).textContent).toBe('Allergic to PPD (colour service this afternoon)');
    expect(calls.find((c) => c.path.includes('safety-notes'))?.body).toEqual({ reason: 'colour service this afternoon' });
  });
});
