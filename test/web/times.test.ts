// @vitest-environment happy-dom
// Times people cannot misread, in the web app: salon time first with its zone named everywhere a
// time appears (grid, hold, confirmation, My bookings), the customer's own time under it when their
// zone differs, and the two 1:00 AMs of a fall-back told apart.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import CustomerPage from '../../web/src/customer/CustomerPage.svelte';
import MyBookingsPage from '../../web/src/customer/MyBookingsPage.svelte';
import SlotGrid from '../../web/src/customer/SlotGrid.svelte';
import { BookingFlow } from '../../web/src/customer/booking.svelte.ts';
import { MyBookings } from '../../web/src/customer/my-bookings.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { Clock } from '../../web/src/lib/clock.svelte.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import { formatTime, otherZoneTime, pickableZones } from '../../web/src/lib/time.ts';
import type { Booking, Slot, StylistBooking } from '../../web/src/lib/types.ts';
import Timeline from '../../web/src/stylist/Timeline.svelte';
import SalonTime from '../../web/src/ui/SalonTime.svelte';
import { availableDaysRoute, fakeFetch, fakeSocketFactory, makeSlots } from './fakes.ts';

const STYLIST = '11111111-1111-4111-8111-111111111111';
const SERVICE = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2027-03-09T12:00:00Z');
const DATE = '2027-03-10';
const KTM = 'Asia/Kathmandu';
const NY = 'America/New_York';
// 04:15Z on 2027-03-10 is 10:00 in Kathmandu and 23:15 on Tuesday 9 March in New York.
const TEN = '2027-03-10T04:15:00.000Z';
/** As the browser writes a time (the locale these tests run in). */
const clock = (iso: string, zone: string) =>
  new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: zone }).format(Date.parse(iso));
const weekday = (iso: string, zone: string) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'short', timeZone: zone }).format(Date.parse(iso));

afterEach(() => cleanup());

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

function world(slots: Slot[] = makeSlots(6)) {
  const api = new Api(
    fakeFetch({
      'GET /api/salon': () => ({ body: { timezone: KTM, currency: 'NPR' } }),
      'GET /api/services': () => ({ body: [{ id: SERVICE, name: 'Haircut', category: 'Hair', durationMinutes: 45, priceCents: 150000 }] }),
      'GET /api/stylists': () => ({
        body: [
          {
            id: STYLIST,
            displayName: 'Aarav Shrestha',
            timezone: KTM,
            bio: '',
            services: [{ id: SERVICE, name: 'Haircut', durationMinutes: 45, priceCents: 150000 }],
          },
        ],
      }),
      'GET /api/bookings/available-days': availableDaysRoute({ [DATE]: slots.filter((s) => s.status === 'available').length }),
      'GET /api/bookings/available-slots': ({ query }) => ({
        body: query.get('targetDate') === DATE ? slots : [],
        headers: { 'x-availability-version': '1' },
      }),
      'GET /api/auth/session': () => ({ body: { user: customer } }),
      'GET /api/bookings/mine': () => ({ body: [booking(TEN)] }),
      'POST /api/holds': ({ body }) => ({
        status: 201,
        body: {
          id: 'h1',
          stylistId: STYLIST,
          serviceId: SERVICE,
          startUtc: (body as { startUtc: string }).startUtc,
          endUtc: (body as { startUtc: string }).startUtc,
          expiresAt: new Date(NOW + 600_000).toISOString(),
        },
        headers: { date: new Date(NOW).toUTCString() },
      }),
      'POST /api/bookings': () => ({ status: 201, body: booking(TEN) }),
    }),
  );
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  f.socket().daySlots = slots;
  live.start();
  return { api, live, session: new Session(api), catalogue: new Catalogue(api) };
}

async function modalIn(zone: string) {
  const w = world();
  await Promise.all([w.catalogue.load(), w.session.load()]);
  const flow = new BookingFlow({ ...w, clock: new Clock(1000, () => NOW), now: () => NOW });
  flow.setZone(zone);
  render(CustomerPage, { props: { flow, catalogue: w.catalogue, session: w.session, onmybookings: () => {} } });
  await fireEvent.click(screen.getByLabelText(/Haircut/));
  await fireEvent.click(screen.getByLabelText(/Aarav Shrestha/));
  await fireEvent.click(await screen.findByRole('button', { name: /Wednesday, March 10, 2027: 6 free times/ }));
  await screen.findByRole('group', { name: /Times on/ });
  return flow;
}

