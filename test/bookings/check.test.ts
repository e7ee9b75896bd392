import { describe, expect, it } from 'vitest';
import { nearestAvailable } from '../../server/bookings/check.ts';
import { refusedTransition } from '../../server/bookings/status.ts';
import type { ComputedSlot } from '../../server/slots/engine.ts';

describe('nearestAvailable', () => {
  const slots = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i): ComputedSlot => ({
    startMs: i * 1_800_000,
    endMs: i * 1_800_000 + 3_600_000,
    status: i === 4 || i === 5 || i === 1 ? 'booked' : 'available',
  }));
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
