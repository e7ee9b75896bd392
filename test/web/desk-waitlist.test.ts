// @vitest-environment happy-dom
// The desk calendar's waitlist count: "N waiting" for the day in the header (those waiting for any
// stylist said apart), each stylist's count in their column head, and both refreshed whenever the
// calendar re-reads (a live change, another day).
import { cleanup, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PRIYA, TODAY, day, deskPage } from './desk-fixtures.ts';

afterEach(() => cleanup());

const heads = () => screen.getAllByTestId('desk-column-head');
const columnCount = (i: number) => within(heads()[i]).queryByTestId('desk-column-waitlist')?.textContent?.trim() ?? null;

describe('the desk calendar’s waitlist count', () => {
  it('shows the day’s waiting entries in the header and per stylist, and follows every re-read', async () => {
    const TOMORROW = '2027-03-11';
    const h = await deskPage();
    h.days[TODAY] = { ...day(TODAY), waitlist: { total: 3, byStylist: { [PRIYA]: 2, any: 1 } } };
    h.days[TOMORROW] = { ...day(TOMORROW), waitlist: { total: 0, byStylist: {} } };
    // The first read (before the test set the count) shows nobody waiting.
    await vi.waitFor(() => expect(screen.getByTestId('desk-waitlist').textContent).toContain('Nobody waiting'));
    expect(columnCount(0)).toBeNull();
    await vi.waitFor(() => expect(h.socket().connected).toBe(true));

    // A live change re-reads the day: someone joined the waitlist for any stylist; the new counts show.
    h.socket().push('calendar:changed', { eventId: 30, stylistId: null, dates: [TODAY], kind: 'waitlist.changed' });
    await vi.waitFor(() =>
      expect(screen.getByTestId('desk-waitlist').textContent?.trim()).toBe('3 waiting on the waitlist (1 for any stylist)'),
    );
    expect(columnCount(0)).toBeNull();
    expect(columnCount(1)).toBe('2 waiting');

    // Another day has its own count.
    screen.getByRole('button', { name: 'Next day' }).click();
    await vi.waitFor(() => expect(h.reads).toEqual([TODAY, TODAY, TOMORROW]));
    await vi.waitFor(() => expect(screen.getByTestId('desk-waitlist').textContent).toContain('Nobody waiting'));
    expect(columnCount(1)).toBeNull();
  });
});
