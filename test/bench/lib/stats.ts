/** Latency samples (ms) collected without allocation per sample. */
export class Samples {
  #data = new Float64Array(1 << 16);
  #n = 0;

  add(ms: number): void {
    if (this.#n === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#n++] = ms;
  }

  get count(): number {
    return this.#n;
  }

  summary(): Summary {
    return summarize(this.#data.subarray(0, this.#n));
  }
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentiles over all samples (no histogram rounding). */
export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const at = (p: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return { n, mean: n ? sum / n : NaN, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: n ? sorted[n - 1] : NaN };
}

/** Deterministic PRNG (mulberry32): the same "random" keys on every run. */
export { rng } from '../../../server/db/seed.ts';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
