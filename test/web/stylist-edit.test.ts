// @vitest-environment happy-dom
// The admin's stylist editor (only the fields changed are sent; deactivating asks first, naming the
// bookings it flags), the Services tab's state, and the words a customer and staff see for a booking
// whose stylist was deactivated.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import StylistEditForm from '../../web/src/admin/StylistEditForm.svelte';
import { ServicesAdmin, newServiceBody, servicePatch, serviceProblem } from '../../web/src/admin/services.svelte.ts';
import { StylistEditing, draftOf, patchBody } from '../../web/src/admin/stylist-edit.svelte.ts';
import AttentionNotice from '../../web/src/customer/AttentionNotice.svelte';
import { Api } from '../../web/src/lib/api.ts';
import { attentionBadge } from '../../web/src/lib/attention.ts';
import { ADMIN_TABS, pageTitle } from '../../web/src/lib/page-title.ts';
import type { AdminService, AdminStylist, Booking } from '../../web/src/lib/types.ts';
import { fakeFetch, settle } from './fakes.ts';

afterEach(() => cleanup());

const CUT: AdminService = {
  id: 'sv1',
  name: 'Cut',
  category: 'Hair',
  durationMinutes: 60,
  priceCents: 5000,
  active: true,
  stylistCount: 1,
};
const COLOUR: AdminService = {
  id: 'sv2',
  name: 'Colour',
  category: 'Hair',
  durationMinutes: 90,
  priceCents: 9000,
  active: true,
  stylistCount: 0,
};
const PRIYA: AdminStylist = {
  id: 'st1',
  userId: 'u1',
  email: 'priya@x.test',
  displayName: 'Priya',
  timezone: 'Asia/Kathmandu',
  bio: 'Cuts',
  slotStepMinutes: 30,
  bufferMinutes: 15,
  minNoticeMinutes: 60,
  horizonDays: 60,
  active: true,
  services: [{ id: 'sv1', name: 'Cut', durationMinutes: 45, priceCents: 5000 }],
  timeOffBudget: 3,
  emergencyBudget: 1,
  futureActiveBookings: 4,
};

describe('patchBody', () => {
  it('sends only what changed; services as the whole set with the stylist’s own duration and price', () => {
    const before = draftOf(PRIYA, [CUT, COLOUR]);
    // Own duration differs from the salon's (45 vs 60): shown; the price is the salon's: empty.
    expect(before.services).toEqual({ sv1: { on: true, durationMinutes: 45, price: '' } });
    expect(patchBody(before, { ...before, bio: ' Cuts ' })).toEqual({});
    expect(patchBody(before, { ...before, slotStepMinutes: '15' as unknown as number, timeOffBudget: 5 })).toEqual({
      slotStepMinutes: 15,
      timeOffBudget: 5,
    });
    const services = { ...before.services, sv2: { on: true, durationMinutes: '', price: 95.5 } };
    expect(patchBody(before, { ...before, services })).toEqual({
      services: [
        { serviceId: 'sv1', durationMinutes: 45 },
        { serviceId: 'sv2', priceCents: 9550 },
      ],
    });
  });
});

