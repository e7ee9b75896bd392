// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import CustomerPage from '../../web/src/customer/CustomerPage.svelte';
import { BookingFlow } from '../../web/src/customer/booking.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { Clock } from '../../web/src/lib/clock.svelte.ts';
import { monthDates } from '../../web/src/lib/time.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import type { Slot } from '../../web/src/lib/types.ts';
import { fakeFetch, fakeSocketFactory, makeSlots, withStatus, type FakeSocket } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2027-03-09T12:00:00Z');
const DATE = '2027-03-10';
let slots: Slot[];
let socket: () => FakeSocket;

beforeEach(() => {
  slots = makeSlots(6, { 1: 'booked' });
});
afterEach(() => cleanup());

async function page() {
  const api = new Api(
    fakeFetch({
      'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
      'GET /api/services': () => ({ body: [{ id: SERVICE, name: 'Haircut', category: 'Hair', durationMinutes: 45, priceCents: 150000 }] }),
      'GET /api/stylists': () => ({
        body: [
          {
            id: STYLIST,
            displayName: 'Aarav Shrestha',
            timezone: 'Asia/Kathmandu',
            bio: 'Cuts',
            services: [{ id: SERVICE, name: 'Haircut', durationMinutes: 45, priceCents: 150000 }],
          },
        ],
      }),
      'GET /api/bookings/available-slots': ({ query }) => ({
        body: query.get('targetDate') === DATE ? slots : [],
        headers: { 'x-availability-version': '1' },
      }),
      'GET /api/auth/session': () => ({ body: { user: null } }),
      'GET /api/bookings/available-days': ({ query }) => ({
        body: monthDates(query.get('from')!).map((date) =>
          date === DATE ? { date, available: 5, status: 'open', version: 1 } : { date, available: 0, status: 'off', version: 1 },
        ),
      }),
    }),
  );
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  socket = f.socket;
  socket().daySlots = slots;
  live.start();
  const session = new Session(api);
  const catalogue = new Catalogue(api);
  await catalogue.load();
  const flow = new BookingFlow({ api, live, session, catalogue, clock: new Clock(1000, () => NOW), now: () => NOW });
  flow.setZone('Asia/Kathmandu');
  render(CustomerPage, { props: { flow, catalogue, session, onmybookings: () => {} } });
  await fireEvent.click(screen.getByLabelText(/Haircut/));
  await fireEvent.click(screen.getByLabelText(/Aarav Shrestha/));
  const day = await screen.findByRole('button', { name: /Wednesday, March 10, 2027: 5 free times/ });
  await fireEvent.click(day);
  await screen.findByRole('group', { name: /Times on/ });
  return { flow };
}

const update = (s: Slot[], version: number, reason: string) =>
  socket().push('slots:update', { stylistId: STYLIST, serviceId: SERVICE, date: DATE, version, slots: s, reason });

describe('the booking modal', () => {
  it('opens on the chosen day with the slot grid in salon time, its zone named', async () => {
    await page();
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(screen.getByTestId('modal-date').textContent).toMatch(/March 10, 2027/);
    expect(screen.getByText(/Times in/).textContent).toMatch(/Kathmandu time/);
    expect(screen.getAllByRole('button', { name: /, Free$/ })).toHaveLength(5);
    // 04:15Z is 10:00 in Kathmandu, written in the browser's locale.
    const ten = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Kathmandu' }).format(
      Date.parse(slots[0].startUtc),
    );
    expect(screen.getAllByRole('button', { name: /, Free$/ })[0].getAttribute('aria-label')).toBe(`${ten} Kathmandu time, Free`);
    expect(screen.getByTestId('slot-summary').textContent).toMatch(/5 of 6 times free/);
  });

  it('changes a slot in place when someone else holds it, and says so politely', async () => {
    await page();
    const button = () => document.querySelector<HTMLButtonElement>(`[data-start="${slots[4].startUtc}"]`)!;
    const before = button();
    update(withStatus(slots, { 4: 'held' }), 2, 'hold');
    await vi.waitFor(() => expect(button().dataset.status).toBe('held'));
    expect(button()).toBe(before); // same element: a transition, not a re-render
    expect(button().classList.contains('changed')).toBe(true);
    expect(screen.getByTestId('live-polite').textContent).toMatch(/is being booked by someone else/);
  });

  it('tells me my selected time was taken, offers the nearest ones, and lets me pick one', async () => {
    await page();
    await fireEvent.click(document.querySelector<HTMLButtonElement>(`[data-start="${slots[3].startUtc}"]`)!);
    expect(screen.getByTestId('hold-button').textContent).toMatch(/Hold/);
    update(withStatus(slots, { 3: 'booked' }), 2, 'booking');
    const notice = await screen.findByTestId('lost-notice');
    expect(notice.textContent).toMatch(/was just booked by someone else/);
    expect(screen.getByTestId('live-assertive').textContent).toMatch(/was just booked by someone else/);
    const alts = [...notice.querySelectorAll<HTMLButtonElement>('[data-alternative]')];
    expect(alts.map((a) => a.dataset.alternative)).toEqual([slots[2].startUtc, slots[4].startUtc, slots[5].startUtc]);
    await fireEvent.click(alts[0]);
    expect(screen.queryByTestId('lost-notice')).toBeNull();
    expect(screen.getByTestId('hold-button').textContent).toMatch(/Hold/);
  });

  it('empties with an explanation when the salon closes the open day', async () => {
    await page();
    update([], 2, 'override');
    const note = await screen.findByTestId('day-emptied');
    expect(note.textContent).toMatch(/no longer available/);
    expect(note.textContent).toMatch(/salon has just closed this day/);
    expect(screen.queryByRole('group', { name: /Times on/ })).toBeNull();
  });

  it('asks me to sign in inline, keeping the chosen time', async () => {
    const { flow } = await page();
    await fireEvent.click(document.querySelector<HTMLButtonElement>(`[data-start="${slots[0].startUtc}"]`)!);
    await fireEvent.click(screen.getByTestId('hold-button'));
    expect(await screen.findByText(/Sign in to hold/)).toBeTruthy();
    expect(screen.getByLabelText('Email')).toBeTruthy();
    expect(flow.selected).toBe(slots[0].startUtc);
    await fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByTestId('hold-button')).toBeTruthy();
  });

  it('closes with the close button and stops watching', async () => {
    const { flow } = await page();
    await fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(flow.isOpen).toBe(false);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(socket().sentOf('slots:unwatch')).toHaveLength(1);
  });
});
