// @vitest-environment happy-dom
// The front desk inside the app: reception's home and nav link, and who may open it.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.svelte';
import { createAppContext } from '../../web/src/lib/app.ts';
import { TODAY, ZONE, day } from './desk-fixtures.ts';
import { fakeFetch, fakeSocketFactory } from './fakes.ts';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

function start(path: string, user: object | null) {
  window.history.replaceState(null, '', path);
  const f = fakeSocketFactory();
  const ctx = createAppContext({
    fetch: fakeFetch({
      'GET /api/auth/session': () => ({ body: { user } }),
      'GET /api/salon': () => ({ body: { timezone: ZONE, currency: 'NPR' } }),
      'GET /api/services': () => ({ body: [] }),
      'GET /api/stylists': () => ({ body: [] }),
      'GET /api/announcements/current': () => ({ body: [] }),
      'GET /api/admin/metrics': () => ({ body: 'kb_sockets_connected 1' }),
      'GET /api/desk/calendar': ({ query }) => ({ body: day(query.get('date') ?? TODAY) }),
      'POST /api/auth/login': () => ({ body: { user: RECEPTION } }),
    }),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  void ctx.session.load();
  void ctx.catalogue.load();
  render(App, { props: { ctx } });
  return ctx;
}

const RECEPTION = { id: 'u9', email: 'desk@kbstylish.test', displayName: 'Front Desk', role: 'reception' };

describe('the front desk in the app', () => {
  it('is reception’s page, linked as “Front desk”', async () => {
    start('/desk', RECEPTION);
    expect(await screen.findByRole('heading', { level: 1, name: 'Front desk' }, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Front desk' }).getAttribute('aria-current')).toBe('page');
    expect(screen.queryByRole('link', { name: 'Book' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    await vi.waitFor(() => expect(screen.getAllByTestId('desk-column')).toHaveLength(2));
  });

  it('keeps customers and stylists out', async () => {
    start('/desk', { id: 'u2', email: 'c@x.test', displayName: 'Anita', role: 'customer' });
    expect(await screen.findByText(/cannot open this page/)).toBeTruthy();
    expect(screen.queryByTestId('day-calendar')).toBeNull();
    cleanup();
    start('/desk', { id: 'u3', email: 's@x.test', displayName: 'Aarav', role: 'stylist', stylistId: 'st1' });
    expect(await screen.findByText(/cannot open this page/)).toBeTruthy();
  });

  it('sends reception home to the desk after signing in', async () => {
    const ctx = start('/desk', null);
    await fireEvent.input(await screen.findByLabelText(/Email/i), { target: { value: 'desk@kbstylish.test' } });
    await fireEvent.input(screen.getByLabelText(/Password/i), { target: { value: 'kbstylish-demo' } });
    await fireEvent.submit(screen.getByLabelText(/Email/i).closest('form')!);
    await vi.waitFor(() => expect(ctx.session.user?.role).toBe('reception'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Front desk' }, { timeout: 5000 })).toBeTruthy();
    expect(window.location.pathname).toBe('/desk');
  });

  it('opens the admin console on Today: the same calendar', async () => {
    start('/admin', { id: 'u1', email: 'admin@kbstylish.test', displayName: 'Salon Admin', role: 'admin' });
    expect(await screen.findByRole('heading', { level: 2, name: 'Today' }, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Today' }).getAttribute('aria-current')).toBe('page');
    await vi.waitFor(() => expect(screen.getAllByTestId('desk-column')).toHaveLength(2));
    // Admins reach the desk page from the nav too.
    expect(screen.getByRole('link', { name: 'Front desk' })).toBeTruthy();
  });

  it('opens a linked booking (the audit log’s links): its day, with it selected', async () => {
    start('/admin?date=2027-04-02&booking=b1', {
      id: 'u1',
      email: 'admin@kbstylish.test',
      displayName: 'Salon Admin',
      role: 'admin',
    });
    expect(await screen.findByTestId('desk-booking-panel', {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByTestId<HTMLInputElement>('desk-date').value).toBe('2027-04-02');
    expect(screen.getByTestId('desk-booking-panel').textContent).toMatch(/10:00/);
  });
});
