// Plain-text reporting for benchmarks: Markdown tables (readable in a terminal, pasteable into
// docs/benchmarks.md), number formats, target verdicts, and the machine the figures came from.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type Align = 'l' | 'r';

/** A Markdown table with padded columns. Numbers are right-aligned unless `align` says otherwise. */
export function table(headers: string[], rows: (string | number)[][], align?: Align[]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const numeric = (c: string | number | undefined) => typeof c === 'number' || /^[–≥≤]?\s?[\d,.]+\S*$/.test(String(c ?? ''));
  const al = align ?? headers.map((_, i) => (rows.length > 0 && rows.every((r) => numeric(r[i])) ? 'r' : 'l'));
  const width = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (al[i] === 'r' ? s.padStart(width[i]) : s.padEnd(width[i]));
  const line = (r: string[]) => `| ${r.map((c, i) => pad(c ?? '', i)).join(' | ')} |`;
  const sep = `|${width.map((w, i) => (al[i] === 'r' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(headers), sep, ...cells.map(line)].join('\n');
}

export function heading(text: string): string {
  return `\n## ${text}\n`;
}

/** Milliseconds with precision that suits the size: 0.084, 1.27, 12.4, 153. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v < 1) return v.toFixed(3);
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

/** Requests per second: 27,431. */
export function rate(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

export function ratio(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${v.toFixed(digits)}×` : '–';
}

export function pct(v: number): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : '–';
}

export interface Verdict {
  name: string;
  measured: string;
  target: string;
  pass: boolean;
  /** "" when passing, else how far off, e.g. "short by 0.06 (7.5%)". */
  miss: string;
  /** Context, e.g. the same figure measured another way. */
  note?: string;
}

/**
 * A target check. `higherIsBetter`: pass when value >= target, else when value <= target.
 * `fmt` formats value and target alike.
 */
export function verdict(
  name: string,
  value: number,
  target: number,
  higherIsBetter: boolean,
  fmt: (v: number) => string,
  note?: string,
): Verdict {
  const pass = Number.isFinite(value) && (higherIsBetter ? value >= target : value <= target);
  let miss = '';
  if (!Number.isFinite(value)) miss = 'not measured';
  else if (!pass) {
    const gap = Math.abs(value - target);
    miss = `${higherIsBetter ? 'short' : 'over'} by ${fmt(gap)} (${((gap / target) * 100).toFixed(0)}% of the target)`;
  }
  return { name, measured: fmt(value), target: `${higherIsBetter ? '≥' : '≤'} ${fmt(target)}`, pass, miss, note };
}

export function verdictTable(vs: Verdict[]): string {
  const notes = vs.some((v) => v.note);
  return table(
    ['target', 'measured', 'goal', 'result', ...(notes ? ['note'] : [])],
    vs.map((v) => [v.name, v.measured, v.target, v.pass ? 'PASS' : `MISS: ${v.miss}`, ...(notes ? [v.note ?? ''] : [])]),
    ['l', 'r', 'r', 'l', 'l'],
  );
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memory: string;
  node: string;
  os: string;
  /** 1-minute load average when sampled: shows whether something else was using the cores. */
  loadavg: string;
}

export function machine(): Machine {
  let cpus = os.availableParallelism();
  try {
    cpus = Number(execSync('nproc', { encoding: 'utf8' }).trim()) || cpus;
  } catch {
    // keep Node's figure
  }
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpus,
    cpuModel,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

export function machineLine(m: Machine): string {
  return `machine: ${m.cpus} CPUs (nproc), ${m.cpuModel}, ${m.memory} RAM, Node ${m.node}, ${m.os}; load average ${m.loadavg}`;
}
