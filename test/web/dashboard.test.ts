// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import type { StylistBooking } from '../../web/src/lib/types.ts';
import CustomerPanel from '../../web/src/stylist/CustomerPanel.svelte';
import { StylistDashboard, heldFromSlots, statusActions, windowsFromSlots } from '../../web/src/stylist/dashboard.svelte.ts';
import { errorBody, fakeFetch, fakeSocketFactory, makeSlots, type FakeSocket } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2027-03-10T03:00:00Z'); // 08:45 in Kathmandu
let socket: () => FakeSocket;
let calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[];

function booking(id: string, startUtc: string, extra: Partial<StylistBooking> = {}): StylistBooking {
  return {
    id, customerId: 'c1', stylistId: STYLIST, serviceId: SERVICE, startUtc, endUtc: new Date(Date.parse(startUtc) + 45 * 60_000).toISOString(),
    status: 'confirmed', priceCents: 150000, notes: '', createdAt: '2027-03-01T00:00:00Z',
    customer: { id: 'c1', displayName: 'Anita Karki', visitCount: 4, lastVisitAt: '2027-02-01T05:00:00Z', lastServiceName: 'Hair Colour', totalSpentCents: 2200000, notes: 'Likes tea', hasSafetyNotes: true },
    ...extra,
  };
}

async function dashboard() {
  calls = [];
  const api = new Api(fakeFetch({
    'GET /api/services': () => ({ body: [{ id: SERVICE, name: 'Haircut', category: 'Hair', durationMinutes: 45, priceCents: 150000 }] }),
    'GET /api/stylists': () => ({ body: [{ id: STYLIST, displayName: 'Aarav Shrestha', timezone: 'Asia/Kathmandu', bio: '', services: [{ id: SERVICE, name: 'Haircut', durationMinutes: 45, priceCents: 150000 }] }] }),
    'GET /api/stylist/bookings': ({ query }) => {
      expect(query.get('from')).toBe('2027-03-10');
      expect(query.get('to')).toBe('2027-03-24');
      return { body: [booking('b1', '2027-03-10T04:15:00.000Z'), booking('b2', '2027-03-12T05:15:00.000Z', { status: 'pending' })] };
    },
    'GET /api/bookings/available-slots': () => ({ body: makeSlots(8, { 3: 'held' }), headers: { 'x-availability-version': '1' } }),
    'POST /api/bookings/:id/status': ({ path, body }) => {
      if ((body as { status: string }).status === 'no_show') return { status: 409, body: errorBody('INVALID_TRANSITION') };
      return { body: { ...booking(path.split('/')[3], '2027-03-10T04:15:00.000Z'), status: (body as { status: string }).status, customer: undefined } };
    },
    'POST /api/stylist/customers/:id/safety-notes': ({ body }) => ({ body: { customerId: 'c1', safetyNotes: `Allergic to PPD (${(body as { reason: string }).reason})` } }),
  }, calls));
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  socket = f.socket;
  live.start();
  const dash = new StylistDashboard(STYLIST, { api, live, catalogue: new Catalogue(api), now: () => NOW });
  const stop = dash.start();
  await vi.waitFor(() => expect(dash.loaded).toBe(true));
  await vi.waitFor(() => expect(dash.daySlots?.loading).toBe(false));
  return { dash, stop };
}

afterEach(() => cleanup());

describe('StylistDashboard', () => {
  it('splits today from the coming days, in the stylist’s zone', async () => {
    const { dash } = await dashboard();
    expect(dash.today).toBe('2027-03-10');
    expect(dash.todays.map((b) => b.id)).toEqual(['b1']);
    expect(dash.coming).toEqual([{ date: '2027-03-12', items: [expect.objectContaining({ id: 'b2' })] }]);
    expect(dash.windows).toEqual([{ startMs: Date.parse('2027-03-10T04:15:00.000Z'), endMs: Date.parse('2027-03-10T08:30:00.000Z') }]);
    expect(dash.held).toHaveLength(1);
  });

  it('adds a booking that arrives live, with its customer context and a highlight', async () => {
    const { dash } = await dashboard();
    socket().push('booking:created', { eventId: 12, booking: booking('b3', '2027-03-10T06:15:00.000Z', { customer: { ...booking('x', '2027-03-10T06:15:00.000Z').customer, displayName: 'Rohan Basnet', visitCount: 0 } }) });
    expect(dash.todays.map((b) => b.id)).toEqual(['b1', 'b3']);
    expect(dash.highlights.b3).toBe('new');
    expect(dash.announcement).toMatch(/^New booking: Rohan Basnet at /);
    socket().push('booking:updated', { eventId: 13, booking: { ...booking('b1', '2027-03-10T04:15:00.000Z'), status: 'cancelled' } });
    expect(dash.highlights.b1).toBe('changed');
    expect(dash.todays.find((b) => b.id === 'b1')?.status).toBe('cancelled');
    dash.select('b3');
    expect(dash.highlights.b3).toBeUndefined();
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

describe('working windows from slots', () => {
  it('merges overlapping candidates into windows and keeps breaks as gaps', () => {
    const morning = makeSlots(4, {}, '2027-03-10T04:15:00.000Z');
    const afternoon = makeSlots(2, { 0: 'held' }, '2027-03-10T08:15:00.000Z');
    expect(windowsFromSlots([...morning, ...afternoon])).toEqual([
      { startMs: Date.parse('2027-03-10T04:15:00Z'), endMs: Date.parse('2027-03-10T06:30:00Z') },
      { startMs: Date.parse('2027-03-10T08:15:00Z'), endMs: Date.parse('2027-03-10T09:30:00Z') },
    ]);
    expect(heldFromSlots(afternoon)).toEqual([{ startMs: Date.parse('2027-03-10T08:15:00Z'), endMs: Date.parse('2027-03-10T09:00:00Z') }]);
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
