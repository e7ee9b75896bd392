// The server starts with a small young generation (package.json's `start` and `serve` pass
// --max-semi-space-size): with Node's default on a large machine the young generation grows to
// 128 MB during a burst of connections and stays in RSS (docs/benchmarks.md, "Memory per socket,
// second pass"). V8 reads the option only at start, so it must be on the command line.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The Node options of a script that runs `node [options] server/main.ts`. */
function nodeOptions(script: string): string[] {
  const m = /(?:^|&&\s*)node((?:\s+--[\w-]+(?:=\S+)?)*)\s+server\/main\.ts$/.exec(script.trim());
  expect(m, `"${script}" runs node … server/main.ts`).not.toBeNull();
  return m![1].trim().split(/\s+/).filter(Boolean);
}

/** The young generation's size (MB) after a burst of short-lived allocations, in a Node started with `options`. */
function youngGenerationAfterBurst(options: string[]): number {
  const burst = `
    const v8 = require('node:v8');
    const keep = [];
    for (let r = 0; r < 40; r++) { const a = []; for (let i = 0; i < 100000; i++) a.push({ i, s: 'x' + i }); keep.push(a[r]); }
    const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
    process.stdout.write(String(s.space_size / 1048576));`;
  return Number(execFileSync(process.execPath, [...options, '-e', burst], { encoding: 'utf8' }));
}

describe('the server process', () => {
  it('starts with the same Node options from npm start and npm run serve', () => {
    expect(nodeOptions(scripts.start)).toEqual(nodeOptions(scripts.serve));
  });

  it('keeps its young generation small through a burst of allocations', () => {
    const options = nodeOptions(scripts.serve);
    expect(options.some((o) => o.startsWith('--max-semi-space-size='))).toBe(true);
    // Semi-spaces of at most 2 MB: a new space of at most 4 MB (two of them, as V8 counts it here),
    // against 128 MB with Node's default on this kind of machine.
    expect(youngGenerationAfterBurst(options)).toBeLessThanOrEqual(4);
  });
});
