// @vitest-environment happy-dom
// The month calendar: each day's status in words, opening a day, and keyboard navigation with one
// tab stop (arrows by day and week, Home/End, PageUp/PageDown and arrows across the month's edge page).
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CalendarDay } from '../../web/src/customer/booking.svelte.ts';
import MonthCalendar from '../../web/src/customer/MonthCalendar.svelte';
import { monthDates } from '../../web/src/lib/time.ts';

afterEach(() => cleanup());

/** March 2027 (starts on a Monday): the 10th open with 4 free, 11th full, 12th closed, 14th off, 9th still loading. */
function march(): CalendarDay[] {
  return monthDates('2027-03-01').map((date) => {
    const special: Record<string, Partial<CalendarDay>> = {
      '2027-03-09': { available: null, status: null },
      '2027-03-10': { available: 4, status: 'open' },
      '2027-03-11': { available: 0, status: 'full' },
      '2027-03-12': { available: 0, status: 'closed' },
      '2027-03-14': { available: 0, status: 'off' },
    };
    return { date, available: 7, status: 'open', version: 1, ...special[date] };
  });
}

function setup(props: Partial<{ days: CalendarDay[]; month: string; today: string; canGoBack: boolean }> = {}) {
  const onopen = vi.fn();
  const onpage = vi.fn();
  const r = render(MonthCalendar, {
    props: { month: '2027-03-01', days: march(), today: '2027-03-05', canGoBack: false, onopen, onpage, ...props },
  });
  const day = (date: string) => document.querySelector<HTMLButtonElement>(`button[data-date="${date}"]`)!;
  return { ...r, onopen, onpage, day };
}

describe('MonthCalendar', () => {
  it('lays the month out in weeks and says each day’s status in words', () => {
    const { day } = setup();
    expect(screen.getByText(/March 2027/)).toBeTruthy();
    const rows = screen.getAllByRole('row');
    // A header row and five weeks (Sun 28 Feb … Sat 3 Apr, padded).
    expect(rows).toHaveLength(6);
    expect(rows[1].querySelectorAll('button')).toHaveLength(6);
    expect(document.querySelectorAll('button[data-date]')).toHaveLength(31);
    expect(day('2027-03-10').querySelector('.avail')?.textContent).toBe('4 free');
    expect(day('2027-03-10').getAttribute('aria-label')).toMatch(/^Wednesday.*2027: 4 free times$/);
    expect(day('2027-03-11').querySelector('.avail')?.textContent).toBe('Full');
    expect(day('2027-03-12').className).toContain('closed');
    expect(day('2027-03-12').getAttribute('aria-label')).toMatch(/the salon is closed$/);
    expect(day('2027-03-14').querySelector('.avail')?.textContent).toBe('Off');
    expect(day('2027-03-09').querySelector('.avail')?.textContent).toBe('…');
    expect(day('2027-03-05').getAttribute('aria-current')).toBe('date');
    expect(day('2027-03-02').getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Previous month' }).disabled).toBe(true);
  });

  it('opens a day with a click; days before today do not open', async () => {
    const { day, onopen } = setup();
    await fireEvent.click(day('2027-03-11'));
    expect(onopen).toHaveBeenCalledWith('2027-03-11');
    await fireEvent.click(day('2027-03-02'));
    expect(onopen).toHaveBeenCalledTimes(1);
  });

  it('has one tab stop (today) and moves with the keyboard; Enter opens the focused day', async () => {
    const { day, onopen, onpage } = setup();
    const tabbable = [...document.querySelectorAll<HTMLButtonElement>('button[data-date]')].filter((b) => b.tabIndex === 0);
    expect(tabbable).toEqual([day('2027-03-05')]);
    day('2027-03-05').focus();
    const key = async (k: string) => {
      await fireEvent.keyDown(document.activeElement!, { key: k });
      flushSync();
      await Promise.resolve();
    };
    await key('ArrowRight');
    expect(document.activeElement).toBe(day('2027-03-06'));
    await key('ArrowDown');
    expect(document.activeElement).toBe(day('2027-03-13'));
    await key('ArrowLeft');
    expect(document.activeElement).toBe(day('2027-03-12'));
    await key('ArrowUp');
    expect(document.activeElement).toBe(day('2027-03-05'));
    // Monday the 1st is the first day of its week shown (the Sunday before is February).
    await key('Home');
    expect(document.activeElement).toBe(day('2027-03-01'));
    await key('End');
    expect(document.activeElement).toBe(day('2027-03-06'));
    // The tab stop follows the focus.
    expect([...document.querySelectorAll<HTMLButtonElement>('button[data-date]')].filter((b) => b.tabIndex === 0)).toEqual([
      day('2027-03-06'),
    ]);
    await fireEvent.click(document.activeElement!); // Enter and Space activate a focused button
    expect(onopen).toHaveBeenCalledWith('2027-03-06');
    await key('PageDown');
    expect(onpage).toHaveBeenCalledWith(1);
  });

  it('crossing the end of the month with an arrow pages to the next month and keeps the focus there', async () => {
    const { day, onpage, rerender } = setup();
    day('2027-03-31').focus();
    await fireEvent.keyDown(day('2027-03-31'), { key: 'ArrowRight' });
    expect(onpage).toHaveBeenCalledWith(1);
    const april = monthDates('2027-04-01').map((date) => ({ date, available: 3, status: 'open' as const, version: 1 }));
    await rerender({ month: '2027-04-01', days: april, canGoBack: true });
    flushSync();
    const first = day('2027-04-01');
    expect(first.tabIndex).toBe(0);
    first.focus();
    await fireEvent.keyDown(first, { key: 'ArrowLeft' });
    expect(onpage).toHaveBeenCalledWith(-1);
  });

  it('does not page before the first month it may show', async () => {
    const { day, onpage } = setup({ today: '2027-03-01' });
    day('2027-03-01').focus();
    await fireEvent.keyDown(day('2027-03-01'), { key: 'ArrowLeft' });
    expect(onpage).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(day('2027-03-01'));
  });
});
