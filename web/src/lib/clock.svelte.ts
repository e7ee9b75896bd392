import { createSubscriber } from 'svelte/reactivity';

/**
 * The current time as reactive state: reading `now` inside an effect or template ticks every
 * `intervalMs` while something on screen reads it, and not at all otherwise.
 */
export class Clock {
  #now: () => number;
  #subscribe: () => void;

  constructor(intervalMs = 1000, now: () => number = Date.now) {
    this.#now = now;
    this.#subscribe = createSubscriber((update) => {
      const t = setInterval(update, intervalMs);
      return () => clearInterval(t);
    });
  }

  get now(): number {
    this.#subscribe();
    return this.#now();
  }
}
