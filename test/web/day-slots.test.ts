// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { DaySlots, nearestAvailable } from '../../web/src/lib/day-slots.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { fakeFetch, fakeSocketFactory, makeSlots, withStatus, type FakeSocket } from './fakes.ts';

const key = { stylistId: 's1', serviceId: 'v1', date: '2027-03-10' };
let live: LiveConnection;
let socket: () => FakeSocket;
let restSlots = makeSlots(4);
let restVersion = 3;

function day(opts: Partial<ConstructorParameters<typeof DaySlots>[1]> = {}) {
  const api = new Api(
    fakeFetch({
      'GET /api/bookings/available-slots': () => ({ body: restSlots, headers: { 'x-availability-version': String(restVersion) } }),
    }),
  );
  return new DaySlots(key, { api, live, describe: (t) => t.slice(11, 16), markMs: 1000, ...opts });
}

beforeEach(async () => {
  const f = fakeSocketFactory();
  socket = f.socket;
  live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  restSlots = makeSlots(4);
  restVersion = 3;
});
afterEach(() => vi.useRealTimers());

describe('DaySlots', () => {
  it('shows the REST answer first and then follows the watch, never going back to an older version', async () => {
    const d = day();
    socket().autoOpen = false;
    live.start();
    const stop = d.start();
    await vi.waitFor(() => expect(d.loading).toBe(false));
    expect(d.version).toBe(3);
    expect(d.slots).toHaveLength(4);

    // The watch's ack is older than what REST showed: ignored.
    socket().version = 2;
    socket().daySlots = makeSlots(1);
    socket().open();
    expect(d.slots).toHaveLength(4);

    socket().push('slots:update', { ...key, version: 4, slots: withStatus(restSlots, { 1: 'held' }), reason: 'hold' });
    expect(d.version).toBe(4);
    expect(d.slots[1].status).toBe('held');
    expect(d.available).toBe(3);
    stop();
  });

  it('announces what others changed in words, and not my own hold', () => {
    const d = day({ isOwn: (t) => t === restSlots[0].startUtc });
    d.apply(restSlots, 1, null);
    expect(d.announcement).toBe('');
    d.apply(withStatus(restSlots, { 0: 'held', 2: 'booked', 3: 'booked' }), 2, 'booking');
    expect(d.announcement).toBe('05:15 and 05:45 were just booked by someone else.');
    d.apply(withStatus(restSlots, { 0: 'held', 1: 'held' }), 3, 'hold');
    expect(d.announcement).toBe('04:45 is being booked by someone else. 05:15 and 05:45 are free again.');
  });

  it('marks changed slots for a moment', () => {
    vi.useFakeTimers();
    const d = day();
    d.apply(restSlots, 1, null);
    d.apply(withStatus(restSlots, { 2: 'booked' }), 2, 'booking');
    expect([...d.recent]).toEqual([restSlots[2].startUtc]);
    vi.advanceTimersByTime(1000);
    expect(d.recent.size).toBe(0);
  });

  it('explains a day that empties while open (a closure)', () => {
    const d = day();
    d.apply(restSlots, 1, null);
    d.apply([], 2, 'override');
    expect(d.emptiedBy).toBe('override');
    expect(d.announcement).toMatch(/salon has just closed this day/);
    d.apply(restSlots, 3, 'override');
    expect(d.emptiedBy).toBeNull();
  });

  it('does not call a day closed when it had no times to begin with', () => {
    const d = day();
    d.apply([], 1, null);
    d.apply([], 2, 'override');
    expect(d.emptiedBy).toBeNull();
  });

  it('reports a failed first read', async () => {
    const api = new Api(fakeFetch({}));
    const d = new DaySlots(key, { api, live });
    d.start();
    await vi.waitFor(() => expect(d.loading).toBe(false));
    expect(d.error).toBeTruthy();
  });
});

describe('nearestAvailable', () => {
  it('offers the closest free starts around the lost one, in time order', () => {
    const slots = makeSlots(8, { 3: 'booked', 4: 'booked', 2: 'held' });
    const near = nearestAvailable(slots, slots[3].startUtc, 3);
    // 1 and 5 are two steps away; 0 and 6 three, and the earlier wins the tie.
    expect(near.map((s) => slots.indexOf(s))).toEqual([0, 1, 5]);
  });
});
