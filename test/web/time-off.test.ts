// @vitest-environment happy-dom
// The stylist's Time off section: the month's budgets, the request form (checked before sending),
// the bookings a granted request put outside the hours, the list with statuses, and the refusals
// in words (an exhausted budget names the budget and the month).
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { Api, ApiError, plainMessage } from '../../web/src/lib/api.ts';
import type { TimeOffList, TimeOffRequest } from '../../web/src/lib/types.ts';
import TimeOffSection from '../../web/src/stylist/TimeOffSection.svelte';
import { timeOffError, timeOffProblem } from '../../web/src/stylist/time-off.svelte.ts';
import { errorBody, fakeFetch, settle } from './fakes.ts';

const TODAY = '2027-03-10';
const ZONE = 'Asia/Kathmandu';

afterEach(() => cleanup());

const request = (o: Partial<TimeOffRequest>): TimeOffRequest => ({
  id: 'r1',
  stylistId: 'st1',
  overrideId: 'o1',
  startDate: '2027-03-12',
  endDate: '2027-03-12',
  reason: '',
  emergency: false,
  status: 'active',
  month: '2027-03',
  createdAt: '2027-03-10T06:00:00.000Z',
  revokedAt: null,
  ...o,
});

function listOf(requests: TimeOffRequest[], used = requests.filter((r) => !r.emergency).length): TimeOffList {
  return {
    month: '2027-03',
    ordinary: { budget: 3, used, left: Math.max(0, 3 - used) },
    emergency: { budget: 1, used: 0, left: 1 },
    requests,
  };
}

function section(routes: Parameters<typeof fakeFetch>[0], calls: Parameters<typeof fakeFetch>[1] = []) {
  render(TimeOffSection, {
    props: { today: TODAY, zone: ZONE, serviceName: () => 'Haircut', api: new Api(fakeFetch(routes, calls)) },
  });
}

describe('timeOffProblem', () => {
  const d = (o: Partial<Parameters<typeof timeOffProblem>[0]>) => ({ startDate: '', endDate: '', reason: '', emergency: false, ...o });
  it.each([
    [{}, 'Choose the first day off.'],
    [{ startDate: '2027-03-12', endDate: '2027-03-11' }, 'The last day is before the first.'],
    [{ startDate: '2027-03-12', endDate: '2027-03-26' }, 'Ask for at most 14 days at a time.'],
    [{ startDate: '2027-03-09' }, 'That day has passed.'],
    [{ startDate: TODAY }, 'Time off starting today is an emergency: tick “Emergency”, or start tomorrow.'],
    [{ startDate: TODAY, emergency: true }, ''],
    [{ startDate: '2027-03-12', endDate: '2027-03-25' }, ''],
  ])('%j → %s', (o, want) => {
    expect(timeOffProblem(d(o), TODAY)).toBe(want);
  });
});

describe('refusals in words', () => {
  it('an exhausted budget names the budget and the month', () => {
    const err = new ApiError('BUDGET_EXHAUSTED', 429, 'x', { budget: 3, used: 3, month: '2027-03', emergency: false });
    expect(plainMessage(err)).toBe('You have used all 3 time-off requests for March 2027. Ask the salon, or try again next month.');
    const em = new ApiError('BUDGET_EXHAUSTED', 429, 'x', { budget: 0, used: 0, month: '2027-04', emergency: true });
    expect(plainMessage(em)).toBe('Your budget of emergency time-off requests for April 2027 is 0: ask the salon.');
  });

  it('a date rule refused by the server is shown in its own words; a schema failure names the field', () => {
    const rule = 'Time off must start tomorrow (2027-03-11) or later; mark it an emergency to start today';
    expect(
      timeOffError(new ApiError('INVALID_INPUT', 400, rule, { fields: [{ field: 'startDate', code: 'custom', message: rule }] })),
    ).toBe(rule);
    expect(
      timeOffError(
        new ApiError('INVALID_INPUT', 400, 'Some fields are missing or invalid', {
          fields: [{ field: 'endDate', code: 'custom', message: 'at most 14 days' }],
        }),
      ),
    ).toBe('Please check the end date.');
  });
});

