// Preloaded (node --expose-gc --import) into the server of the live benchmark: on SIGUSR2 it
// collects garbage and writes process.memoryUsage() to KB_BENCH_MEM_FILE, so the benchmark can
// measure what idle sockets cost without any code for it in the server itself.
import { writeFileSync } from 'node:fs';

const file = process.env.KB_BENCH_MEM_FILE;
if (file) {
  let seq = 0;
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 4; i++) gc?.();
    writeFileSync(file, JSON.stringify({ seq: ++seq, gc: gc !== undefined, ...process.memoryUsage() }));
  });
}