const slotButton = (start: string) => document.querySelector<HTMLButtonElement>(`[data-start="${start}"]`)!;

describe('a customer in New York booking a Kathmandu salon', () => {
  it('sees the salon\u2019s time with its zone named, and their own time (with its weekday) under each', async () => {
    await modalIn(NY);
    expect(screen.getByTestId('zone-picker').textContent).toMatch(/Times in Kathmandu time \(the salon’s\), with your time \(New York\)/);
    const b = slotButton(TEN);
    expect(b.querySelector('.time')!.textContent).toBe(clock(TEN, KTM));
    expect(b.querySelector('.note')!.textContent).toBe(`${clock(TEN, NY)} ${weekday(TEN, NY)}`);
    expect(b.getAttribute('aria-label')).toBe(`${clock(TEN, KTM)} Kathmandu time, ${clock(TEN, NY)} ${weekday(TEN, NY)} your time, Free`);
  });

  it('holds with the zone named and their own time below, and confirms with both', async () => {
    const flow = await modalIn(NY);
    await fireEvent.click(slotButton(TEN));
    expect(screen.getByText(/Selected:/).textContent).toMatch(new RegExp(`${clock(TEN, KTM)}\\s+Kathmandu time · ${clock(TEN, NY)}`));
    await fireEvent.click(screen.getByTestId('hold-button'));
    await vi.waitFor(() => expect(flow.step).toBe('held'));
    const panel = screen.getByTestId('hold-panel');
    expect(panel.textContent).toMatch(new RegExp(`${clock(TEN, KTM)} Kathmandu time is held for you\\s*\\d+:\\d\\d`));
    expect(screen.getByTestId('hold-your-time').textContent).toBe(`${clock(TEN, NY)} ${weekday(TEN, NY)} your time (New York)`);
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));
    const done = await screen.findByTestId('confirmation');
    expect(done.querySelector('[data-testid=salon-time]')!.textContent).toMatch(/Kathmandu time/);
    expect(done.querySelector('[data-testid=salon-time]')!.textContent).toMatch(new RegExp(clock(TEN, KTM)));
    expect(done.querySelector('[data-testid=your-time]')!.textContent).toMatch(new RegExp(`${clock(TEN, NY)} your time \\(New York\\)$`));
    // The confirmation offers the booking's calendar file.
    expect(done.querySelector('[data-testid=add-to-calendar]')!.getAttribute('href')).toBe(
      `/api/bookings/${flow.booking!.id}/calendar.ics`,
    );
  });

  it('sees only salon time, named, when they are in the salon\u2019s zone under an alias', async () => {
    await modalIn('Asia/Katmandu');
    const b = slotButton(TEN);
    expect(b.querySelector('.note')).toBeNull();
    expect(b.getAttribute('aria-label')).toBe(`${clock(TEN, KTM)} Kathmandu time, Free`);
  });
});

describe('My bookings', () => {
  it('names the salon\u2019s zone on each booking and adds the customer\u2019s own time when it differs', async () => {
    const w = world();
    await Promise.all([w.catalogue.load(), w.session.load()]);
    const mine = new MyBookings(w.api, undefined, () => NOW);
    await mine.load();
    render(MyBookingsPage, {
      props: { mine, catalogue: w.catalogue, session: w.session, zone: NY, onreschedule: () => {}, onbook: () => {} },
    });
    const item = document.querySelector('[data-booking-id=b1]')!;
    expect(item.querySelector('[data-testid=salon-time]')!.textContent).toMatch(new RegExp(`${clock(TEN, KTM)}\\s+Kathmandu time`));
    expect(item.querySelector('[data-testid=your-time]')!.textContent).toMatch(new RegExp(`${clock(TEN, NY)} your time \\(New York\\)`));
  });
});

