// A budget of failed attempts per key (client IP) and window, exact under concurrency.
//
// express-rate-limit's skipSuccessfulRequests counts every request when it arrives and takes the
// successes back when they answer, so simultaneous correct logins use the budget up while they run
// (15 at once against a budget of 10: five 429s). Counting failures only after they answer has the
// opposite fault: a burst of wrong passwords all pass the check before the first one is counted.
// Here an attempt runs only while `failures + attempts in flight < limit` (every attempt in flight
// might still fail); others wait for one in flight to finish, so a success frees its place at once
// and a failure keeps it. Failures never exceed the limit, and successes are never refused because
// of other successes, only queued behind them for the length of one password check.

export interface FailureBudgetOptions {
  /** Failed attempts a key may make per window. */
  limit: number;
  windowMs: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  /** When the window of the counted failures ends (set by the window's first failure). */
  resetAt: number;
  inFlight: number;
  queue: Waiter[];
}

interface Waiter {
  run: (done: (failed: boolean) => void) => void;
  refuse: (retryAfterSeconds: number) => void;
}

export class FailureBudget {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  #sweptAt: number;

  constructor(o: FailureBudgetOptions) {
    this.#limit = o.limit;
    this.#windowMs = o.windowMs;
    this.#now = o.now ?? Date.now;
    this.#sweptAt = this.#now();
  }

  /**
   * Admits an attempt for `key`: calls `run` now or once a place is free, with the function to call
   * when the attempt ends (exactly once), or `refuse` with the seconds until the window ends. At
   * most `limit` attempts wait per key; more are refused. Returns a cancel function for an attempt
   * that goes away while it waits (a no-op once it has run or been refused).
   */
  admit(key: string, run: Waiter['run'], refuse: Waiter['refuse']): () => void {
    this.#sweep();
    const e = this.#entry(key);
    if (e.failures >= this.#limit) {
      refuse(this.#retryAfter(e));
      return () => {};
    }
    if (e.queue.length === 0 && e.failures + e.inFlight < this.#limit) {
      this.#start(key, e, run);
      return () => {};
    }
    if (e.queue.length >= this.#limit) {
      refuse(this.#retryAfter(e));
      return () => {};
    }
    const waiter: Waiter = { run, refuse };
    e.queue.push(waiter);
    return () => {
      const i = e.queue.indexOf(waiter);
      if (i >= 0) e.queue.splice(i, 1);
      this.#forgetIfIdle(key, e);
    };
  }

  /** Failures counted for `key` in its current window (for tests and metrics). */
  failures(key: string): number {
    const e = this.#entries.get(key);
    return e ? this.#refresh(e).failures : 0;
  }

  /** Keys with failures in their window, attempts in flight or waiting. */
  get size(): number {
    return this.#entries.size;
  }

  #entry(key: string): Entry {
    let e = this.#entries.get(key);
    if (!e) {
      e = { failures: 0, resetAt: 0, inFlight: 0, queue: [] };
      this.#entries.set(key, e);
    }
    return this.#refresh(e);
  }

  #refresh(e: Entry): Entry {
    if (e.failures > 0 && this.#now() >= e.resetAt) e.failures = 0;
    return e;
  }

  #retryAfter(e: Entry): number {
    return e.failures >= this.#limit ? Math.max(1, Math.ceil((e.resetAt - this.#now()) / 1000)) : 1;
  }

  #start(key: string, e: Entry, run: Waiter['run']): void {
    e.inFlight++;
    let ended = false;
    run((failed) => {
      if (ended) return;
      ended = true;
      e.inFlight--;
      if (failed) {
        this.#refresh(e);
        if (e.failures === 0) e.resetAt = this.#now() + this.#windowMs;
        e.failures++;
      }
      this.#drain(key, e);
    });
  }

  /** Starts waiters while there is room; refuses them all once the budget is spent. */
  #drain(key: string, e: Entry): void {
    this.#refresh(e);
    if (e.failures >= this.#limit) {
      const refused = e.queue.splice(0);
      const retryAfter = this.#retryAfter(e);
      for (const w of refused) w.refuse(retryAfter);
    }
    while (e.queue.length > 0 && e.failures + e.inFlight < this.#limit) this.#start(key, e, e.queue.shift()!.run);
    this.#forgetIfIdle(key, e);
  }

  #forgetIfIdle(key: string, e: Entry): void {
    if (e.inFlight === 0 && e.queue.length === 0 && this.#refresh(e).failures === 0 && this.#entries.get(key) === e)
      this.#entries.delete(key);
  }

  /** Drops ended windows of keys that went quiet, at most once per window: memory stays bounded. */
  #sweep(): void {
    const now = this.#now();
    if (now - this.#sweptAt < this.#windowMs) return;
    this.#sweptAt = now;
    for (const [key, e] of this.#entries) this.#forgetIfIdle(key, e);
  }
}
