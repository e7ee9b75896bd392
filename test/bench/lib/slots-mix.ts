// The realistic read mix of the slots benchmark ("live at scale", part 4): GETs over many
// (stylist, service, date) keys with Zipf-distributed popularity, each in one of several display
// zones, while bookings are written through the API at a steady rate. Helpers only; the run is in
// slots.bench.ts.
import { DateTime } from 'luxon';
import { BenchCustomer, errorCode } from './bookings-http.ts';
import { gridPlace, type BenchSalon, type BookingGrid } from './bulk.ts';
import { rng } from './stats.ts';

export interface MixKey {
  stylistIndex: number;
  serviceIndex: number;
  day: number;
}

/**
 * Keys ranked by popularity: a seeded shuffle of every (stylist, service, day), so popular keys are
 * spread over stylists and days; rank r is drawn with probability ∝ 1 / (r + 1)^s.
 */
export class ZipfKeys {
  readonly keys: MixKey[];
  readonly s: number;
  #cdf: Float64Array;

  constructor(o: { stylists: number; services: number; days: number; s: number; seed: number }) {
    this.s = o.s;
    const keys: MixKey[] = [];
    for (let st = 0; st < o.stylists; st++)
      for (let sv = 0; sv < o.services; sv++) for (let d = 0; d < o.days; d++) keys.push({ stylistIndex: st, serviceIndex: sv, day: d });
    const r = rng(o.seed);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    this.keys = keys;
    this.#cdf = new Float64Array(keys.length);
    let sum = 0;
    for (let i = 0; i < keys.length; i++) this.#cdf[i] = sum += 1 / (i + 1) ** o.s;
    for (let i = 0; i < keys.length; i++) this.#cdf[i] /= sum;
  }

