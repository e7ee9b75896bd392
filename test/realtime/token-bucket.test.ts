// The per-socket watch/unwatch budget: a burst, then a sustained rate (limits.ts, takeToken).
import { describe, expect, it } from 'vitest';
import { takeToken } from '../../server/realtime/limits.ts';

describe('watch token bucket', () => {
  it('allows a burst, then refills at the per-minute rate up to the burst', () => {
    const b = { tokens: 3, tokensAt: 0 };
    const take = (at: number) => takeToken(b, at, 3, 60);
    expect([take(0), take(0), take(0), take(0)]).toEqual([true, true, true, false]);
    // 60 per minute: one token a second.
    expect(take(999)).toBe(false);
    expect(take(1000)).toBe(true);
    expect(take(1000)).toBe(false);
    // A long pause refills to the burst, no further.
    expect([take(600_000), take(600_000), take(600_000), take(600_000)]).toEqual([true, true, true, false]);
  });

  it('a refused message takes nothing', () => {
    const b = { tokens: 0.5, tokensAt: 0 };
    expect(takeToken(b, 0, 3, 60)).toBe(false);
    expect(b.tokens).toBe(0.5);
    expect(takeToken(b, 500, 3, 60)).toBe(true);
    expect(b.tokens).toBeCloseTo(0, 10);
  });
});