describe('StylistEditForm', () => {
  async function form() {
    const calls: Parameters<typeof fakeFetch>[1] = [];
    const editing = new StylistEditing(
      new Api(
        fakeFetch(
          {
            'GET /api/admin/stylists': () => ({ body: [PRIYA] }),
            'GET /api/admin/services': () => ({ body: [CUT, COLOUR] }),
            'PATCH /api/admin/stylists/:id': ({ body }) => ({
              body: {
                stylist: { ...PRIYA, ...(body as object), futureActiveBookings: 4 },
                flaggedBookingIds: ['b1', 'b2', 'b3', 'b4'],
                clearedBookingIds: [],
              },
            }),
          },
          calls,
        ),
      ),
    );
    await editing.load();
    editing.edit('st1');
    render(StylistEditForm, { props: { editing, currency: 'NPR' } });
    return { calls, editing };
  }

  it('deactivating asks first, naming how many future bookings get flagged; only then sends {active:false}', async () => {
    const { calls, editing } = await form();
    await fireEvent.click(screen.getByTestId('active-toggle'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const confirm = screen.getByTestId('deactivate-confirm');
    expect(confirm.textContent).toContain(
      'Deactivate Priya? They disappear from booking at once. 4 future bookings will be flagged for the salon to contact the customers.',
    );
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([]);
    await fireEvent.click(within(confirm).getByRole('button', { name: 'Deactivate' }));
    await settle();
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ active: false }]);
    expect(screen.getByRole('status').textContent).toBe('Saved Priya. 4 bookings flagged: contact the customers.');
    expect(editing.editing?.active).toBe(false);
  });

  it('“Keep active” withdraws the confirm; nothing is sent', async () => {
    const { calls } = await form();
    await fireEvent.click(screen.getByTestId('active-toggle'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Keep active' }));
    expect(screen.queryByTestId('deactivate-confirm')).toBeNull();
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([]);
  });

  it('edits settings and a service’s own price without a confirm; nothing changed is said so', async () => {
    const { calls } = await form();
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(screen.getByRole('alert').textContent).toBe('Nothing has changed.');
    await fireEvent.input(screen.getByLabelText('Buffer after each visit (min)'), { target: { value: '10' } });
    await fireEvent.input(screen.getByLabelText('Price for Cut'), { target: { value: '60' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await settle();
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
      { bufferMinutes: 10, services: [{ serviceId: 'sv1', durationMinutes: 45, priceCents: 6000 }] },
    ]);
  });
});

describe('ServicesAdmin', () => {
  it('checks and builds the bodies; a patch carries only what changed', () => {
    expect(serviceProblem({ name: ' ', category: '', durationMinutes: 30, price: 1, active: true })).toBe('Enter the service’s name.');
    expect(serviceProblem({ name: 'X', category: '', durationMinutes: 4, price: 1, active: true })).toBe(
      'The duration is 5 to 720 whole minutes.',
    );
    expect(serviceProblem({ name: 'X', category: '', durationMinutes: 30, price: '', active: true })).toBe('Enter a price of 0 or more.');
    expect(newServiceBody({ name: ' Trim ', category: '', durationMinutes: '20', price: '12.5', active: true })).toEqual({
      name: 'Trim',
      durationMinutes: 20,
      priceCents: 1250,
    });
    expect(servicePatch(CUT, { name: 'Cut', category: 'Hair', durationMinutes: 75, price: 50, active: false })).toEqual({
      durationMinutes: 75,
      active: false,
    });
  });

  it('retiring a service says what it means for customers', async () => {
    const sv = new ServicesAdmin(
      new Api(
        fakeFetch({
          'GET /api/admin/services': () => ({ body: [CUT] }),
          'PATCH /api/admin/services/:id': ({ body }) => ({ body: { ...CUT, ...(body as object) } }),
        }),
      ),
    );
    await sv.load();
    sv.start('sv1');
    sv.edit.active = false;
    expect(await sv.save()).toBe(true);
    expect(sv.message).toBe('Cut is no longer offered: customers cannot book it (existing bookings stay).');
    expect(sv.items[0].active).toBe(false);
  });

  it('is the last tab of the console', () => {
    expect(ADMIN_TABS.at(-1)).toEqual({ id: 'services', label: 'Services' });
    expect(pageTitle('admin', 'services')).toBe('Services · Admin console · KB Stylish Live');
  });
});

describe('a booking whose stylist was deactivated', () => {
  const booking: Booking = {
    id: 'b1',
    customerId: 'c1',
    stylistId: 'st1',
    serviceId: 'sv1',
    startUtc: '2099-03-20T04:15:00.000Z',
    endUtc: '2099-03-20T05:15:00.000Z',
    status: 'confirmed',
    priceCents: 5000,
    notes: '',
    createdAt: '2099-03-01T00:00:00.000Z',
  };
  const inactive = { reason: 'inactive' as const, overrideId: null };

  it('tells the customer the stylist no longer takes appointments and offers other stylists’ times', async () => {
    render(AttentionNotice, {
      props: {
        booking: { ...booking, attention: inactive },
        attention: inactive,
        zone: 'Asia/Kathmandu',
        stylistName: () => 'Aarav',
        onmoved: vi.fn(),
        oncancel: vi.fn(),
        onpick: vi.fn(),
        api: new Api(
          fakeFetch({ 'GET /api/bookings/b1/alternatives': () => ({ body: { bookingId: 'b1', serviceId: 'sv1', alternatives: [] } }) }),
        ),
      },
    });
    const notice = screen.getByTestId('attention');
    expect(notice.dataset.reason).toBe('inactive');
    expect(notice.textContent).toContain('Your stylist is no longer taking appointments');
    expect(notice.textContent).toContain('with another stylist');
    expect(attentionBadge(inactive)).toBe('Stylist inactive: contact customer');
  });
});
