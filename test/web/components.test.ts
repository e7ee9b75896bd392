// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SlotGrid from '../../web/src/customer/SlotGrid.svelte';
import ZonePicker from '../../web/src/customer/ZonePicker.svelte';
import { Api } from '../../web/src/lib/api.ts';
import { Session } from '../../web/src/lib/session.svelte.ts';
import AnnouncementBanner from '../../web/src/ui/AnnouncementBanner.svelte';
import AuthForm from '../../web/src/ui/AuthForm.svelte';
import ConnectionIndicator from '../../web/src/ui/ConnectionIndicator.svelte';
import { errorBody, fakeFetch, makeSlots } from './fakes.ts';

afterEach(() => cleanup());

describe('SlotGrid', () => {
  const slots = makeSlots(6, { 1: 'booked', 2: 'held', 5: 'unavailable' });
  const timeOf = (t: string) => t.slice(11, 16);

  it('labels every time with its state and only lets free times be chosen', async () => {
    const onselect = vi.fn();
    render(SlotGrid, { props: { slots, selected: null, recent: new Set<string>(), timeOf, label: 'Times', onselect } });
    const buttons = within(screen.getByRole('group', { name: 'Times' })).getAllByRole('button');
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual([
      '04:15, Free',
      '04:45, Booked',
      '05:15, On hold',
      '05:45, Free',
      '06:15, Free',
      '06:45, Not bookable',
    ]);
    await fireEvent.click(buttons[1]);
    expect(onselect).not.toHaveBeenCalled();
    await fireEvent.click(buttons[3]);
    expect(onselect).toHaveBeenCalledWith(slots[3].startUtc);
  });

  it('moves focus with the arrow keys, Home and End, with one tab stop', async () => {
    const onselect = vi.fn();
    render(SlotGrid, { props: { slots, selected: slots[3].startUtc, recent: new Set<string>(), timeOf, label: 'Times', onselect } });
    const buttons = screen.getAllByRole('button');
    expect(buttons.filter((b) => b.tabIndex === 0)).toEqual([buttons[3]]);
    expect(buttons[3].getAttribute('aria-pressed')).toBe('true');
    buttons[3].focus();
    await fireEvent.keyDown(buttons[3], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons[4]);
    await fireEvent.keyDown(buttons[4], { key: 'Home' });
    expect(document.activeElement).toBe(buttons[0]);
    await fireEvent.keyDown(buttons[0], { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(buttons[0]);
    await fireEvent.keyDown(buttons[0], { key: 'End' });
    expect(document.activeElement).toBe(buttons[5]);
    expect(buttons.filter((b) => b.tabIndex === 0)).toEqual([buttons[5]]);
  });

  it('shows my own hold as mine and recently changed times with a mark', () => {
    render(SlotGrid, {
      props: {
        slots,
        selected: slots[2].startUtc,
        mine: slots[2].startUtc,
        recent: new Set([slots[1].startUtc]),
        timeOf,
        label: 'Times',
        onselect: () => {},
      },
    });
    const buttons = screen.getAllByRole('button');
    expect(buttons[2].getAttribute('aria-label')).toBe('05:15, Held for you');
    expect(buttons[2].classList.contains('mine')).toBe(true);
    expect(buttons[1].classList.contains('changed')).toBe(true);
  });
});

describe('ConnectionIndicator', () => {
  it('says live, reconnecting, or offline since a time', async () => {
    const since = new Date(2027, 2, 10, 10, 42).getTime();
    const r = render(ConnectionIndicator, { props: { status: 'live', since } });
    expect(screen.getByRole('status').textContent?.trim()).toBe('Live');
    await r.rerender({ status: 'reconnecting', since });
    expect(screen.getByRole('status').textContent?.trim()).toBe('Reconnecting…');
    await r.rerender({ status: 'offline', since });
    const expected = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(since);
    expect(screen.getByRole('status').textContent?.trim()).toBe(`Offline since ${expected}`);
  });
});

describe('AnnouncementBanner', () => {
  it('shows announcements by level and dismisses them', async () => {
    const ondismiss = vi.fn();
    render(AnnouncementBanner, {
      props: { items: [{ id: 'a1', message: 'Closed at 4 today', level: 'warning', audience: 'all', at: '' }], ondismiss },
    });
    expect(screen.getByRole('alert').textContent).toContain('Closed at 4 today');
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss announcement' }));
    expect(ondismiss).toHaveBeenCalledWith('a1');
  });
});

describe('AuthForm', () => {
  function session(routes: Parameters<typeof fakeFetch>[0]) {
    return new Session(new Api(fakeFetch(routes)));
  }

  it('explains a wrong password in plain words', async () => {
    const s = session({ 'POST /api/auth/login': () => ({ status: 401, body: errorBody('UNAUTHENTICATED', 'Wrong email or password') }) });
    render(AuthForm, { props: { session: s, onsuccess: () => {} } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'a@b.test' } });
    await fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Sign in' }).closest('form')!);
    expect((await screen.findByRole('alert')).textContent).toBe('That email and password do not match an account.');
  });

  it('registers inline and reports the new user', async () => {
    const user = { id: 'u1', email: 'new@b.test', displayName: 'New Person', role: 'customer' };
    const bodies: unknown[] = [];
    const s = session({
      'POST /api/auth/register': ({ body }) => {
        bodies.push(body);
        return { status: 201, body: user };
      },
    });
    const onsuccess = vi.fn();
    render(AuthForm, { props: { session: s, onsuccess } });
    await fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: 'New Person' } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: ' New@B.test ' } });
    await fireEvent.input(screen.getByLabelText(/^Password/), { target: { value: 'short' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Create account' }).closest('form')!);
    expect(screen.getByRole('alert').textContent).toMatch(/at least 8 characters/);
    await fireEvent.input(screen.getByLabelText(/^Password/), { target: { value: 'long-enough' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Create account' }).closest('form')!);
    await vi.waitFor(() => expect(onsuccess).toHaveBeenCalledWith(user));
    expect(bodies).toEqual([{ email: 'new@b.test', password: 'long-enough', displayName: 'New Person' }]);
    flushSync();
    expect(s.user).toEqual(user);
  });

  it("shows the server's reason for a weak password under the password field", async () => {
    const reason = 'This is a heavily used password. Add more words that are less common.';
    const s = session({
      'POST /api/auth/register': () => ({
        status: 400,
        body: errorBody('WEAK_PASSWORD', `Choose a stronger password: ${reason}`, { field: 'password', score: 0, minScore: 3, reason }),
      }),
    });
    const onsuccess = vi.fn();
    render(AuthForm, { props: { session: s, onsuccess } });
    await fireEvent.click(screen.getByRole('tab', { name: 'Create account' }));
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: 'New Person' } });
    await fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'new@b.test' } });
    const input = screen.getByLabelText(/^Password/);
    await fireEvent.input(input, { target: { value: 'password' } });
    await fireEvent.submit(screen.getByRole('button', { name: 'Create account' }).closest('form')!);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(`This password is too easy to guess. ${reason}`);
    // Under the field, and the field says so.
    expect(alert.parentElement).toBe(input.parentElement);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(alert.id);
    expect(onsuccess).not.toHaveBeenCalled();
    // Typing a new one clears it.
    await fireEvent.input(input, { target: { value: 'password2' } });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });
});

