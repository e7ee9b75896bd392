// @vitest-environment happy-dom
// The smaller things of the web app: "No more times today", one duration format, page titles,
// announcements over an open modal, the registration name limit, and a session probe that does not
// treat a visitor as an error.
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet, flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISPLAY_NAME_MAX } from '../../server/contract/limits.ts';
import App from '../../web/src/App.svelte';
import MonthCalendar from '../../web/src/customer/MonthCalendar.svelte';
import { Announcements } from '../../web/src/lib/announcements.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { createAppContext } from '../../web/src/lib/app.ts';
import { APP_CONTEXT_KEY } from '../../web/src/lib/context.ts';
import { pageTitle } from '../../web/src/lib/page-title.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import { formatDuration, monthDates } from '../../web/src/lib/time.ts';
import AuthForm from '../../web/src/ui/AuthForm.svelte';
import Modal from '../../web/src/ui/Modal.svelte';
import { errorBody, fakeFetch, fakeSocketFactory } from './fakes.ts';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

describe('the month calendar', () => {
  it('says "No more times" for today when none is left, and "Full" for a later full day', () => {
    render(MonthCalendar, {
      props: {
        month: '2027-03-01',
        days: monthDates('2027-03-01').map((date) =>
          date === '2027-03-10' || date === '2027-03-11'
            ? { date, available: 0, status: 'full' as const, version: 1 }
            : { date, available: 3, status: 'open' as const, version: 1 },
        ),
        today: '2027-03-10',
        canGoBack: false,
        onopen: () => {},
        onpage: () => {},
      },
    });
    const today = document.querySelector<HTMLButtonElement>('button[data-date="2027-03-10"]')!;
    const tomorrow = document.querySelector<HTMLButtonElement>('button[data-date="2027-03-11"]')!;
    expect(today.querySelector('.avail')?.textContent).toBe('No more times');
    expect(today.getAttribute('aria-label')).toMatch(/: today, no more times today$/);
    expect(today.textContent).not.toContain('Full');
    expect(tomorrow.querySelector('.avail')?.textContent).toBe('Full');
  });
});

describe('durations', () => {
  it.each([
    [45, '45 min'],
    [60, '1 h'],
    [90, '1 h 30 min'],
    [135, '2 h 15 min'],
  ])('%i minutes read "%s"', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });
});

describe('page titles', () => {
  it.each([
    ['/', 'Book a visit · KB Stylish Live'],
    ['/bookings', 'My bookings · KB Stylish Live'],
    ['/signin', 'Sign in · KB Stylish Live'],
    ['/stylist', 'My day · Stylist dashboard · KB Stylish Live'],
    ['/admin', 'Today · Admin console · KB Stylish Live'],
    ['/admin/overrides', 'Overrides · Admin console · KB Stylish Live'],
    ['/admin/nope', 'Admin console · KB Stylish Live'],
    ['/elsewhere', 'Page not found · KB Stylish Live'],
    ['/desk', 'Front desk · KB Stylish Live'],
  ])('%s is titled "%s"', (path, title) => {
    const [, section = '', sub = ''] = path.split('/');
    expect(pageTitle(section, sub)).toBe(title);
  });

  it('the app sets the document title as the page changes', async () => {
    window.history.replaceState(null, '', '/bookings');
    const f = fakeSocketFactory();
    const ctx = createAppContext({
      fetch: fakeFetch({
        'GET /api/auth/session': () => ({ body: { user: null } }),
        'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'NPR' } }),
        'GET /api/services': () => ({ body: [] }),
        'GET /api/stylists': () => ({ body: [] }),
        'GET /api/announcements/current': () => ({ body: [] }),
      }),
      live: { createSocket: f.createSocket, eventTarget: null },
      window,
    });
    document.title = 'KB Stylish Live';
    render(App, { props: { ctx } });
    flushSync();
    expect(document.title).toBe('My bookings · KB Stylish Live');
    ctx.router.go('/');
    flushSync();
    expect(document.title).toBe('Book a visit · KB Stylish Live');
  });
});

