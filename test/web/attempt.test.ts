// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/lib/api.ts';
import { attempt } from '../../web/src/lib/attempt.ts';

describe('attempt', () => {
  it('is busy with the last error cleared while the action runs, and answers true when it finished', async () => {
    const state = { busy: false, error: 'old problem' };
    let seen: typeof state | null = null;
    const ok = await attempt(state, async () => {
      seen = { ...state };
    });
    expect(seen).toEqual({ busy: true, error: '' });
    expect([ok, state]).toEqual([true, { busy: false, error: '' }]);
  });

  it('puts a failure in plain words, stops being busy and answers false', async () => {
    const state = { busy: false, error: '' };
    const ok = await attempt(state, async () => {
      throw new ApiError('SLOT_TAKEN', 409, 'taken');
    });
    expect([ok, state]).toEqual([false, { busy: false, error: 'Sorry, someone else has just booked that time.' }]);
  });
});