describe('ZonePicker', () => {
  it("treats the browser's alias of the salon zone as the salon zone", () => {
    render(ZonePicker, { props: { zone: 'Asia/Katmandu', salonZone: 'Asia/Kathmandu', onchange: vi.fn() } });
    expect(screen.getByText(/Times in/).textContent).toMatch(/^\s*Times in Kathmandu time \(the salon’s\)\s*$/);
    expect(screen.queryByRole('button', { name: 'Salon time only' })).toBeNull();
  });

  it('names the salon zone and the customer\u2019s, and lets them keep salon time only', async () => {
    const onchange = vi.fn();
    render(ZonePicker, { props: { zone: 'Europe/London', salonZone: 'Asia/Kathmandu', onchange } });
    expect(screen.getByText(/Times in/).textContent).toMatch(/Kathmandu time \(the salon’s\), with your time \(London\) under each/);
    await fireEvent.click(screen.getByRole('button', { name: 'Salon time only' }));
    expect(onchange).toHaveBeenCalledWith('Asia/Kathmandu');
  });

  it('lists each zone once, under the salon\u2019s spelling of an alias', async () => {
    render(ZonePicker, { props: { zone: 'America/New_York', salonZone: 'Asia/Kathmandu', onchange: vi.fn() } });
    await fireEvent.click(screen.getByRole('button', { name: 'Change your zone' }));
    const options = [...screen.getByLabelText('Your time zone').querySelectorAll('option')].map((o) => o.value);
    expect(options).toContain('Asia/Kathmandu');
    expect(options).not.toContain('Asia/Katmandu');
    expect(options.filter((z) => z === 'America/New_York')).toHaveLength(1);
    expect(new Set(options).size).toBe(options.length);
  });
});
