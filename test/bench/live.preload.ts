// Preloaded (node --expose-gc --import) into the servers of the live benchmark (the real one and
// the floor, and a cluster's workers, which inherit it): lets the benchmark look inside a server
// process without any code for it in the server itself. On SIGUSR2 it reads the command in
// `<KB_BENCH_MEM_FILE>.cmd` and writes its answer to `<KB_BENCH_MEM_FILE>.<pid>.json`:
//   mem   collect garbage, then process.memoryUsage()
//   eld-start  start sampling the event-loop delay (monitorEventLoopDelay, 1 ms resolution)
//   eld        the delay histogram since eld-start (ms), then stop sampling: how long the loop
//              was blocked, e.g. during a fan-out
//   snap       collect garbage, then write a V8 heap snapshot to `<KB_BENCH_MEM_FILE>.<pid>.<seq>.heapsnapshot`
//              (its path is the answer's `file`): what each socket keeps, by constructor
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

const prefix = process.env.KB_BENCH_MEM_FILE;
if (prefix) {
  let seq = 0;
  const eld = monitorEventLoopDelay({ resolution: 1 });
  process.on('SIGUSR2', () => {
    let cmd = 'mem';
    try {
      cmd = readFileSync(`${prefix}.cmd`, 'utf8').trim();
    } catch {
      // no command file: memory
    }
    let answer: Record<string, unknown>;
    if (cmd === 'eld-start') {
      eld.reset();
      eld.enable();
      answer = {};
    } else if (cmd === 'eld') {
      const ms = (ns: number) => ns / 1e6;
      answer = { n: eld.count, p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean) };
      eld.disable();
    } else if (cmd === 'snap') {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 4; i++) gc?.();
      answer = { file: writeHeapSnapshot(`${prefix}.${process.pid}.${seq + 1}.heapsnapshot`) };
    } else {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 4; i++) gc?.();
      answer = { gc: gc !== undefined, ...process.memoryUsage() };
    }
    writeFileSync(`${prefix}.${process.pid}.json`, JSON.stringify({ seq: ++seq, cmd, ...answer }));
  });
}
