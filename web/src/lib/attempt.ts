// A person's action against the server (save, send, cancel…): shown as running while it runs, and a
// failure turned into a sentence for them rather than thrown at the component.
import { plainMessage } from './api.ts';

/** Where an action shows that it is running and what went wrong ('' when nothing did). */
export interface Progress {
  busy(on: boolean): void;
  error(message: string): void;
}

/**
 * Runs `fn`: busy and the last error cleared while it runs, not busy once it ends either way, the
 * error in plain words if it threw. Resolves true when `fn` finished.
 */
export async function attemptWith(progress: Progress, fn: () => Promise<unknown>): Promise<boolean> {
  progress.busy(true);
  progress.error('');
  try {
    await fn();
    return true;
  } catch (err) {
    progress.error(plainMessage(err));
    return false;
  } finally {
    progress.busy(false);
  }
}

/** `attemptWith` for a state with `busy` and `error` fields (the usual form). */
export function attempt(state: { busy: boolean; error: string }, fn: () => Promise<unknown>): Promise<boolean> {
  return attemptWith({ busy: (on) => (state.busy = on), error: (message) => (state.error = message) }, fn);
}
