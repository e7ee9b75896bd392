// @vitest-environment happy-dom
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BookingFlow } from '../../web/src/customer/booking.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { Clock } from '../../web/src/lib/clock.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import type { Booking, Slot } from '../../web/src/lib/types.ts';
import { errorBody, fakeFetch, fakeSocketFactory, makeSlots, withStatus, type FakeResponse, type FakeSocket, type Route } from './fakes.ts';
import { track } from './track.svelte.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const DATE = '2027-03-10';
const NOW = Date.parse('2027-03-01T00:00:00Z');

let now = NOW;
let slots: Slot[];
let socket: () => FakeSocket;
let calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[];
let loggedIn: boolean;
let holdAnswer: () => FakeResponse;
let bookAnswer: () => FakeResponse;

function setup(extra: Record<string, Route> = {}) {
  calls = [];
  const api = new Api(
    fakeFetch(
      {
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
        'GET /api/bookings/available-slots': ({ query }) => ({
          body: query.get('targetDate') === DATE ? slots : [],
          headers: { 'x-availability-version': '1' },
        }),
        'GET /api/auth/session': () => ({ body: { user: loggedIn ? customer : null } }),
        'GET /api/bookings/available-days': ({ query }) => {
          const from = query.get('from')!;
          const to = query.get('to')!;
          const out = [];
          for (let d = from; d <= to; d = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10)) {
            out.push(
              d === DATE
                ? { date: d, available: 5, status: 'open', version: 1 }
                : d === '2027-03-02'
                  ? { date: d, available: 0, status: 'closed', version: 1 }
                  : { date: d, available: 0, status: 'off', version: 1 },
            );
          }
          return { body: out };
        },
        'POST /api/auth/login': ({ body }) => {
          if ((body as { password: string }).password !== 'right-password')
            return { status: 401, body: errorBody('UNAUTHENTICATED', 'Wrong email or password') };
          loggedIn = true;
          return { body: { user: customer } };
        },
        'POST /api/holds': () => holdAnswer(),
        'DELETE /api/holds/:id': () => ({ status: 204 }),
        'POST /api/bookings': () => bookAnswer(),
        'POST /api/bookings/:id/reschedule': ({ body }) => ({
          body: { ...booking(slots[0].startUtc), startUtc: (body as { startUtc: string }).startUtc },
        }),
        ...extra,
      },
      calls,
    ),
  );
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  socket = f.socket;
  socket().daySlots = slots;
  const session = new Session(api, () => live.reconnect());
  const catalogue = new Catalogue(api);
  const clock = new Clock(1000, () => now);
  const flow = new BookingFlow({ api, live, session, catalogue, clock, now: () => now });
  live.start();
  return { flow, session, catalogue, live };
}

const customer = { id: 'c1', email: 'a@example.test', displayName: 'Anita', role: 'customer' as const };
function booking(startUtc: string): Booking {
  return {
    id: 'b1',
    customerId: 'c1',
    stylistId: STYLIST,
    serviceId: SERVICE,
    startUtc,
    endUtc: startUtc,
    status: 'confirmed',
    priceCents: 150000,
    notes: '',
    createdAt: new Date(NOW).toISOString(),
  };
}

beforeEach(() => {
  now = NOW;
  slots = makeSlots(6, { 1: 'booked' });
  loggedIn = false;
  holdAnswer = () => {
    const start = calls.at(-1)!.body as { startUtc: string };
    return {
      status: 201,
      body: {
        id: 'h1',
        stylistId: STYLIST,
        serviceId: SERVICE,
        startUtc: start.startUtc,
        endUtc: start.startUtc,
        expiresAt: new Date(NOW + 600_000).toISOString(),
      },
      headers: { date: new Date(NOW).toUTCString() },
    };
  };
  bookAnswer = () => ({ status: 201, body: booking(slots[2].startUtc) });
});
afterEach(() => vi.useRealTimers());

async function openDay() {
  const t = setup();
  await t.catalogue.load();
  await t.session.load();
  t.flow.setService(SERVICE);
  t.flow.setStylist(STYLIST);
  t.flow.openDay(DATE);
  await vi.waitFor(() => expect(t.flow.day?.loading).toBe(false));
  return t;
}

