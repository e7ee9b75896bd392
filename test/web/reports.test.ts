// @vitest-environment happy-dom
// The Reports tab, today's numbers and the System charts: the range picker, the series the uPlot
// charts draw, the CSV export, and re-reading on live booking events.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Chart from '../../web/src/admin/Chart.svelte';
import { canvasAvailable, formatValue } from '../../web/src/admin/chart-format.ts';
import OpsPanel from '../../web/src/admin/OpsPanel.svelte';
import ReportsPanel from '../../web/src/admin/ReportsPanel.svelte';
import TodayNumbers from '../../web/src/admin/TodayNumbers.svelte';
import { OpsMetrics } from '../../web/src/admin/metrics.svelte.ts';
import {
  csvField,
  dailySeries,
  downloadText,
  presetRange,
  rangeProblem,
  reportCsv,
  utilisationSeries,
} from '../../web/src/admin/reports.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { APP_CONTEXT_KEY } from '../../web/src/lib/context.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import { ADMIN_TABS, pageTitle } from '../../web/src/lib/page-title.ts';
import { addDays, dateIn, daysBetween } from '../../web/src/lib/time.ts';
import type { ReportFigures, ReportSummary } from '../../web/src/lib/types.ts';
import { fakeFetch, fakeSocketFactory } from './fakes.ts';

afterEach(() => cleanup());

const ZONE = 'Asia/Kathmandu';
const figures = (o: Partial<ReportFigures> = {}): ReportFigures => ({
  bookings: 0,
  completed: 0,
  noShows: 0,
  noShowRate: null,
  cancellations: 0,
  cancelledLate: 0,
  cancelledEarly: 0,
  cancelledBy: { customer: 0, stylist: 0, desk: 0 },
  bookedMinutes: 0,
  workingMinutes: 480,
  utilisation: 0,
  revenueCompletedCents: 0,
  revenueUpcomingCents: 0,
  ...o,
});

/** Two days, two stylists (one with a name a spreadsheet must not misread). */
function summary(from = '2027-03-01', to = '2027-03-02', bookings = 4): ReportSummary {
  const a = 'a0000000-0000-4000-8000-000000000001';
  const b = 'b0000000-0000-4000-8000-000000000002';
  return {
    from,
    to,
    timezone: ZONE,
    currency: 'NPR',
    stylists: [
      { id: a, displayName: 'Aarav, "the fast one"', timezone: ZONE, active: true },
      { id: b, displayName: '=Bina', timezone: ZONE, active: true },
    ],
    rows: [
      {
        date: from,
        stylistId: a,
        ...figures({
          bookings: 3,
          completed: 2,
          noShows: 1,
          noShowRate: 1 / 3,
          bookedMinutes: 180,
          utilisation: 0.375,
          revenueCompletedCents: 150050,
        }),
      },
      {
        date: from,
        stylistId: b,
        ...figures({ bookings: 1, cancellations: 1, cancelledLate: 1, cancelledBy: { customer: 0, stylist: 0, desk: 1 } }),
      },
      { date: to, stylistId: a, ...figures({ workingMinutes: 0, utilisation: null, revenueUpcomingCents: 5000 }) },
      { date: to, stylistId: b, ...figures() },
    ],
    days: [
      {
        date: from,
        ...figures({ bookings, completed: 2, noShows: 1, noShowRate: 1 / 3, workingMinutes: 960, revenueCompletedCents: 150050 }),
      },
      { date: to, ...figures({ workingMinutes: 480, revenueUpcomingCents: 5000 }) },
    ],
    byStylist: [
      {
        stylistId: a,
        ...figures({ bookings: 3, completed: 2, noShows: 1, noShowRate: 1 / 3, utilisation: 0.375, revenueCompletedCents: 150050 }),
      },
      { stylistId: b, ...figures({ bookings: 1, cancellations: 1, cancelledLate: 1 }) },
    ],
    totals: figures({
      bookings,
      completed: 2,
      noShows: 1,
      noShowRate: 1 / 3,
      cancellations: 1,
      cancelledLate: 1,
      bookedMinutes: 180,
      workingMinutes: 1440,
      utilisation: 0.125,
      revenueCompletedCents: 150050,
      revenueUpcomingCents: 5000,
    }),
  };
}