describe('TimeOffSection', () => {
  it('shows what is left this month and the requests with their status', async () => {
    section({
      'GET /api/stylist/time-off': () => ({
        body: listOf([
          request({ id: 'r2', status: 'revoked', reason: 'Wedding' }),
          request({ id: 'r1', startDate: '2027-03-14', endDate: '2027-03-15' }),
        ]),
      }),
    });
    expect((await screen.findByTestId('time-off-budget')).textContent).toBe(
      'This month (March 2027): 1 of 3 requests left · 1 of 1 emergency left',
    );
    const items = within(screen.getByTestId('time-off-requests')).getAllByRole('listitem');
    expect(items.map((li) => [li.dataset.requestId, li.dataset.status])).toEqual([
      ['r2', 'revoked'],
      ['r1', 'active'],
    ]);
    expect(items[0].textContent).toContain('Revoked by the salon');
    expect(items[0].textContent).toContain('Wedding');
    expect(items[1].textContent).toContain('Granted');
  });

  it('sends a request, then shows the bookings on those days and the updated list', async () => {
    const calls: Parameters<typeof fakeFetch>[1] = [];
    let granted: TimeOffRequest[] = [];
    section(
      {
        'GET /api/stylist/time-off': () => ({ body: listOf(granted) }),
        'POST /api/stylist/time-off': ({ body }) => {
          granted = [request({ id: 'new', startDate: '2027-03-12', endDate: '2027-03-13', reason: 'Wedding' })];
          return {
            status: 201,
            body: {
              request: granted[0],
              override: { id: 'o1' },
              affectedBookings: [
                {
                  id: 'b1',
                  customerId: 'c1',
                  stylistId: 'st1',
                  serviceId: 'sv1',
                  startUtc: '2027-03-12T04:15:00.000Z',
                  endUtc: '2027-03-12T05:15:00.000Z',
                  status: 'confirmed',
                  priceCents: 5000,
                  notes: '',
                  createdAt: '2027-03-01T00:00:00.000Z',
                  attention: { reason: 'closed', overrideId: 'o1' },
                  customer: { id: 'c1', displayName: 'Anita', phone: null, email: 'a@x.test' },
                },
              ],
              echo: body,
            },
          };
        },
      },
      calls,
    );
    await settle();
    await fireEvent.input(screen.getByLabelText('First day off'), { target: { value: '2027-03-12' } });
    await fireEvent.input(screen.getByLabelText(/Last day off/), { target: { value: '2027-03-13' } });
    await fireEvent.input(screen.getByLabelText(/Reason/), { target: { value: ' Wedding ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Take time off' }));
    await settle();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ startDate: '2027-03-12', endDate: '2027-03-13', reason: 'Wedding' });
    expect(screen.getByRole('status').textContent).toBe(
      'Time off saved. 1 booking is on those days: the salon will contact that customer.',
    );
    const affected = screen.getByTestId('time-off-affected');
    expect(affected.textContent).toContain('Anita');
    expect(affected.textContent).toContain('Haircut');
    expect(within(screen.getByTestId('time-off-requests')).getAllByRole('listitem')).toHaveLength(1);
  });

  it('checks the form before sending: today without “Emergency” is explained, nothing sent', async () => {
    const calls: Parameters<typeof fakeFetch>[1] = [];
    section({ 'GET /api/stylist/time-off': () => ({ body: listOf([]) }) }, calls);
    await settle();
    await fireEvent.input(screen.getByLabelText('First day off'), { target: { value: TODAY } });
    await fireEvent.click(screen.getByRole('button', { name: 'Take time off' }));
    expect(screen.getByRole('alert').textContent).toContain('is an emergency');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    // Ticking Emergency lets it through.
    await fireEvent.click(screen.getByRole('checkbox', { name: /Emergency/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Take time off' }));
    await settle();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ startDate: TODAY, endDate: TODAY, emergency: true });
  });

  it('an exhausted budget is explained with the budget, and the numbers are refreshed', async () => {
    let gets = 0;
    section({
      'GET /api/stylist/time-off': () => ({ body: listOf([], gets++ === 0 ? 2 : 3) }),
      'POST /api/stylist/time-off': () => ({
        status: 429,
        body: errorBody('BUDGET_EXHAUSTED', 'No time-off requests left', { budget: 3, used: 3, month: '2027-03', emergency: false }),
      }),
    });
    await settle();
    await fireEvent.input(screen.getByLabelText('First day off'), { target: { value: '2027-03-20' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Take time off' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toBe(
      'You have used all 3 time-off requests for March 2027. Ask the salon, or try again next month.',
    );
    expect(screen.getByTestId('time-off-budget').textContent).toContain('0 of 3 requests left');
  });
});
