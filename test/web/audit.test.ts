// @vitest-environment happy-dom
// The audit log in the console: names, salon-local times, links to what an entry is about, and the
// date filters sent to the server.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AuditPanel from '../../web/src/admin/AuditPanel.svelte';
import { auditConcerns, auditLink } from '../../web/src/admin/audit-links.ts';
import { AuditLog } from '../../web/src/admin/console.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { APP_CONTEXT_KEY } from '../../web/src/lib/context.ts';
import { formatDateTime } from '../../web/src/lib/time.ts';
import type { AuditEntry } from '../../web/src/lib/types.ts';
import { fakeFetch } from './fakes.ts';

afterEach(() => cleanup());

const BOOKING = '5f000000-0000-4000-8000-000000000001';
const OVERRIDE = '6f000000-0000-4000-8000-000000000002';
const STYLIST = '7f000000-0000-4000-8000-000000000003';

const entry = (o: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: '2027-03-10T18:20:00.000Z',
  actorId: 'a1',
  actorName: 'Reena Desk',
  actorRole: 'reception',
  action: 'booking.status',
  target: `booking:${BOOKING}`,
  details: {},
  customerId: null,
  customerName: null,
  stylistId: null,
  stylistName: null,
  date: null,
  startUtc: null,
  ...o,
});

describe('audit links', () => {
  it('links a booking to the desk calendar on its date, an override to the overrides tab, a stylist to the stylists tab', () => {
    expect(auditLink(entry({ date: '2027-03-11', stylistName: 'Priya' }))).toEqual({
      href: `/admin?date=2027-03-11&booking=${BOOKING}`,
      label: expect.stringMatching(/^Booking on .*11.* with Priya$/) as string,
    });
    // A booking that is gone (no date) has nothing to open.
    expect(auditLink(entry({}))).toBeNull();
    expect(auditLink(entry({ target: `override:${OVERRIDE}`, date: '2027-04-01' }))?.href).toBe(`/admin/overrides#override-${OVERRIDE}`);
    expect(auditLink(entry({ target: `stylist:${STYLIST}`, stylistName: 'Priya' }))).toEqual({
      href: '/admin/stylists',
      label: 'Stylist Priya',
    });
    expect(auditLink(entry({ target: 'user:not-an-id' }))).toBeNull();
    expect(auditLink(entry({ target: 'booking:old', date: '2027-03-11' }))).toBeNull();
  });

  it('says who an entry concerns', () => {
    expect(auditConcerns(entry({ customerName: 'Anita', stylistName: 'Priya' }))).toBe('Customer Anita · Stylist Priya');
    expect(auditConcerns(entry({ stylistName: 'Priya' }))).toBe('Stylist Priya');
    expect(auditConcerns(entry({}))).toBe('');
  });
});

describe('AuditLog date filters', () => {
  it('sends from and to with the other filters, and asks nothing for a range ending before it starts', async () => {
    const pages: string[] = [];
    const log = new AuditLog(
      new Api(
        fakeFetch({
          'GET /api/admin/audit-log': ({ query }) => {
            pages.push(query.toString());
            return { body: [] };
          },
        }),
      ),
    );
    await log.filter({ from: '2027-03-01', to: '2027-03-31', action: 'booking.' });
    expect(pages).toEqual(['limit=25&action=booking.&from=2027-03-01&to=2027-03-31']);
    await log.filter({ from: '2027-04-01' });
    expect(pages).toHaveLength(1);
    expect(log.error).toMatch(/before the first/);
    await log.filter({ to: '' });
    expect(pages.at(-1)).toBe('limit=25&action=booking.&from=2027-04-01');
    expect(log.error).toBe('');
  });
});

describe('AuditPanel', () => {
  it('shows names, the salon’s time, links and the date filters', async () => {
    const pages: string[] = [];
    const entries = [
      entry({
        id: 2,
        customerId: 'c1',
        customerName: 'Anita Karki',
        stylistId: STYLIST,
        stylistName: 'Priya Gurung',
        date: '2027-03-11',
        startUtc: '2027-03-11T04:15:00.000Z',
        details: { from: 'confirmed', to: 'no_show' },
      }),
      entry({
        id: 1,
        actorId: null,
        actorName: null,
        actorRole: null,
        action: 'override.create',
        target: `override:${OVERRIDE}`,
        date: '2027-04-01',
      }),
    ];
    const api = new Api(
      fakeFetch({
        'GET /api/admin/audit-log': ({ query }) => {
          pages.push(query.toString());
          return { body: entries };
        },
      }),
    );
    render(AuditPanel, {
      context: new Map<unknown, unknown>([[APP_CONTEXT_KEY, { api, session: { user: null }, catalogue: { salonZone: 'Asia/Kathmandu' } }]]),
    });
    const table = await screen.findByTestId('audit-table');
    await vi.waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    const [, first, second] = within(table).getAllByRole('row');
    // 18:20Z is 00:05 the next day in Kathmandu: the salon's time, whatever the browser's zone.
    expect(first.querySelector('time')?.textContent).toBe(formatDateTime('2027-03-10T18:20:00.000Z', 'Asia/Kathmandu'));
    expect(first.querySelector('time')?.textContent).toMatch(/11/);
    expect(within(table).getByRole('columnheader', { name: /When/ }).textContent).toMatch(/Kathmandu time/);
    expect(first.textContent).toContain('Reena Desk');
    expect(first.textContent).toContain('Customer Anita Karki · Stylist Priya Gurung');
    expect(within(first).getByRole('link').getAttribute('href')).toBe(`/admin?date=2027-03-11&booking=${BOOKING}`);
    expect(within(second).getByRole('link').getAttribute('href')).toBe(`/admin/overrides#override-${OVERRIDE}`);
    expect(second.textContent).toContain('System');

    await fireEvent.change(screen.getByLabelText('From'), { target: { value: '2027-03-01' } });
    await fireEvent.change(screen.getByLabelText('To'), { target: { value: '2027-03-15' } });
    await vi.waitFor(() => expect(pages.at(-1)).toBe('limit=25&from=2027-03-01&to=2027-03-15'));
  });
});