describe('report helpers', () => {
  it('presets end today and count today in; a custom range is checked as the server does', () => {
    expect(presetRange('2027-03-10', 7)).toEqual({ from: '2027-03-04', to: '2027-03-10' });
    expect(presetRange('2027-03-01', 30)).toEqual({ from: '2027-01-31', to: '2027-03-01' });
    expect(rangeProblem('2027-01-01', '2027-04-02')).toBe('');
    expect(rangeProblem('2027-01-01', '2027-04-03')).toMatch(/92 days/);
    expect(rangeProblem('2027-03-02', '2027-03-01')).toMatch(/before/);
    expect(rangeProblem('', '2027-03-01')).toMatch(/both/);
  });

  it('quotes CSV fields per RFC 4180 and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12)).toBe('12');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField(-5)).toBe('-5');
  });

  it('writes the per-day-per-stylist table as CSV, one line per row, amounts in currency units', () => {
    const lines = reportCsv(summary()).split('\r\n');
    expect(lines[0]).toBe(
      'date,stylist,bookings,completed,no_shows,cancellations,cancelled_late,cancelled_early,cancelled_by_customer,cancelled_by_stylist,' +
        'cancelled_by_desk,booked_minutes,working_minutes,utilisation,revenue_completed,revenue_upcoming,currency',
    );
    expect(lines[1]).toBe('2027-03-01,"Aarav, ""the fast one""",3,2,1,0,0,0,0,0,0,180,480,0.3750,1500.50,0.00,NPR');
    expect(lines[2]).toBe("2027-03-01,'=Bina,1,0,0,1,1,0,0,0,1,0,480,0.0000,0.00,0.00,NPR");
    // A closure day: no utilisation (an empty field).
    expect(lines[3]).toBe('2027-03-02,"Aarav, ""the fast one""",0,0,0,0,0,0,0,0,0,0,0,,0.00,50.00,NPR');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('');
  });

  it('turns the summary into chart series: dates at UTC midnight, percentages, gaps where nothing was due', () => {
    const d = dailySeries(summary());
    expect(d.x).toEqual([Date.UTC(2027, 2, 1) / 1000, Date.UTC(2027, 2, 2) / 1000]);
    expect(d.bookings).toEqual([4, 0]);
    expect(d.revenue).toEqual([1500.5, 0]);
    expect(d.noShowRate).toEqual([33.3, null]);
    const u = utilisationSeries(summary());
    expect(u.stylists).toEqual([
      { name: 'Aarav, "the fast one"', values: [37.5, null] },
      { name: '=Bina', values: [0, 0] },
    ]);
  });

  it('downloads a file built in the browser', async () => {
    let blob: Blob | undefined;
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blob = b as Blob;
      return 'blob:report';
    });
    const clicked: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    try {
      downloadText(document, 'r.csv', 'a,b\r\n');
      expect(clicked).toEqual([{ href: 'blob:report', download: 'r.csv' }]);
      expect(await blob!.text()).toBe('a,b\r\n');
      expect(blob!.type).toMatch(/^text\/csv/);
      expect(document.querySelector('a[download]')).toBeNull();
    } finally {
      create.mockRestore();
      click.mockRestore();
    }
  });
});

function liveAndSocket() {
  const f = fakeSocketFactory();
  const live = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  live.start();
  return { live, socket: f.socket };
}

function context(api: Api, live: LiveConnection) {
  return new Map<unknown, unknown>([[APP_CONTEXT_KEY, { api, live, catalogue: { salonZone: ZONE }, session: { user: null } }]]);
}

