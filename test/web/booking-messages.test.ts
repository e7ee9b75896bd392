// @vitest-environment happy-dom
// The booking modal says one thing at a time, the latest true one (BookingFlow.message), and moves
// focus with the booking: e-mail when a visitor holds, Confirm after a hold, the day after closing.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import CustomerPage from '../../web/src/customer/CustomerPage.svelte';
import { BookingFlow } from '../../web/src/customer/booking.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { Clock } from '../../web/src/lib/clock.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import type { Slot } from '../../web/src/lib/types.ts';
import { availableDaysRoute, errorBody, fakeFetch, fakeSocketFactory, makeSlots, settle, withStatus, type FakeResponse } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2027-03-09T12:00:00Z');
const DATE = '2027-03-10';
const customer = { id: 'c1', email: 'a@example.test', displayName: 'Anita', role: 'customer' as const };

afterEach(() => cleanup());

async function page(opts: { signedIn?: boolean; hold?: () => FakeResponse | Promise<FakeResponse>; duration?: number } = {}) {
  let slots: Slot[] = makeSlots(6, { 1: 'booked' });
  const offer = { id: SERVICE, name: 'Haircut', durationMinutes: opts.duration ?? 45, priceCents: 150000 };
  const api = new Api(
    fakeFetch({
      'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
      'GET /api/services': () => ({ body: [{ ...offer, category: 'Hair' }] }),
      'GET /api/stylists': () => ({
        body: [{ id: STYLIST, displayName: 'Aarav Shrestha', timezone: 'Asia/Kathmandu', bio: '', services: [offer] }],
      }),
      'GET /api/bookings/available-days': availableDaysRoute({ [DATE]: 5 }),
      'GET /api/bookings/available-slots': ({ query }) => ({
        body: query.get('targetDate') === DATE ? slots : [],
        headers: { 'x-availability-version': '1' },
      }),
      'GET /api/auth/session': () => ({ body: { user: opts.signedIn ? customer : null } }),
      'POST /api/holds': ({ body }) =>
        opts.hold?.() ?? {
          status: 201,
          body: {
            id: 'h1',
            stylistId: STYLIST,
            serviceId: SERVICE,
            startUtc: (body as { startUtc: string }).startUtc,
            endUtc: (body as { startUtc: string }).startUtc,
            expiresAt: new Date(NOW + 600_000).toISOString(),
          },
        },
      'DELETE /api/holds/:id': () => ({ status: 204 }),
    }),
  );
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  f.socket().daySlots = slots;
  live.start();
  const session = new Session(api);
  await session.load();
  const catalogue = new Catalogue(api);
  await catalogue.load();
  const flow = new BookingFlow({ api, live, session, catalogue, clock: new Clock(1000, () => NOW), now: () => NOW });
  flow.setZone('Asia/Kathmandu');
  render(CustomerPage, { props: { flow, catalogue, session, onmybookings: () => {} } });
  await fireEvent.click(screen.getByLabelText(/Haircut/));
  await fireEvent.click(screen.getByLabelText(/Aarav Shrestha/));
  const dayButton = await screen.findByRole('button', { name: /Wednesday, March 10, 2027: 5 free times/ });
  dayButton.focus();
  await fireEvent.click(dayButton);
  await screen.findByRole('group', { name: /Times on/ });
  await settle();
  let version = 1;
  const push = (next: Slot[], reason: string) => {
    slots = next;
    f.socket().push('slots:update', { stylistId: STYLIST, serviceId: SERVICE, date: DATE, version: ++version, slots: next, reason });
    flushSync();
  };
  const slotButton = (i: number) => document.querySelector<HTMLButtonElement>(`[data-start="${slots[i].startUtc}"]`)!;
  return { flow, live, socket: f.socket, push, slots: () => slots, dayButton, slotButton };
}

/** The messages the modal shows right now, by kind. */
function shown() {
  return {
    emptied: screen.queryAllByTestId('day-emptied').length,
    lost: screen.queryAllByTestId('lost-notice').length,
    error: screen.queryAllByTestId('flow-error').length,
    tryAnyway: screen.queryAllByTestId('try-anyway').length,
    alerts: screen.getByRole('dialog').querySelectorAll('[role=alert]').length,
  };
}

