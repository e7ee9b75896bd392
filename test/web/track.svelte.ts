// Reads a value inside an effect, as a component would, and records every value it takes.
import { flushSync } from 'svelte';

export function track<T>(read: () => T): { values: T[]; latest: () => T; stop: () => void } {
  const values: T[] = [];
  const stop = $effect.root(() => {
    $effect(() => {
      values.push(read());
    });
  });
  flushSync();
  return { values, latest: () => values.at(-1)!, stop };
}
