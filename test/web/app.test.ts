// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../web/src/App.svelte';
import { createAppContext } from '../../web/src/lib/app.ts';
import { fakeFetch, fakeSocketFactory } from './fakes.ts';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

function start(path: string, user: object | null, current: object[] = []) {
  window.history.replaceState(null, '', path);
  const f = fakeSocketFactory();
  const ctx = createAppContext({
    fetch: fakeFetch({
      'GET /api/auth/session': () => ({ body: { user } }),
      'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
      'GET /api/services': () => ({ body: [] }),
      'GET /api/stylists': () => ({
        body: [{ id: 'st1', displayName: 'Aarav Shrestha', timezone: 'Asia/Kathmandu', bio: '', services: [] }],
      }),
      'GET /api/stylist/bookings': () => ({ body: [] }),
      'GET /api/admin/overrides': () => ({ body: [] }),
      'GET /api/admin/metrics': () => ({ body: 'kb_sockets_connected 1' }),
      'GET /api/announcements/current': () => ({ body: current }),
      'POST /api/auth/logout': () => ({ status: 204 }),
    }),
    live: { createSocket: f.createSocket, eventTarget: null },
    window,
  });
  ctx.live.start();
  void ctx.session.load();
  void ctx.catalogue.load();
  void ctx.announcements.load();
  render(App, { props: { ctx } });
  return { ctx, socket: f.socket };
}

describe('App', () => {
  it('shows the booking page, the live indicator and a sign-in link to visitors', async () => {
    start('/', null);
    expect(await screen.findByRole('heading', { name: 'Book your next visit' })).toBeTruthy();
    await vi.waitFor(() => expect(screen.getByTestId('connection').textContent?.trim()).toBe('Live'));
    expect(await screen.findByRole('link', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
  });

  it('asks for a sign-in on the stylist page and loads the dashboard for a stylist', async () => {
    start('/stylist', { id: 'u1', email: 's@x.test', displayName: 'Aarav Shrestha', role: 'stylist', stylistId: 'st1' });
    expect(await screen.findByRole('heading', { name: 'Today' }, { timeout: 5000 })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'My day' }).getAttribute('aria-current')).toBe('page');
  });

  it('keeps a customer out of the admin console', async () => {
    start('/admin', { id: 'u2', email: 'c@x.test', displayName: 'Anita', role: 'customer' });
    expect(await screen.findByText(/cannot open this page/)).toBeTruthy();
  });

  it('opens the admin console on its tabs', async () => {
    start('/admin/overrides', { id: 'u3', email: 'a@x.test', displayName: 'Salon Admin', role: 'admin' });
    expect(await screen.findByRole('heading', { name: /Overrides/ }, { timeout: 5000 })).toBeTruthy();
    await fireEvent.click(screen.getByRole('link', { name: 'Today' }));
    expect(await screen.findByRole('heading', { name: 'Today' })).toBeTruthy();
    expect(window.location.pathname).toBe('/admin');
    // The live operations charts are on the System tab.
    await fireEvent.click(screen.getByRole('link', { name: 'System' }));
    expect(await screen.findByRole('heading', { name: 'Live operations' })).toBeTruthy();
    expect(window.location.pathname).toBe('/admin/system');
    expect(document.title).toBe('System · Admin console · KB Stylish Live');
  });

  it('shows the current announcements to a page opened after they were sent', async () => {
    start('/', null, [
      { id: 'a0', message: 'Closed on Saturday for the festival', level: 'warning', audience: 'customers', at: '2027-03-10T00:00:00Z' },
    ]);
    const banner = await screen.findByTestId('announcement');
    expect(banner.textContent).toContain('Closed on Saturday for the festival');
    expect(banner.getAttribute('role')).toBe('alert');
  });

  it('shows an announcement pushed to this visitor as a banner', async () => {
    const { socket } = start('/', null);
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    socket().push('announcement', {
      eventId: 3,
      id: 'a1',
      message: 'We close at 4 today',
      level: 'info',
      audience: 'all',
      at: '2027-03-10T00:00:00Z',
    });
    expect((await screen.findByTestId('announcement')).textContent).toContain('We close at 4 today');
  });
});