describe('BookingFlow', () => {
  it('shows the month of today with each day’s status, from one available-days read', async () => {
    const { flow } = await openDay();
    await vi.waitFor(() => expect(flow.days.every((d) => d.status !== null)).toBe(true));
    expect(flow.month).toBe('2027-03-01');
    expect(flow.days).toHaveLength(31);
    expect(flow.days[0].date).toBe('2027-03-01');
    expect(flow.days.find((d) => d.date === DATE)).toMatchObject({ available: 5, status: 'open' });
    expect(flow.days.find((d) => d.date === '2027-03-02')).toMatchObject({ available: 0, status: 'closed' });
    expect(calls.filter((c) => c.path === '/api/bookings/available-days')).toHaveLength(1);
    flow.pageMonth(1);
    await vi.waitFor(() => expect(flow.days[0]).toMatchObject({ date: '2027-04-01', status: 'off' }));
    expect(flow.days).toHaveLength(30);
    // Never before the month of today.
    flow.pageMonth(-1);
    flow.pageMonth(-1);
    expect(flow.month).toBe('2027-03-01');
  });

  it('keeps the calendar live: days:watch while shown, days:update merged, null reads the month again', async () => {
    const { flow } = await openDay();
    await vi.waitFor(() => expect(flow.days.every((d) => d.status !== null)).toBe(true));
    const stop = flow.keepCalendarLive();
    expect(socket().sentOf('days:watch')).toEqual([{ stylistId: STYLIST, serviceId: SERVICE }]);
    socket().push('days:update', {
      stylistId: STYLIST,
      serviceId: SERVICE,
      days: [{ date: '2027-03-11', available: 0, status: 'full', version: 7 }],
    });
    expect(flow.days.find((d) => d.date === '2027-03-11')).toMatchObject({ status: 'full', version: 7 });
    // An older version of a day never replaces a newer one.
    socket().push('days:update', {
      stylistId: STYLIST,
      serviceId: SERVICE,
      days: [{ date: '2027-03-11', available: 9, status: 'open', version: 3 }],
    });
    expect(flow.days.find((d) => d.date === '2027-03-11')?.status).toBe('full');
    const reads = calls.filter((c) => c.path === '/api/bookings/available-days').length;
    socket().push('days:update', { stylistId: STYLIST, serviceId: SERVICE, days: null });
    await vi.waitFor(() => expect(calls.filter((c) => c.path === '/api/bookings/available-days')).toHaveLength(reads + 1));
    stop();
    expect(socket().sentOf('days:unwatch')).toEqual([{ stylistId: STYLIST, serviceId: SERVICE }]);
  });

  it('with any stylist: holds with stylistId "any" and names the stylist the salon assigned', async () => {
    const t = setup();
    await t.catalogue.load();
    loggedIn = true;
    await t.session.load();
    t.flow.setService(SERVICE);
    t.flow.setStylist('any');
    expect(t.flow.ready).toBe(true);
    expect(t.flow.withStylist).toBeNull();
    t.flow.openDay(DATE);
    await vi.waitFor(() => expect(t.flow.day?.loading).toBe(false));
    expect(calls.find((c) => c.path === '/api/bookings/available-days')).toBeTruthy();
    t.flow.select(slots[2].startUtc);
    await t.flow.holdSelected();
    expect(calls.find((c) => c.method === 'POST' && c.path === '/api/holds')?.body).toEqual({
      stylistId: 'any',
      serviceId: SERVICE,
      startUtc: slots[2].startUtc,
    });
    expect(t.flow.step).toBe('held');
    expect(t.flow.withStylist?.displayName).toBe('Aarav');
    await t.flow.confirm();
    expect(t.flow.step).toBe('done');
    expect(t.flow.withStylist?.displayName).toBe('Aarav');
  });

  it('keeps the selection through an inline sign-in, then holds it, counts down and books', async () => {
    const { flow, session } = await openDay();
    flow.select(slots[1].startUtc); // booked: not selectable
    expect(flow.selected).toBeNull();
    flow.select(slots[2].startUtc);
    await flow.holdSelected();
    expect(flow.step).toBe('auth');
    expect(flow.selected).toBe(slots[2].startUtc);

    await expect(session.login('a@example.test', 'wrong')).rejects.toThrow();
    await session.login('a@example.test', 'right-password');
    await flow.signedIn();
    expect(flow.step).toBe('held');
    expect(flow.hold?.id).toBe('h1');
    expect(calls.find((c) => c.path === '/api/holds')?.body).toEqual({
      stylistId: STYLIST,
      serviceId: SERVICE,
      startUtc: slots[2].startUtc,
    });

    const remaining = track(() => flow.remainingMs);
    expect(remaining.latest()).toBe(599_500);
    now += 60_000;
    socket().push('slots:update', {
      stylistId: STYLIST,
      serviceId: SERVICE,
      date: DATE,
      version: 2,
      slots: withStatus(slots, { 2: 'held' }),
      reason: 'hold',
    });
    flushSync();
    // My own hold showing as held is not a lost selection.
    expect(flow.selectionLost).toBe(false);
    expect(flow.day?.announcement).toBe('');
    remaining.stop();

    flow.notes = 'Short on the sides';
    await flow.confirm();
    expect(flow.step).toBe('done');
    expect(flow.booking?.id).toBe('b1');
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/bookings')!;
    expect(post.body).toEqual({ holdId: 'h1', notes: 'Short on the sides' });
    expect(post.headers['Idempotency-Key']).toMatch(/.{8,}/);
  });

  it('tells me when someone else takes my selected time and offers the nearest free ones', async () => {
    const { flow } = await openDay();
    flow.select(slots[3].startUtc);
    socket().push('slots:update', {
      stylistId: STYLIST,
      serviceId: SERVICE,
      date: DATE,
      version: 2,
      slots: withStatus(slots, { 3: 'held' }),
      reason: 'hold',
    });
    expect(flow.selectionLost).toBe(true);
    expect(flow.lostBecause).toBe('held');
    expect(flow.alternatives.map((s) => s.startUtc)).toEqual([slots[2].startUtc, slots[4].startUtc, slots[5].startUtc]);
    socket().push('slots:update', {
      stylistId: STYLIST,
      serviceId: SERVICE,
      date: DATE,
      version: 3,
      slots: withStatus(slots, { 3: 'booked' }),
      reason: 'booking',
    });
    expect(flow.lostBecause).toBe('booked');
    flow.select(flow.alternatives[0].startUtc);
    expect(flow.selectionLost).toBe(false);
  });

  it('shows the server’s alternatives when a hold is refused as taken', async () => {
    const { flow, session } = await openDay();
    await session.login('a@example.test', 'right-password');
    holdAnswer = () => ({
      status: 409,
      body: errorBody('SLOT_TAKEN', 'taken', { alternatives: [{ startUtc: slots[5].startUtc }, { startUtc: slots[0].startUtc }] }),
    });
    flow.select(slots[3].startUtc);
    await flow.holdSelected();
    expect(flow.error).toBe('Sorry, someone else has just booked that time.');
    expect(flow.day?.slots[3].status).toBe('booked');
    expect(flow.alternatives.map((s) => s.startUtc)).toEqual([slots[5].startUtc, slots[0].startUtc]);
  });

  it('says the hold ran out instead of booking after the countdown', async () => {
    const { flow, session } = await openDay();
    await session.login('a@example.test', 'right-password');
    flow.select(slots[0].startUtc);
    await flow.holdSelected();
    now += 601_000;
    expect(flow.holdExpired).toBe(true);
    await flow.confirm();
    expect(flow.step).toBe('pick');
    expect(flow.error).toMatch(/ran out/);
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/bookings')).toBe(false);
  });

  it('returns to choosing when the server says the hold expired', async () => {
    const { flow, session } = await openDay();
    await session.login('a@example.test', 'right-password');
    flow.select(slots[0].startUtc);
    await flow.holdSelected();
    bookAnswer = () => ({ status: 409, body: errorBody('HOLD_EXPIRED') });
    await flow.confirm();
    expect(flow.step).toBe('pick');
    expect(flow.hold).toBeNull();
    expect(flow.error).toBe('Your hold on that time ran out. Hold it again to book.');
  });

  it('releases the hold when the modal closes without booking', async () => {
    const { flow, session } = await openDay();
    await session.login('a@example.test', 'right-password');
    flow.select(slots[0].startUtc);
    await flow.holdSelected();
    flow.close();
    await vi.waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/holds/h1')).toBe(true));
    expect(socket().sentOf('slots:unwatch')).toHaveLength(1);
  });

  it('reschedules an existing booking on its own day', async () => {
    const { flow, session } = await openDay();
    await session.login('a@example.test', 'right-password');
    const b = booking(slots[1].startUtc);
    flow.startReschedule(b);
    await vi.waitFor(() => expect(flow.day?.loading).toBe(false));
    expect(flow.date).toBe(DATE);
    flow.select(slots[4].startUtc);
    await flow.holdSelected();
    expect(flow.step).toBe('done');
    expect(calls.find((c) => c.path === `/api/bookings/${b.id}/reschedule`)?.body).toEqual({ startUtc: slots[4].startUtc });
  });

  it('asks a stylist account to use a customer account', async () => {
    const t = await openDay();
    t.session.user = { id: 'x', email: 's@x.test', displayName: 'Sita', role: 'stylist', stylistId: STYLIST };
    t.flow.select(slots[0].startUtc);
    await t.flow.holdSelected();
    expect(t.flow.error).toMatch(/customer account/);
  });
});
