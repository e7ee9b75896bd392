// The front desk's day as the server would answer it, for the desk component tests: two stylists in
// the salon's zone (Kathmandu, UTC+05:45), one with a team meeting splitting the day and a live hold.
import { render, screen } from '@testing-library/svelte';
import DeskPage from '../../web/src/desk/DeskPage.svelte';
import { createAppContext } from '../../web/src/lib/app.ts';
import { APP_CONTEXT_KEY, type AppContext } from '../../web/src/lib/context.ts';
import type { DeskBooking, DeskCalendar, DeskColumn, Override } from '../../web/src/lib/types.ts';
import { fakeFetch, fakeSocketFactory, type FakeSocket, type Route } from './fakes.ts';

export const AARAV = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
export const PRIYA = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
export const CUT = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
export const COLOUR = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
export const ZONE = 'Asia/Kathmandu';
/** 2027-03-10 08:45 in Kathmandu. */
export const NOW = Date.parse('2027-03-10T03:00:00Z');
export const TODAY = '2027-03-10';

/** HH:MM in Kathmandu on `date` as an ISO instant. */
export function at(date: string, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(Date.parse(`${date}T00:00:00Z`) + (h * 60 + m - 345) * 60_000).toISOString();
}

export const MEETING: Override = {
  id: 'o1',
  scope: 'stylist',
  stylistId: PRIYA,
  startDate: TODAY,
  endDate: TODAY,
  kind: 'blocked',
  start: '13:00',
  end: '14:00',
  priority: 0,
  reason: 'Team meeting',
  createdBy: null,
  createdAt: '2027-03-01T00:00:00.000Z',
};

export function booking(id: string, stylistId: string, date: string, hhmm: string, extra: Partial<DeskBooking> = {}): DeskBooking {
  const startUtc = at(date, hhmm);
  return {
    id,
    customerId: `cust-${id}`,
    stylistId,
    serviceId: CUT,
    startUtc,
    endUtc: new Date(Date.parse(startUtc) + 45 * 60_000).toISOString(),
    status: 'confirmed',
    priceCents: 150000,
    notes: '',
    createdAt: '2027-03-01T00:00:00Z',
    attention: null,
    ...extra,
    customer: {
      id: `cust-${id}`,
      displayName: 'Anita Karki',
      visitCount: 3,
      lastVisitAt: '2027-02-01T05:00:00Z',
      lastServiceName: 'Haircut',
      totalSpentCents: 450000,
      notes: '',
      hasSafetyNotes: false,
      phone: '+977 9800000001',
      email: 'anita@example.test',
      walkIn: false,
      ...extra.customer,
    },
  };
}

function column(stylistId: string, displayName: string, date: string, extra: Partial<DeskColumn> = {}): DeskColumn {
  return {
    stylistId,
    displayName,
    timezone: ZONE,
    windows: [{ startUtc: at(date, '10:00'), endUtc: at(date, '18:00') }],
    bookings: [],
    holds: [],
    overrides: [],
    ...extra,
  };
}

/** The default day: Aarav 10–18 with Anita at 10:00; Priya 10–13 and 14–18 (a meeting), a hold at 11:00. */
export function day(date: string, extra: { aarav?: Partial<DeskColumn>; priya?: Partial<DeskColumn> } = {}): DeskCalendar {
  return {
    date,
    timezone: ZONE,
    waitlist: { total: 0, byStylist: {} },
    stylists: [
      column(AARAV, 'Aarav Shrestha', date, { bookings: [booking('b1', AARAV, date, '10:00')], ...extra.aarav }),
      column(PRIYA, 'Priya Thapa', date, {
        windows: [
          { startUtc: at(date, '10:00'), endUtc: at(date, '13:00') },
          { startUtc: at(date, '14:00'), endUtc: at(date, '18:00') },
        ],
        holds: [{ id: 'h1', serviceId: CUT, startUtc: at(date, '11:00'), endUtc: at(date, '11:45'), expiresAt: at(date, '08:55') }],
        overrides: [{ ...MEETING, startDate: date, endDate: date }],
        ...extra.priya,
      }),
    ],
  };
}

export interface Harness {
  ctx: AppContext;
  socket: () => FakeSocket;
  /** Every request: method, path, body. */
  calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[];
  /** The `date` of every calendar read, in order. */
  reads: string[];
  /** What GET /api/desk/calendar answers, by date (a test changes it to play the server). */
  days: Record<string, DeskCalendar>;
}

/** The desk page on the real state classes over a fake server and socket. */
export async function deskPage(routes: Record<string, Route> = {}, props: { heading?: string } = {}): Promise<Harness> {
  const calls: Harness['calls'] = [];
  const reads: string[] = [];
  const days: Record<string, DeskCalendar> = { [TODAY]: day(TODAY) };
  const f = fakeSocketFactory();
  const ctx = createAppContext({
    fetch: fakeFetch(
      {
        'GET /api/salon': () => ({ body: { timezone: ZONE, currency: 'NPR' } }),
        'GET /api/services': () => ({
          body: [
            { id: CUT, name: 'Haircut', category: 'Hair', durationMinutes: 45, priceCents: 150000, currency: 'NPR' },
            { id: COLOUR, name: 'Hair Colour', category: 'Hair', durationMinutes: 90, priceCents: 450000, currency: 'NPR' },
          ],
        }),
        'GET /api/stylists': () => ({
          body: [
            {
              id: AARAV,
              displayName: 'Aarav Shrestha',
              timezone: ZONE,
              bio: '',
              services: [
                { id: CUT, name: 'Haircut', durationMinutes: 45, priceCents: 150000, currency: 'NPR' },
                { id: COLOUR, name: 'Hair Colour', durationMinutes: 90, priceCents: 450000, currency: 'NPR' },
              ],
            },
            {
              id: PRIYA,
              displayName: 'Priya Thapa',
              timezone: ZONE,
              bio: '',
              services: [{ id: CUT, name: 'Haircut', durationMinutes: 45, priceCents: 150000, currency: 'NPR' }],
            },
          ],
        }),
        'GET /api/announcements/current': () => ({ body: [] }),
        'GET /api/desk/calendar': ({ query }) => {
          const date = query.get('date') ?? '';
          reads.push(date);
          return { body: days[date] ?? { ...day(date), stylists: day(date).stylists.map((c) => ({ ...c, bookings: [], holds: [] })) } };
        },
        ...routes,
      },
      calls,
    ),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  void ctx.catalogue.load();
  render(DeskPage, { props: { debounceMs: 5, now: () => NOW, ...props }, context: new Map([[APP_CONTEXT_KEY, ctx]]) });
  await screen.findAllByTestId('desk-column');
  return { ctx, socket: f.socket, calls, reads, days };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The empty cell of a stylist at a salon time. */
export function cell(stylistId: string, date: string, hhmm: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(
    `[data-testid="desk-cell"][data-stylist-id="${stylistId}"][data-start="${at(date, hhmm)}"]`,
  );
  if (!el) throw new Error(`no cell for ${stylistId} at ${hhmm}`);
  return el;
}

/** Picks an option as a person would (happy-dom's `:checked` needs the option itself selected). */
export async function choose(select: HTMLElement, value: string): Promise<void> {
  const { fireEvent } = await import('@testing-library/svelte');
  for (const o of (select as HTMLSelectElement).options) o.selected = o.value === value;
  await fireEvent.change(select);
}
