import { describe, expect, it } from 'vitest';
import { nearestAvailable, touchedDates } from '../../server/bookings/check.ts';
import { refusedTransition } from '../../server/bookings/status.ts';

describe('touchedDates', () => {
  const ms = (iso: string) => Date.parse(iso);
  it('is the local date of a daytime appointment (Kathmandu, +05:45)', () => {
    expect(touchedDates('Asia/Kathmandu', ms('2027-03-10T05:15:00Z'), ms('2027-03-10T06:30:00Z'), 15)).toEqual(['2027-03-10']);
  });
  it('covers both days of an appointment across local midnight', () => {
    // 23:15 → 00:30 local
    expect(touchedDates('Asia/Kathmandu', ms('2027-03-10T17:30:00Z'), ms('2027-03-10T18:45:00Z'), 15)).toEqual(['2027-03-10', '2027-03-11']);
  });
  it('includes the previous day when its last candidate plus buffer can reach the appointment', () => {
    // 00:10 local with a 15 min buffer: a candidate ending at midnight occupies until 00:15.
    expect(touchedDates('Asia/Kathmandu', ms('2027-03-10T18:25:00Z'), ms('2027-03-10T19:40:00Z'), 15)).toEqual(['2027-03-10', '2027-03-11']);
  });
  it('ends an appointment that ends exactly at midnight on its own day', () => {
    expect(touchedDates('UTC', ms('2027-03-10T23:00:00Z'), ms('2027-03-11T00:00:00Z'), 0)).toEqual(['2027-03-10']);
  });
});

describe('nearestAvailable', () => {
  const slots = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ startMs: i * 1_800_000, endMs: i * 1_800_000 + 3_600_000, status: (i === 4 || i === 5 || i === 1 ? 'booked' : 'available') as 'available' | 'booked' }));
  it('offers up to three each side, nearest first, ties earlier first, within the bookable range', () => {
    const alt = nearestAvailable(slots, 5, 0, 10, { durationMinutes: 60 }, 'UTC').map((a) => new Date(a.startUtc).getTime() / 1_800_000);
    expect(alt).toEqual([6, 3, 7, 2, 8, 0]);
    const bounded = nearestAvailable(slots, 5, 3, 8, { durationMinutes: 60 }, 'UTC').map((a) => new Date(a.startUtc).getTime() / 1_800_000);
    expect(bounded).toEqual([6, 3, 7]);
  });
});

describe('refusedTransition', () => {
  it('checks the machine before the timing', () => {
    expect(refusedTransition('completed', 'no_show', 0, 10)).toMatch(/cannot become/);
    expect(refusedTransition('confirmed', 'no_show', 10, 9)).toMatch(/after its start/);
    expect(refusedTransition('confirmed', 'in_progress', 30 * 60_000 + 1, 0)).toMatch(/30 minutes/);
    expect(refusedTransition('confirmed', 'in_progress', 30 * 60_000, 0)).toBeNull();
  });
});