  /** The rank drawn for a uniform u in [0, 1). */
  rank(u: number): number {
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Share of draws that land on the `top` most popular keys. */
  headShare(top: number): number {
    return this.#cdf[Math.min(top, this.#cdf.length) - 1];
  }
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * `count` request paths drawn from the distribution, each with a display zone drawn uniformly from
 * `zones` (customerTimezone): the same sequence for every server, replayed in a loop.
 */
export function mixPaths(o: {
  keys: ZipfKeys;
  salon: BenchSalon;
  startDate: string;
  zones: string[];
  count: number;
  seed: number;
  path: string;
}): string[] {
  const r = rng(o.seed);
  const out: string[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const k = o.keys.keys[o.keys.rank(r())];
    const zone = o.zones[Math.floor(r() * o.zones.length)];
    out[i] =
      `${o.path}?stylistId=${o.salon.stylists[k.stylistIndex].id}&serviceId=${o.salon.services[k.serviceIndex].id}` +
      `&targetDate=${addDays(o.startDate, k.day)}&customerTimezone=${encodeURIComponent(zone)}`;
  }
  return out;
}

export interface WriterResult {
  attempted: number;
  ok: number;
  /** Outcomes other than 201, by code. */
  errors: Record<string, number>;
  achievedRate: number;
}

/**
 * Books at `rate` per second through POST /api/bookings (logged-in customers, one keep-alive
 * connection each) until stopped. Targets follow the readers' popularity (a booking lands on a
 * popular stylist's day more often), on hourly grid cells the bulk load left free, each at most once.
 */
export interface BookerOptions {
  baseUrl: string;
  salon: BenchSalon;
  /** The bulk load's grid and how many of its rows are loaded: those cells are taken. */
  grid: BookingGrid;
  loadedRows: number;
  keys: ZipfKeys;
  /** Days (from grid.startDate) inside every stylist's booking horizon. */
  bookableDays: number;
  seed: number;
}

export class PacedBooker {
  #customers: BenchCustomer[] = [];
  #taken = new Set<string>();
  #o: BookerOptions;
  #r: () => number;

  constructor(o: BookerOptions) {
    this.#o = o;
    this.#r = rng(o.seed);
  }

  async login(customers: number): Promise<void> {
    for (let i = 0; i < customers; i++) {
      const c = new BenchCustomer(this.#o.baseUrl, this.#o.salon.customerEmail(i));
      await c.login(this.#o.salon.password);
      this.#customers.push(c);
    }
  }

  /** The same customers (their session cookies: sessions live in Postgres) against a restarted server. */
  rebase(baseUrl: string): void {
    this.#o = { ...this.#o, baseUrl };
    this.#customers = this.#customers.map((old) => {
      const c = new BenchCustomer(baseUrl, old.email);
      c.cookie = old.cookie;
      old.close();
      return c;
    });
  }

  /** Cells of (stylist, day) the bulk load used. */
  #used(stylistIndex: number, day: number): Set<number> {
    const { salon, grid, loadedRows } = this.#o;
    const s = salon.stylists.length;
    const used = new Set<number>();
    for (let j = 0; j < grid.perDay; j++) {
      const row = day * s * grid.perDay + stylistIndex * grid.perDay + j;
      if (row < loadedRows) used.add(gridPlace(salon, grid, row).cellIndex);
    }
    return used;
  }

  /** A free (stylist, start) drawn by popularity; null after a few tries (all taken). */
  #target(): { stylistId: string; startUtc: string } | null {
    const { salon, grid, keys } = this.#o;
    for (let attempt = 0; attempt < 50; attempt++) {
      const k = keys.keys[keys.rank(this.#r())];
      if (k.day >= this.#o.bookableDays) continue;
      const used = this.#used(k.stylistIndex, k.day);
      const free = grid.cells.map((_, i) => i).filter((i) => !used.has(i) && !this.#taken.has(`${k.stylistIndex}|${k.day}|${i}`));
      if (free.length === 0) continue;
      const cell = free[Math.floor(this.#r() * free.length)];
      this.#taken.add(`${k.stylistIndex}|${k.day}|${cell}`);
      const st = salon.stylists[k.stylistIndex];
      const startUtc = DateTime.fromISO(`${addDays(grid.startDate, k.day)}T${grid.cells[cell]}`, { zone: st.timezone })
        .toUTC()
        .toISO()!;
      return { stylistId: st.id, startUtc };
    }
    return null;
  }

  /** Starts booking at `rate` per second (service 0 of the salon); `stop()` resolves once the last answer is in. */
  run(rate: number): { stop(): Promise<WriterResult> } {
    const serviceId = this.#o.salon.services[0].id;
    const errors: Record<string, number> = {};
    let attempted = 0;
    let ok = 0;
    const inFlight = new Set<Promise<void>>();
    const t0 = performance.now();
    const one = async () => {
      const target = this.#target();
      if (!target) {
        errors['no free cell'] = (errors['no free cell'] ?? 0) + 1;
        return;
      }
      attempted++;
      const c = this.#customers[attempted % this.#customers.length];
      try {
        const r = await c.post('/api/bookings', { ...target, serviceId });
        if (r.status === 201) ok++;
        else errors[errorCode(r)] = (errors[errorCode(r)] ?? 0) + 1;
      } catch (err) {
        const m = `exception: ${(err as Error).message.slice(0, 80)}`;
        errors[m] = (errors[m] ?? 0) + 1;
      }
    };
    let sent = 0;
    let stopped = false;
    let timer: NodeJS.Timeout;
    const tick = () => {
      if (stopped) return;
      const due = Math.floor(((performance.now() - t0) / 1000) * rate);
      while (sent < due) {
        sent++;
        const p = one().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      timer = setTimeout(tick, Math.max(1, (sent + 1) * (1000 / rate) - (performance.now() - t0)));
    };
    tick();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        const wallS = (performance.now() - t0) / 1000;
        await Promise.all(inFlight);
        return { attempted, ok, errors, achievedRate: ok / wallS };
      },
    };
  }

  close(): void {
    for (const c of this.#customers) c.close();
  }
}