describe('one message at a time in the booking modal', () => {
  it('after a refused hold, a closure of the day leaves only "no longer available"', async () => {
    const t = await page({
      signedIn: true,
      hold: () => ({ status: 409, body: errorBody('SLOT_TAKEN', 'taken', { alternatives: [{ startUtc: makeSlots(6)[4].startUtc }] }) }),
    });
    await fireEvent.click(t.slotButton(3));
    await fireEvent.click(screen.getByTestId('hold-button'));
    await settle();
    // The refusal itself: one message, with the server's alternative, and no "Try anyway" for a booked time.
    expect(shown()).toEqual({ emptied: 0, lost: 0, error: 1, tryAnyway: 0, alerts: 1 });
    expect(t.flow.message).toMatchObject({ kind: 'failed', code: 'SLOT_TAKEN' });
    expect(screen.getByTestId('flow-error').textContent).toMatch(/someone else has just booked that time/);

    // The salon closes the day: the only true thing left to say.
    t.push([], 'override');
    expect(shown()).toEqual({ emptied: 1, lost: 0, error: 0, tryAnyway: 0, alerts: 1 });
    expect(t.flow.message).toEqual({ kind: 'emptied', reason: 'override' });
    expect(screen.getByTestId('day-emptied').textContent).toMatch(/no longer available/);
    expect(screen.queryByText(/anyway/)).toBeNull();
    expect(screen.queryByText(/someone else/)).toBeNull();
  });

  it('offers "Try anyway" only while someone else holds the time, never once it is booked', async () => {
    const t = await page({ signedIn: true });
    await fireEvent.click(t.slotButton(3));
    t.push(withStatus(t.slots(), { 3: 'held' }), 'hold');
    expect(shown()).toEqual({ emptied: 0, lost: 1, error: 0, tryAnyway: 1, alerts: 1 });
    expect(t.flow.message).toMatchObject({ kind: 'lost', because: 'held' });

    t.push(withStatus(t.slots(), { 3: 'booked' }), 'booking');
    expect(shown()).toEqual({ emptied: 0, lost: 1, error: 0, tryAnyway: 0, alerts: 1 });
    expect(t.flow.message).toMatchObject({ kind: 'lost', because: 'booked' });
    expect(screen.getByTestId('lost-notice').textContent).toMatch(/was just booked by someone else/);

    // Cancelled: the time is free again, and nothing said about it is left.
    t.push(withStatus(t.slots(), { 3: 'available' }), 'booking');
    expect(shown()).toEqual({ emptied: 0, lost: 0, error: 0, tryAnyway: 0, alerts: 0 });
    expect(t.flow.message).toBeNull();
    expect(screen.getByTestId('hold-button')).toBeTruthy();
  });

  it('a refusal "someone else is booking it" gives way to "it was just booked" when that happens', async () => {
    const t = await page({ signedIn: true, hold: () => ({ status: 409, body: errorBody('SLOT_HELD') }) });
    await fireEvent.click(t.slotButton(2));
    await fireEvent.click(screen.getByTestId('hold-button'));
    await settle();
    expect(shown()).toEqual({ emptied: 0, lost: 0, error: 1, tryAnyway: 1, alerts: 1 });
    expect(t.flow.message).toMatchObject({ kind: 'failed', code: 'SLOT_HELD' });
    t.push(withStatus(t.slots(), { 2: 'booked' }), 'booking');
    expect(shown()).toEqual({ emptied: 0, lost: 1, error: 0, tryAnyway: 0, alerts: 1 });
    expect(t.flow.message).toMatchObject({ kind: 'lost', because: 'booked' });
  });

  it('"could not reach the salon" goes away when the connection is back', async () => {
    const t = await page({
      signedIn: true,
      hold: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await fireEvent.click(t.slotButton(0));
    await fireEvent.click(screen.getByTestId('hold-button'));
    await settle();
    expect(t.flow.message).toMatchObject({ kind: 'failed', code: 'NETWORK' });
    expect(screen.getByTestId('flow-error').textContent).toMatch(/could not reach the salon/);
    t.socket().drop();
    flushSync();
    expect(screen.getByTestId('flow-error')).toBeTruthy(); // still true while down
    t.socket().open();
    await settle();
    flushSync();
    expect(t.flow.message).toBeNull();
    expect(screen.queryByTestId('flow-error')).toBeNull();
    expect(screen.queryByText(/could not reach the salon/)).toBeNull();
  });

  it('writes the service length in the one duration format', async () => {
    await page({ duration: 90 });
    expect(screen.getByTestId('slot-summary').textContent).toMatch(/· 1 h 30 min ·/);
  });
});

describe('focus through the booking', () => {
  it('a visitor’s Hold puts the caret in the e-mail field', async () => {
    const t = await page();
    await fireEvent.click(t.slotButton(0));
    await fireEvent.click(screen.getByTestId('hold-button'));
    await screen.findByText(/Sign in to hold/);
    const email = screen.getByLabelText('Email');
    expect(document.activeElement).toBe(email);
  });

  it('after Hold, focus is on Confirm; after closing, on the day that opened the modal', async () => {
    const t = await page({ signedIn: true });
    await fireEvent.click(t.slotButton(0));
    await fireEvent.click(screen.getByTestId('hold-button'));
    await screen.findByTestId('hold-panel');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Confirm booking' }));
    // Closing with a live hold asks first; releasing closes the modal.
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    await fireEvent.click(await screen.findByTestId('release-and-close'));
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(t.dayButton);
    expect((document.activeElement as HTMLElement).dataset.date).toBe(DATE);
  });
});