describe('the repeated hour of a fall-back', () => {
  // New York, 2027-11-07: 05:00Z is 1:00 AM EDT and 06:00Z is 1:00 AM EST.
  const fallBack = makeSlots(5, {}, '2027-11-07T05:00:00.000Z');

  it('tells the two 1:00 AMs apart by their offsets in the grid', () => {
    render(SlotGrid, {
      props: {
        slots: fallBack,
        selected: null,
        recent: new Set<string>(),
        timeOf: (t: string) => formatTime(t, NY),
        label: 'Times',
        onselect: vi.fn(),
      },
    });
    const labels = fallBack.map((s) => slotButton(s.startUtc).getAttribute('aria-label'));
    expect(labels[0]).toMatch(/ \u221204:00, Free$/);
    expect(labels[2]).toMatch(/ \u221205:00, Free$/);
    expect(labels[0]!.replace(/ \u221204:00/, '')).toBe(labels[2]!.replace(/ \u221205:00/, ''));
    expect(new Set(labels).size).toBe(labels.length);
    expect(slotButton(fallBack[0].startUtc).querySelector('.offset')!.textContent).toBe('\u221204:00');
    expect(slotButton(fallBack[0].startUtc).querySelector('.time')!.textContent).toBe(`${clock(fallBack[0].startUtc, NY)} \u221204:00`);
    expect(slotButton(fallBack[4].startUtc).querySelector('.offset')).toBeNull(); // 2:30 AM happens once
  });

  it('labels the customer\u2019s own repeated hour on a salon time that is not repeated', () => {
    expect(otherZoneTime('2027-11-07T05:15:00.000Z', KTM, NY)).toMatch(/ \u221204:00$/);
    expect(otherZoneTime('2027-11-07T06:15:00.000Z', KTM, NY)).toMatch(/ \u221205:00$/);
    expect(otherZoneTime('2027-11-07T06:15:00.000Z', KTM, 'Asia/Katmandu')).toBe('');
  });

  it('names the zone on a booking in the repeated hour, with its offset', () => {
    render(SalonTime, { props: { instant: '2027-11-07T06:00:00.000Z', salonZone: NY, yourZone: NY } });
    expect(screen.getByTestId('salon-time').textContent).toMatch(/\u221205:00 New York time/);
    expect(screen.queryByTestId('your-time')).toBeNull();
  });
});

describe('the stylist\u2019s timeline', () => {
  it('names the zone on each booking\u2019s time and on the now line, and labels a repeated hour', () => {
    const customer = {
      id: 'c1',
      displayName: 'Anita',
      visitCount: 0,
      lastVisitAt: null,
      lastServiceName: null,
      totalSpentCents: 0,
      notes: '',
      hasSafetyNotes: false,
    };
    const at = (startUtc: string, id: string): StylistBooking => ({ ...booking(startUtc), id, customer });
    // New York, fall-back night: 05:00Z and 06:00Z both read 1:00 AM.
    render(Timeline, {
      props: {
        bookings: [at('2027-11-07T05:00:00.000Z', 'x1'), at('2027-11-07T06:00:00.000Z', 'x2')],
        windows: [{ startMs: Date.parse('2027-11-07T05:00:00Z'), endMs: Date.parse('2027-11-07T08:00:00Z') }],
        held: [],
        zone: NY,
        nowMs: Date.parse('2027-11-07T05:30:00Z'),
        highlights: {},
        selectedId: null,
        serviceName: () => 'Haircut',
        onselect: () => {},
      },
    });
    const label = (id: string) => document.querySelector(`[data-booking-id=${id}]`)!.getAttribute('aria-label')!;
    expect(label('x1')).toMatch(/^\S+ AM \u221204:00 New York time: Anita, Haircut/);
    expect(label('x2')).toMatch(/^\S+ AM \u221205:00 New York time: Anita, Haircut/);
    expect(screen.getByLabelText(/^Now, .* New York time$/)).toBeTruthy();
  });
});

describe('zone lists', () => {
  it('list each zone once, keeping the preferred spelling of an alias (the customer\u2019s and the admin\u2019s pickers)', () => {
    const zones = pickableZones(['Asia/Kathmandu', 'Asia/Kolkata']);
    expect(zones.slice(0, 2)).toEqual(['Asia/Kathmandu', 'Asia/Kolkata']);
    expect(zones).not.toContain('Asia/Katmandu');
    expect(zones).not.toContain('Asia/Calcutta');
    expect(zones).toContain(NY);
    expect(new Set(zones).size).toBe(zones.length);
  });
});