describe('announcements over a modal', () => {
  it('a dialog shows the current announcements at its top, and dismissing there dismisses them', async () => {
    const announcements = new Announcements(undefined, undefined, undefined);
    announcements.add({ id: 'a1', message: 'Closing at 4 today', level: 'warning', audience: 'all', at: '2027-03-10T00:00:00Z' });
    const children = createRawSnippet(() => ({ render: () => '<p>Body of the dialog</p>' }));
    render(Modal, {
      props: { title: 'Booking', onclose: () => {}, children },
      context: new Map<unknown, unknown>([[APP_CONTEXT_KEY, { announcements }]]),
    });
    const dialog = screen.getByRole('dialog');
    const inside = dialog.querySelector('[data-testid=modal-announcements] [data-testid=modal-announcement]');
    expect(inside?.textContent).toContain('Closing at 4 today');
    // Above the dialog's own title.
    const title = screen.getByRole('heading', { name: 'Booking' });
    expect(inside!.compareDocumentPosition(title) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss announcement' }));
    expect(announcements.items).toEqual([]);
    expect(dialog.querySelector('[data-testid=modal-announcements]')).toBeNull();
  });

  it('a dialog outside the app (no announcements) renders none', () => {
    const children = createRawSnippet(() => ({ render: () => '<p>Body</p>' }));
    render(Modal, { props: { title: 'Plain', onclose: () => {}, children } });
    expect(screen.queryByTestId('modal-announcements')).toBeNull();
  });
});

describe('registration name limit', () => {
  async function fillRegister(name: string) {
    await fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: name } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'long@b.test' } });
    await fireEvent.input(screen.getByLabelText(/^Password/), { target: { value: 'long-enough-pw' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Create account' }).closest('form')!);
  }

  it(`says under the name field that ${DISPLAY_NAME_MAX} characters is the most, without cutting or sending it`, async () => {
    const calls: { path: string }[] = [];
    const s = new Session(new Api(fakeFetch({}, calls as never)));
    render(AuthForm, { props: { session: s, onsuccess: () => {} } });
    const long = 'N'.repeat(DISPLAY_NAME_MAX + 5);
    await fillRegister(long);
    const field = screen.getByLabelText<HTMLInputElement>('Your name');
    const problem = screen.getByTestId('name-error');
    expect(problem.textContent).toBe(`Please shorten the name to at most ${DISPLAY_NAME_MAX} characters.`);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe(problem.id);
    expect(field.value).toBe(long); // nothing cut
    expect(field.hasAttribute('maxlength')).toBe(false);
    expect(calls).toEqual([]);
    // Typing again clears the message.
    await fireEvent.input(field, { target: { value: 'Short Name' } });
    expect(screen.queryByTestId('name-error')).toBeNull();
  });

  it('shows the server’s NAME_TOO_LONG under the name field too', async () => {
    const s = new Session(
      new Api(
        fakeFetch({
          'POST /api/auth/register': () => ({
            status: 400,
            body: errorBody('NAME_TOO_LONG', 'The name can be at most 120 characters', { field: 'displayName', max: 120, length: 130 }),
          }),
        }),
      ),
    );
    const onsuccess = vi.fn();
    render(AuthForm, { props: { session: s, onsuccess } });
    await fillRegister('Within the form’s limit');
    expect((await screen.findByTestId('name-error')).textContent).toBe('Please shorten the name to at most 120 characters.');
    expect(onsuccess).not.toHaveBeenCalled();
  });
});

describe('the session probe', () => {
  it('asks GET /api/auth/session: a visitor is no error and nothing is logged', async () => {
    const calls: { method: string; path: string }[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const s = new Session(new Api(fakeFetch({ 'GET /api/auth/session': () => ({ body: { user: null } }) }, calls as never)));
      await s.load();
      expect(s.user).toBeNull();
      expect(s.checked).toBe(true);
      expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/auth/session']);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('reads the signed-in user from the same probe', async () => {
    const user = { id: 'u1', email: 'a@b.test', displayName: 'Anita', role: 'customer' };
    const s = new Session(new Api(fakeFetch({ 'GET /api/auth/session': () => ({ body: { user } }) })));
    await s.load();
    expect(s.user).toEqual(user);
  });
});