describe('the Reports tab', () => {
  it('reads the last 30 salon days, shows totals, charts and stylists, and switches ranges', async () => {
    const asked: { from: string; to: string }[] = [];
    const api = new Api(
      fakeFetch({
        'GET /api/admin/reports/summary': ({ query }) => {
          const from = query.get('from')!;
          const to = query.get('to')!;
          asked.push({ from, to });
          return { body: summary(from, to) };
        },
      }),
    );
    const { live } = liveAndSocket();
    render(ReportsPanel, { context: context(api, live) });
    const today = dateIn(ZONE, Date.now());
    await vi.waitFor(() => expect(asked).toEqual([{ from: addDays(today, -29), to: today }]));
    const totals = await screen.findByTestId('report-totals');
    expect(within(totals).getByText('Bookings').nextElementSibling?.textContent).toBe('4');
    expect(totals.querySelector('[data-key=noShows]')?.textContent).toMatch(/^1 \(33\.3%\)$/);
    expect(totals.querySelector('[data-key=utilisation]')?.textContent).toBe('12.5%');
    expect(totals.querySelector('[data-key=revenue]')?.textContent).toMatch(/1,500\.50/);
    // Each chart states what it shows; without a canvas (here) that text stands in for the drawing.
    expect(canvasAvailable()).toBe(false);
    expect(within(screen.getByTestId('chart-report-no-shows')).getByRole('img').getAttribute('aria-label')).toBe(
      'No-show rate per day: 1 no-shows of 3 bookings due (33.3%)',
    );
    expect(screen.getByTestId('chart-report-utilisation').textContent).toContain('Aarav, "the fast one" 37.5%');
    const rows = within(screen.getByTestId('report-stylists')).getAllByRole('row');
    expect(rows.map((r) => r.querySelector('th')?.textContent)).toEqual(['Stylist', 'Aarav, "the fast one"', '=Bina']);

    await fireEvent.click(screen.getByRole('button', { name: 'Last 7 days' }));
    await vi.waitFor(() => expect(asked.at(-1)).toEqual({ from: addDays(today, -6), to: today }));
    expect(screen.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('refuses a custom range longer than 92 days without asking the server, and reads a valid one', async () => {
    const asked: string[] = [];
    const api = new Api(
      fakeFetch({
        'GET /api/admin/reports/summary': ({ query }) => {
          asked.push(`${query.get('from')}..${query.get('to')}`);
          return { body: summary(query.get('from')!, query.get('to')!) };
        },
      }),
    );
    const { live } = liveAndSocket();
    render(ReportsPanel, { context: context(api, live) });
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    await fireEvent.input(screen.getByLabelText('From'), { target: { value: '2027-01-01' } });
    await fireEvent.input(screen.getByLabelText('To'), { target: { value: '2027-04-03' } });
    await fireEvent.submit(screen.getByRole('form', { name: 'Custom range' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/At most 92 days/);
    expect(asked).toHaveLength(1);
    await fireEvent.input(screen.getByLabelText('To'), { target: { value: '2027-04-02' } });
    await fireEvent.submit(screen.getByRole('form', { name: 'Custom range' }));
    await vi.waitFor(() => expect(asked.at(-1)).toBe('2027-01-01..2027-04-02'));
    expect(daysBetween('2027-01-01', '2027-04-02') + 1).toBe(92);
  });
});

describe('today’s numbers', () => {
  it('shows today’s figures and reads them again when a booking is made or changes', async () => {
    let bookings = 4;
    const asked: string[] = [];
    const api = new Api(
      fakeFetch({
        'GET /api/admin/reports/summary': ({ query }) => {
          asked.push(`${query.get('from')}..${query.get('to')}`);
          return { body: summary(query.get('from')!, query.get('to')!, bookings) };
        },
      }),
    );
    const { live, socket } = liveAndSocket();
    render(TodayNumbers, { props: { delayMs: 0 }, context: context(api, live) });
    const today = dateIn(ZONE, Date.now());
    const box = await screen.findByTestId('today-numbers');
    await vi.waitFor(() => expect(box.querySelector('[data-key=bookings]')?.textContent).toBe('4'));
    expect(asked).toEqual([`${today}..${today}`]);
    expect(box.querySelector('[data-key=noShows]')?.textContent).toBe('1');
    expect(box.querySelector('[data-key=utilisation]')?.textContent).toBe('13%');
    expect(box.querySelector('[data-key=upcoming]')?.textContent).toMatch(/50/);

    await vi.waitFor(() => expect(socket().connected).toBe(true));
    bookings = 5;
    socket().push('booking:created', { eventId: 41, booking: { id: 'x' } });
    await vi.waitFor(() => expect(box.querySelector('[data-key=bookings]')?.textContent).toBe('5'));
    bookings = 6;
    socket().push('booking:updated', { eventId: 42, booking: { id: 'x' } });
    await vi.waitFor(() => expect(box.querySelector('[data-key=bookings]')?.textContent).toBe('6'));
    expect(asked.every((q) => q === `${today}..${today}`)).toBe(true);
  });
});

describe('the System tab', () => {
  it('lists Reports and System as console tabs with their titles', () => {
    expect(ADMIN_TABS.map((t) => t.id)).toEqual(expect.arrayContaining(['reports', 'system']));
    expect(pageTitle('admin', 'reports')).toBe('Reports · Admin console · KB Stylish Live');
    expect(pageTitle('admin', 'system')).toBe('System · Admin console · KB Stylish Live');
  });

  it('charts the live metrics with their latest values and units', async () => {
    const ops = new OpsMetrics(new Api(fakeFetch({})));
    const scrape = (sockets: number, hits: number, misses: number) =>
      [
        `kb_sockets_connected ${sockets}`,
        `kb_slot_cache_hits_total ${hits}`,
        `kb_slot_cache_misses_total ${misses}`,
        'kb_relay_lag_seconds_sum 0.01',
        'kb_relay_lag_seconds_count 4',
      ].join('\n');
    ops.ingest(scrape(2, 90, 10), 1_000);
    render(OpsPanel, { props: { ops, zone: ZONE } });
    const clients = screen.getByTestId('chart-clients');
    expect(clients.querySelector('.value')?.getAttribute('data-value')).toBe('2');
    expect(screen.getByTestId('chart-hit-ratio').querySelector('.value')?.textContent).toBe('90%');
    expect(screen.getByTestId('chart-relay-lag').querySelector('.value')?.textContent).toBe('2.5 ms');
    expect(screen.getByTestId('chart-bookings').querySelector('.value')?.textContent).toBe('not reported');
    ops.ingest(scrape(5, 95, 15), 3_000);
    await vi.waitFor(() => expect(clients.querySelector('.value')?.getAttribute('data-value')).toBe('5'));
    expect(within(clients).getByRole('img').getAttribute('aria-label')).toBe('Connected clients: latest 5, 2 samples');
  });

  it('formats values with their unit', () => {
    expect(formatValue(null, '%')).toBe('—');
    expect(formatValue(12.345, '%', 1)).toBe('12.3%');
    expect(formatValue(3, 'ms')).toBe('3 ms');
    expect(formatValue(1500.5, 'NPR', 2)).toBe('1,500.5 NPR');
    expect(formatValue(7, '')).toBe('7');
  });

  it('renders a chart without a canvas as its description (the drawing needs a browser)', () => {
    render(Chart, {
      props: {
        title: 'T',
        x: [1, 2],
        ys: [[1, 2]],
        series: [{ label: 'S', color: '#000', unit: '' }],
        axes: [{ scale: 'y', label: 'count' }],
        xKind: 'time',
        zone: ZONE,
        description: 'two points',
      },
    });
    expect(screen.getByRole('img', { name: 'T: two points' }).textContent).toBe('two points');
    expect(document.querySelector('canvas')).toBeNull();
  });
});
