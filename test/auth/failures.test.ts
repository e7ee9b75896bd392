import { describe, expect, it } from 'vitest';
import { FailureBudget } from '../../server/auth/failures.ts';

/** A budget on a fake clock, and a way to start attempts and end them by hand. */
function setup(limit = 2, windowMs = 60_000) {
  let now = 1_000_000;
  const budget = new FailureBudget({ limit, windowMs, now: () => now });
  const log: string[] = [];
  const attempt = (key: string, name: string) => {
    const a: { end?: (failed: boolean) => void; cancel: () => void; retryAfter?: number } = { cancel: () => {} };
    a.cancel = budget.admit(
      key,
      (end) => {
        log.push(`run ${name}`);
        a.end = end;
      },
      (retryAfter) => {
        log.push(`refuse ${name}`);
        a.retryAfter = retryAfter;
      },
    );
    return a;
  };
  return { budget, log, attempt, tick: (ms: number) => (now += ms) };
}

describe('FailureBudget', () => {
  it('runs attempts while failures plus those in flight fit, queues the rest, and a success frees its place', () => {
    const { log, attempt } = setup(2);
    const a = attempt('ip', 'a');
    const b = attempt('ip', 'b');
    attempt('ip', 'c');
    expect(log).toEqual(['run a', 'run b']);
    a.end!(false);
    expect(log).toEqual(['run a', 'run b', 'run c']);
    b.end!(true);
    expect(log).toHaveLength(3);
  });

  it('refuses waiters once the failures spend the budget, with the seconds left in the window', () => {
    const { budget, log, attempt, tick } = setup(2, 60_000);
    const a = attempt('ip', 'a');
    const b = attempt('ip', 'b');
    const c = attempt('ip', 'c');
    a.end!(true);
    tick(10_000);
    b.end!(true);
    expect(log).toEqual(['run a', 'run b', 'refuse c']);
    expect(c.retryAfter).toBe(50);
    expect(budget.failures('ip')).toBe(2);
    expect(attempt('other', 'd').end).toBeDefined();
  });

  it('starts a new window after the old one ends, and forgets quiet keys', () => {
    const { budget, attempt, tick } = setup(1, 60_000);
    attempt('ip', 'a').end!(true);
    expect(attempt('ip', 'b').retryAfter).toBe(60);
    tick(60_000);
    const c = attempt('ip', 'c');
    expect(c.end).toBeDefined();
    c.end!(false);
    expect(budget.size).toBe(0);
    attempt('ip2', 'd').end!(true);
    expect(budget.size).toBe(1);
    tick(60_000);
    attempt('ip3', 'e').end!(false);
    expect(budget.size).toBe(0);
  });

  it('drops a waiter that goes away, bounds the queue, and ignores a second end', () => {
    const { log, attempt } = setup(1);
    const a = attempt('ip', 'a');
    const b = attempt('ip', 'b');
    const c = attempt('ip', 'c');
    expect(c.retryAfter).toBe(1);
    b.cancel();
    a.end!(false);
    a.end!(true);
    expect(log).toEqual(['run a', 'refuse c']);
    expect(attempt('ip', 'd').end).toBeDefined();
  });
});
