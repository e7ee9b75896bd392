// `npm run bench:slots` — the slots benchmark of issue 2, item 7. One run, one data set, one
// concurrency: an embedded Postgres in a temp folder, a salon of many stylists with bookings laid on
// a grid, and each server under test in its own process while autocannon runs in this one.
//
//   (a) floor      Express 5 + helmet with the real app's settings, answering the captured bytes of
//                  a cached answer with no work (floor-bare: the same without helmet, for reference)
//   (b) cached     the real app (server/main.ts, CACHE=on)
//   (c) uncached   the real app with CACHE=off: every request loads from Postgres and computes
//   (d) v2         the old design, in the benchmark only: a Postgres cache table, 5-minute TTL
// plus the cached endpoint's p99 at a fixed 2,000 req/s, the cold (miss) path with 10k and with 1M
// bookings in the table, and a realistic mix ("live at scale", part 4): Zipf-distributed reads over
// 200 stylists × 2 services × 60 days in three display zones while bookings are written through the
// API at 5/s, against the floor with the same URLs; then the same after a restart (cold cache).
// Options: --help. Environment: BENCH_QUICK=1 is --quick.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Pool } from '../../server/db/pool.ts';
import { SlotService } from '../../server/slots/service.ts';
import { bulkBookings, createBenchSalon, gridDays, vacuumAnalyze, type BenchSalon, type BookingGrid } from './lib/bulk.ts';
import { cleanup, install } from './lib/lifecycle.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { runPaced } from './lib/paced.ts';
import { startBenchPostgres, type BenchPostgres } from './lib/pg.ts';
import { serveNodeOptions, startServer, treeCpuMs, type ServerProcess } from './lib/proc.ts';
import { heading, machine, machineLine, ms, pct, rate, ratio, table, verdict, verdictTable, type Verdict } from './lib/report.ts';
import { mixPaths, PacedBooker, ZipfKeys, type WriterResult } from './lib/slots-mix.ts';
import { rng, Samples, type Summary } from './lib/stats.ts';

const HELP = `npm run bench:slots [-- options]
  --duration <s>      measured seconds per throughput run (default 8)
  --warmup <s>        warm-up seconds before each run (default 2)
  --connections <n>   autocannon connections for every run (default 32)
  --rounds <n>        throughput rounds, variants interleaved; the best round counts (default 2)
  --rate <n>          fixed request rate for the cached latency run (default 2000)
  --small <n>         bookings for the HTTP runs and the first cold-path figure (default 10000)
  --big <n>           bookings for the second cold-path figure (default 1000000)
  --samples <n>       cold-path samples per data set (default 2000)
  --stylists <n>      stylists in the salon (default 200)
  --mix <on|off|only> the realistic read mix after the rest, not at all, or alone (default on)
  --mix-days <n>      days per (stylist, service) in the mix (default 60)
  --zipf <s>          Zipf exponent of key popularity in the mix (default 1)
  --mix-rate <n>      bookings per second through the API during the mix (default 5)
  --mix-warmup <s>    seconds of the mix before measuring, to fill the cache (default 10)
  --cold <s>          seconds of the mix after a restart, for the cold-cache recovery (default 20)
  --cache-bytes <n>   CACHE_MAX_BYTES of the server in the mix (default: the server's own default)
  --prefill <on|off>  CACHE_PREFILL of the server in the mix (default on, the server's default)
  --quick             a smoke run: 3 s runs, 1 round, 100k big, 500 samples, mix 3 s after 3 s, cold 8 s
  --json <file>       also write every figure as JSON
  --cpu-prof <dir>    write a V8 CPU profile of every server process into <dir> (slows them down)`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    rate: { type: 'string', default: '2000' },
    small: { type: 'string', default: '10000' },
    big: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '2000' },
    stylists: { type: 'string', default: '200' },
    mix: { type: 'string', default: 'on' },
    'mix-days': { type: 'string', default: '60' },
    zipf: { type: 'string', default: '1' },
    'mix-rate': { type: 'string', default: '5' },
    'mix-warmup': { type: 'string', default: '10' },
    cold: { type: 'string', default: '20' },
    'cache-bytes': { type: 'string' },
    prefill: { type: 'string', default: 'on' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const quick = args.quick || process.env.BENCH_QUICK === '1';
if (!['on', 'off', 'only'].includes(args.mix)) throw new Error('--mix must be on, off or only');
if (!['on', 'off'].includes(args.prefill)) throw new Error('--prefill must be on or off');
const opt = {
  durationS: quick ? 3 : Number(args.duration),
  warmupS: quick ? 1 : Number(args.warmup),
  connections: Number(args.connections),
  rounds: quick ? 1 : Number(args.rounds),
  rate: Number(args.rate),
  rateDurationS: quick ? 3 : 10,
  small: Number(args.small),
  big: quick ? Math.min(100_000, Number(args.big)) : Number(args.big),
  samples: quick ? 500 : Number(args.samples),
  stylists: Number(args.stylists),
  mixDays: Number(args['mix-days']),
  zipf: Number(args.zipf),
  mixRate: Number(args['mix-rate']),
  mixWarmupS: quick ? 3 : Number(args['mix-warmup']),
  coldS: quick ? 8 : Number(args.cold),
};
const mixCacheBytes = args['cache-bytes'] === undefined ? undefined : Number(args['cache-bytes']);
for (const [k, v] of Object.entries(opt)) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
}

// Targets from issue 2, item 7, and ("live at scale", part 4) for the realistic mix.
const TARGET = {
  cachedOverFloor: 0.8,
  cachedOverUncached: 20,
  fixedRateP99Ms: 5,
  coldBigP50Ms: 3,
  coldGrowth: 1.5,
  mixOverFloor: 0.75,
  mixHits: 0.95,
  recoveredHits: 0.9,
};

const SLOTS_PATH = '/api/bookings/available-slots';
const ZONES = ['Asia/Kathmandu', 'America/New_York', 'Europe/London'];
/** Hourly cells inside the 09:00–13:00 and 14:00–18:00 windows; a 45-minute booking plus its 15-minute buffer fills one. */
/** The bench salon's horizon (the schema's largest), and the days the cold HTTP path samples within it. */
const HORIZON_DAYS = 730;
const HTTP_WINDOW_DAYS = HORIZON_DAYS - 7;
const CELLS = ['09:00', '10:00', '11:00', '12:00', '14:00', '15:00', '16:00', '17:00'];
const PER_DAY = 5;

const problems: string[] = [];
const notes: string[] = [];
const silent = pino({ level: 'silent' });
const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof'])] : [];
/** Our server runs with the Node options `npm run serve` uses (package.json); the floors with Node's defaults. */
const oursArgs = [...serveNodeOptions(), ...nodeArgs];

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function slotsPath(k: { stylistId: string; serviceId: string; date: string }): string {
  return `${SLOTS_PATH}?stylistId=${k.stylistId}&serviceId=${k.serviceId}&targetDate=${k.date}`;
}

/** Random (stylist, service, date) keys over the populated days, the same sequence on every run. */
function randomKeys(salon: BenchSalon, grid: BookingGrid, days: number, seed: number) {
  const r = rng(seed);
  return () => ({
    stylistId: salon.stylists[Math.floor(r() * salon.stylists.length)].id,
    serviceId: salon.services[Math.floor(r() * salon.services.length)].id,
    date: addDays(grid.startDate, Math.floor(r() * days)),
  });
}

/** The miss path in this process, one at a time: load the day in one round trip, run the engine, render. */
async function coldPath(pool: Pool, salon: BenchSalon, grid: BookingGrid, days: number, seed: number): Promise<Summary> {
  const svc = new SlotService({ pool, cacheEnabled: false, cacheMaxBytes: 1024, cacheTtlMs: 1000 });
  const next = randomKeys(salon, grid, days, seed);
  for (let i = 0; i < Math.min(200, opt.samples); i++) await svc.answer(next(), undefined);
  const samples = new Samples();
  for (let i = 0; i < opt.samples; i++) {
    const key = next();
    const t = performance.now();
    await svc.answer(key, undefined);
    samples.add(performance.now() - t);
  }
  return samples.summary();
}

/** The same miss over HTTP: the CACHE=off server, one connection, a random key per request. */
async function coldHttp(server: ServerProcess, salon: BenchSalon, grid: BookingGrid, days: number, seed: number): Promise<LoadResult> {
  // Days inside the stylists' bookable window only: a day past it answers [] without a query.
  const next = randomKeys(salon, grid, Math.min(days, HTTP_WINDOW_DAYS), seed);
  const r = await runLoad({
    url: server.baseUrl + slotsPath(next()),
    connections: 1,
    amount: opt.samples,
    warmupS: 1,
    nextPath: () => slotsPath(next()),
  });
  checkRun(`cold HTTP (${server.name})`, r);
  return r;
}

function checkRun(name: string, r: LoadResult): void {
  if (r.errors || r.non2xx || r.timeouts)
    problems.push(`${name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx responses`);
  if (r.responses === 0) problems.push(`${name}: no successful responses`);
}

type Variant = 'floor' | 'floor-bare' | 'floor-stack' | 'cached' | 'uncached' | 'v2';
const STACK: Record<Variant, string> = {
  floor: 'Express 5 + helmet, captured bytes, no work',
  'floor-bare': 'Express 5 bare, captured bytes, no work',
  'floor-stack': 'real app middleware up to the slots route, captured bytes',
  cached: 'real app, CACHE=on (LRU hit)',
  uncached: 'real app, CACHE=off (Postgres + engine)',
  v2: 'old v2: Postgres cache table, 5-min TTL',
};

/** The real app's environment in these runs. */
function appEnvFor(url: string, cache: 'on' | 'off'): Record<string, string> {
  return {
    DATABASE_URL: url,
    CACHE: cache,
    LOG_LEVEL: 'warn',
    SEED_DEMO: '0',
    HOST: '127.0.0.1',
    WORKERS: '1',
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-secret-bench-secret',
    // The uncached server answers every request from the database: nothing here is a flood.
    RATE_LIMIT_SLOT_MISSES: '1000000000',
    // The one-key runs measure a hit: no background prefill of 200 stylists' horizons during them (the mix turns it on).
    CACHE_PREFILL: 'off',
  };
}

// ─── the realistic mix ("live at scale", part 4) ─────────────────────────────────────────────────

interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
}

async function scrape(server: ServerProcess): Promise<CacheStats> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const m = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    hits: m('kb_slot_cache_hits_total'),
    misses: m('kb_slot_cache_misses_total'),
    evictions: m('kb_slot_cache_evictions_total'),
    entries: m('kb_slot_cache_entries'),
    bytes: m('kb_slot_cache_bytes'),
  };
}

interface MixResult {
  keys: number;
  urls: number;
  days: number;
  headShare: number;
  cacheBound: number;
  floor: LoadResult;
  ours: LoadResult;
  /** Over the measured runs of ours. */
  hitRatio: number;
  /** Largest cache size seen (scraped every 250 ms during the measured runs), and entries then. */
  maxBytes: number;
  entries: number;
  evictions: number;
  writes: WriterResult;
  cold: {
    readyMs: number;
    windows: { atMs: number; hitRatio: number; rps: number }[];
    recoveredMs: number;
    load: LoadResult;
    writes: WriterResult;
    /** The restarted server's prefill, running under the load. */
    prefill: PrefillEnd | null;
  };
  /** The first server's prefill, awaited before the warm-up. */
  prefill: PrefillEnd | null;
}

/**
 * The mix: Zipf reads over stylists × services × mixDays keys in the three zones, floor and ours
 * interleaved over opt.rounds with bookings at opt.mixRate per second through ours; then ours
 * restarted (an empty cache) under the same mix, with its hit ratio in 250 ms windows.
 */
async function runMix(pg: BenchPostgres, pool: Pool, salon: BenchSalon, grid: BookingGrid, loadedRows: number): Promise<MixResult> {
  // Every day of the mix holds the grid's bookings; the horizon covers them all.
  const needed = opt.stylists * PER_DAY * opt.mixDays;
  if (loadedRows < needed) {
    const more = await bulkBookings(pool, salon, grid, loadedRows, needed, { parallel: 2 });
    await vacuumAnalyze(pool, ['bookings']);
    console.log(`loaded ${rate(more.rows)} more bookings for the mix's ${opt.mixDays} days in ${(more.ms / 1000).toFixed(1)} s`);
  }
  // A salon's horizon (the schema's default is 60 days) just covering the mix: the prefill fills it, not the 730 days of the cold path.
  await pool.query(`update stylists set horizon_days = $2 where id = any($1::uuid[])`, [salon.stylists.map((s) => s.id), opt.mixDays + 5]);

  const keys = new ZipfKeys({ stylists: opt.stylists, services: salon.services.length, days: opt.mixDays, s: opt.zipf, seed: 7 });
  const paths = mixPaths({
    keys,
    salon,
    startDate: grid.startDate,
    zones: ZONES,
    count: quick ? 100_000 : 300_000,
    seed: 11,
    path: SLOTS_PATH,
  });
  const urls = new Set(paths).size;
  const cycle = () => {
    let i = 0;
    return () => paths[i++ % paths.length];
  };
  const env = {
    ...appEnvFor(pg.url, 'on'),
    RATE_LIMIT_BOOKING: '1000000000',
    RATE_LIMIT_LOGIN: '1000000000',
    ...(mixCacheBytes !== undefined ? { CACHE_MAX_BYTES: String(mixCacheBytes) } : {}),
    CACHE_PREFILL: args.prefill,
    // The prefill reports its end at info (server/slots/prefill.ts).
    LOG_LEVEL: 'info',
  };
  const cacheBound = mixCacheBytes ?? 256 * 1024 * 1024; // server/config.ts default
  let ours = await startServer({ name: 'mix-cached', nodeArgs: oursArgs, entry: 'server/main.ts', env, readyPath: '/readyz' });
  const started = performance.now();
  const prefill = args.prefill === 'on' ? await prefillEnd(ours, started) : null;
  if (prefill) console.log(`mix: prefill ${prefillLine(prefill)}`);

  // The floor answers every URL with the captured bytes of one of them (a hit of ours).
  await (await fetch(ours.baseUrl + paths[0])).arrayBuffer();
  const hit = await fetch(ours.baseUrl + paths[0]);
  const body = Buffer.from(await hit.arrayBuffer());
  if (hit.status !== 200) throw new Error(`mix: the server answered ${hit.status}: ${body.toString().slice(0, 200)}`);
  const headers: Record<string, string> = {};
  for (const h of ['x-cache-hit', 'x-computed-at', 'x-availability-version', 'etag', 'cache-control', 'content-type']) {
    const v = hit.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  const bodyFile = path.join(pg.root, 'mix-floor-body.json');
  writeFileSync(bodyFile, body);
  const floor = await startServer({
    name: 'mix-floor',
    nodeArgs,
    entry: 'test/bench/slots.server.ts',
    env: { BODY_FILE: bodyFile, HEADERS_JSON: JSON.stringify(headers), MODE: 'floor', NODE_ENV: 'production' },
  });

  const booker = new PacedBooker({
    baseUrl: ours.baseUrl,
    salon,
    grid,
    loadedRows: Math.max(loadedRows, needed),
    keys,
    bookableDays: opt.mixDays,
    seed: 13,
  });
  await booker.login(10);
  const writes: WriterResult[] = [];
  const cpu = (s: ServerProcess) => ({ server: () => s.cpuMs(), postgres: () => treeCpuMs(pg.pid) });

  // Warm-up: ours fills its cache under the mix and the writes.
  let w = booker.run(opt.mixRate);
  await runLoad({ url: ours.baseUrl + paths[0], connections: opt.connections, durationS: opt.mixWarmupS, nextPath: cycle() });
  writes.push(await w.stop());
  await runLoad({ url: floor.baseUrl + paths[0], connections: opt.connections, durationS: Math.min(2, opt.mixWarmupS), nextPath: cycle() });

  const floorRuns: LoadResult[] = [];
  const oursRuns: LoadResult[] = [];
  let hits = 0;
  let misses = 0;
  let maxBytes = 0;
  let entries = 0;
  const before = await scrape(ours);
  for (let round = 1; round <= opt.rounds; round++) {
    const f = await runLoad({
      url: floor.baseUrl + paths[0],
      connections: opt.connections,
      durationS: opt.durationS,
      nextPath: cycle(),
      cpu: cpu(floor),
    });
    checkRun(`mix floor round ${round}`, f);
    floorRuns.push(f);
    w = booker.run(opt.mixRate);
    const s0 = await scrape(ours);
    const watch = setInterval(
      () =>
        void scrape(ours).then(
          (c) => {
            if (c.bytes > maxBytes) [maxBytes, entries] = [c.bytes, c.entries];
          },
          () => undefined,
        ),
      250,
    );
    const o = await runLoad({
      url: ours.baseUrl + paths[0],
      connections: opt.connections,
      durationS: opt.durationS,
      nextPath: cycle(),
      cpu: cpu(ours),
    });
    clearInterval(watch);
    const s1 = await scrape(ours);
    writes.push(await w.stop());
    if (s1.bytes > maxBytes) [maxBytes, entries] = [s1.bytes, s1.entries];
    hits += s1.hits - s0.hits;
    misses += s1.misses - s0.misses;
    checkRun(`mix ours round ${round}`, o);
    oursRuns.push(o);
    console.log(
      `mix round ${round}: floor ${rate(f.rps)} req/s, ours ${rate(o.rps)} req/s (p99 ${ms(o.latency.p99)} ms), ` +
        `hits ${pct((s1.hits - s0.hits) / (s1.hits - s0.hits + s1.misses - s0.misses))}, cache ${(s1.bytes / 2 ** 20).toFixed(1)} MB in ${s1.entries} entries`,
    );
  }
  const after = await scrape(ours);

  // Cold: a restart empties the cache; the mix and the writes resume at once.
  await ours.stop();
  const t0 = performance.now();
  ours = await startServer({ name: 'mix-restarted', nodeArgs: oursArgs, entry: 'server/main.ts', env, readyPath: '/readyz' });
  const readyMs = performance.now() - t0;
  booker.rebase(ours.baseUrl);
  const windows: MixResult['cold']['windows'] = [];
  const l0 = performance.now();
  let prev = await scrape(ours);
  let prevAt = performance.now();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, 250));
      const c = await scrape(ours).catch(() => null);
      if (!c) continue;
      const now = performance.now();
      const dh = c.hits - prev.hits;
      const dm = c.misses - prev.misses;
      windows.push({ atMs: now - l0, hitRatio: dh + dm ? dh / (dh + dm) : NaN, rps: ((dh + dm) * 1000) / (now - prevAt) });
      prev = c;
      prevAt = now;
    }
  })();
  w = booker.run(opt.mixRate);
  const coldPrefill = args.prefill === 'on' ? prefillEnd(ours, l0, (opt.coldS + 5) * 1000) : Promise.resolve(null);
  const coldLoad = await runLoad({
    url: ours.baseUrl + paths[0],
    connections: opt.connections,
    durationS: opt.coldS,
    nextPath: cycle(),
    cpu: cpu(ours),
  });
  const coldWrites = await w.stop();
  const coldPrefillEnd = await coldPrefill;
  polling = false;
  await poller;
  checkRun('mix after restart', coldLoad);
  // Recovered: the first window from which the hit ratio stays ≥ 90% for a second (4 windows).
  let recoveredMs = NaN;
  for (let i = 0; i + 3 < windows.length; i++) {
    if (windows.slice(i, i + 4).every((x) => x.hitRatio >= TARGET.recoveredHits)) {
      recoveredMs = windows[i].atMs;
      break;
    }
  }
  booker.close();
  await Promise.all([ours.stop(), floor.stop()]);

  const sum = (ws: WriterResult[]): WriterResult => {
    const errors: Record<string, number> = {};
    for (const x of ws) for (const [k, v] of Object.entries(x.errors)) errors[k] = (errors[k] ?? 0) + v;
    const measured = ws.slice(1); // the warm-up's writes are not in the measured window
    return {
      attempted: ws.reduce((a, x) => a + x.attempted, 0),
      ok: ws.reduce((a, x) => a + x.ok, 0),
      errors,
      achievedRate: measured.length ? measured.reduce((a, x) => a + x.achievedRate, 0) / measured.length : NaN,
    };
  };
  const best = (runs: LoadResult[]) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return {
    keys: keys.keys.length,
    urls,
    days: opt.mixDays,
    headShare: entries > 0 ? keys.headShare(entries) : NaN,
    cacheBound,
    floor: best(floorRuns),
    ours: best(oursRuns),
    hitRatio: hits / (hits + misses),
    maxBytes,
    entries,
    evictions: after.evictions - before.evictions,
    writes: sum(writes),
    cold: { readyMs, windows, recoveredMs, load: coldLoad, writes: coldWrites, prefill: coldPrefillEnd },
    prefill,
  };
}

interface PrefillEnd {
  filled: number;
  ended: string;
  /** The prefill's own time, and from `since` (the server ready, or the load's start) to its log line. */
  ms: number;
  seenAfterMs: number;
}

/** Waits (at most `timeoutMs`) for the server's log line of its prefill's end (server/slots/prefill.ts); null if none came. */
async function prefillEnd(server: ServerProcess, since: number, timeoutMs = 180_000): Promise<PrefillEnd | null> {
  for (const until = performance.now() + timeoutMs; performance.now() < until;) {
    for (const line of server.output().split('\n')) {
      if (!line.includes('"prefill"')) continue;
      let p: { filled: number; ended: string; ms: number } | undefined;
      try {
        p = (JSON.parse(line) as { prefill?: typeof p }).prefill;
      } catch {
        continue;
      }
      if (p) return { ...p, seenAfterMs: performance.now() - since };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

const prefillLine = (p: PrefillEnd) => `${rate(p.filled)} days stored (${p.ended}) in ${(p.ms / 1000).toFixed(1)} s`;

function printMix(mix: MixResult): Verdict[] {
  console.log(
    heading(
      `Realistic mix: Zipf (s = ${opt.zipf}) over ${rate(mix.keys)} keys (${opt.stylists} stylists × 2 services × ${mix.days} days) ` +
        `in ${ZONES.length} display zones, ${opt.connections} connections, ${opt.durationS} s per run, best of ${opt.rounds}`,
    ),
  );
  console.log(
    `${rate(mix.urls)} distinct URLs in the replayed sequence; bookings through POST /api/bookings at ${opt.mixRate}/s during ours ` +
      `(${mix.writes.ok} of ${mix.writes.attempted} booked, ${mix.writes.achievedRate.toFixed(1)}/s achieved while measured` +
      `${
        Object.keys(mix.writes.errors).length
          ? `; other outcomes: ${Object.entries(mix.writes.errors)
              .map(([k, v]) => `${k} ×${v}`)
              .join(', ')}`
          : ''
      }).` +
      ` The floor answers every URL with one captured body, no writes.` +
      (mix.prefill ? ` Ours prefilled its cache before the warm-up: ${prefillLine(mix.prefill)}.` : ` Prefill ${args.prefill}.`) +
      '\n',
  );
  const row = (name: string, r: LoadResult) => [
    name,
    rate(r.rps),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    r.cpu.server.usPerReq.toFixed(1),
    r.cpu.postgres.usPerReq.toFixed(1),
    r.cpu.server.cores.toFixed(2),
    r.generatorCores.toFixed(2),
  ];
  console.log(
    table(
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'server µs/req', 'postgres µs/req', 'server cores', 'generator cores'],
      [row('floor (Express + helmet, captured bytes)', mix.floor), row('ours (real app, CACHE=on)', mix.ours)],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  console.log('');
  console.log(
    table(
      ['measure', 'value'],
      [
        ['ours / floor throughput', ratio(mix.ours.rps / mix.floor.rps)],
        ['floor / ours server CPU per request', ratio(mix.floor.cpu.server.usPerReq / mix.ours.cpu.server.usPerReq)],
        ["cache hit ratio (the server's own counters, measured runs)", `${(mix.hitRatio * 100).toFixed(1)}%`],
        ['cache bytes, largest seen / bound', `${(mix.maxBytes / 2 ** 20).toFixed(1)} / ${(mix.cacheBound / 2 ** 20).toFixed(1)} MB`],
        ['entries then', rate(mix.entries)],
        [`share of reads on the ${rate(mix.entries)} most popular keys`, pct(mix.headShare)],
        ['evictions during the measured runs', rate(mix.evictions)],
      ],
      ['l', 'r'],
    ),
  );

  const c = mix.cold;
  console.log(heading(`Cold cache: the same mix right after a restart (${opt.coldS} s, bookings at ${opt.mixRate}/s)`));
  console.log(
    `restart to ready (/readyz): ${(c.readyMs / 1000).toFixed(2)} s; then ${rate(c.load.rps)} req/s over the run, p99 ${ms(c.load.latency.p99)} ms, ` +
      `max ${ms(c.load.latency.max)} ms; hit ratio back ≥ 90% (for 1 s) after ${Number.isFinite(c.recoveredMs) ? `${(c.recoveredMs / 1000).toFixed(2)} s` : 'never within the run'}` +
      `${c.prefill ? `; prefill under the load: ${prefillLine(c.prefill)}, ended ${(c.prefill.seenAfterMs / 1000).toFixed(1)} s after the load began` : ''}.\n`,
  );
  const shown = c.windows.filter((_, i) => i < 8 || i % 4 === 3);
  console.log(
    table(
      ['since load start', 'hit ratio', 'lookups/s'],
      shown.map((x) => [`${(x.atMs / 1000).toFixed(2)} s`, pct(x.hitRatio), rate(x.rps)]),
    ),
  );

  return [
    verdict(
      'mix: ours / floor throughput',
      mix.ours.rps / mix.floor.rps,
      TARGET.mixOverFloor,
      true,
      (v) => v.toFixed(2),
      `from server CPU per request: ${(mix.floor.cpu.server.usPerReq / mix.ours.cpu.server.usPerReq).toFixed(2)}`,
    ),
    verdict('mix: cache hit ratio', mix.hitRatio * 100, TARGET.mixHits * 100, true, (v) => `${v.toFixed(1)}%`),
    verdict('mix: cache bytes within the bound', mix.maxBytes / 2 ** 20, mix.cacheBound / 2 ** 20, false, (v) => `${v.toFixed(1)} MB`),
  ];
}

async function main(): Promise<void> {
  install();
  const started = performance.now();
  const m0 = machine();
  console.log(`# slots benchmark\n\n${machineLine(m0)}`);
  console.log(
    `settings: ${opt.connections} connections, ${opt.durationS} s per run after ${opt.warmupS} s warm-up, ${opt.rounds} round(s) best-of; ` +
      `fixed rate ${opt.rate} req/s for ${opt.rateDurationS} s; ${opt.stylists} stylists in ${ZONES.join(', ')}; cold path ${opt.samples} samples`,
  );

  const load1 = Number(m0.loadavg.split(' ')[0]);
  if (load1 > m0.cpus * 0.75) {
    const busy =
      `the machine was busy when the run started (1-minute load average ${load1.toFixed(1)} on ${m0.cpus} CPUs): ` +
      'throughput and latency figures are depressed and noisy; the CPU-per-request figures much less so. Re-run on a quiet machine for the record.';
    console.log(`WARNING: ${busy}`);
    notes.push(busy);
  }

  const pg = await startBenchPostgres({ log: silent });
  const pool = pg.pool(4);
  const salon = await createBenchSalon(pool, { stylists: opt.stylists, customers: 1000, zones: ZONES });
  await pool.query('update stylists set horizon_days = $1', [HORIZON_DAYS]);
  // Day 0 is the day after tomorrow (UTC): in the future in every zone, inside the booking horizon.
  const grid: BookingGrid = { startDate: addDays(new Date().toISOString().slice(0, 10), 2), cells: CELLS, perDay: PER_DAY };
  const smallDays = gridDays(salon, grid, opt.small);
  const bigDays = gridDays(salon, grid, opt.big);

  const small = await bulkBookings(pool, salon, grid, 0, opt.small);
  await vacuumAnalyze(pool, ['bookings']);
  console.log(
    `\nloaded ${rate(opt.small)} bookings (${smallDays} days × ${opt.stylists} stylists × ${PER_DAY}) in ${(small.ms / 1000).toFixed(1)} s`,
  );

  if (args.mix === 'only') {
    const mix = await runMix(pg, pool, salon, grid, opt.small);
    const verdicts = printMix(mix);
    console.log(heading('Targets ("live at scale", part 4)'));
    console.log(verdictTable(verdicts));
    for (const n of notes) console.log(`note: ${n}`);
    for (const p of problems) console.log(`PROBLEM: ${p}`);
    console.log(
      `load average at start ${m0.loadavg}, at end ${machine().loadavg}; total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    if (args.json) writeFileSync(args.json, JSON.stringify({ machine: m0, options: opt, mix, verdicts, notes, problems }, null, 2));
    if (problems.length) process.exitCode = 1;
    return;
  }

  const coldSmall = await coldPath(pool, salon, grid, smallDays, 1);
  console.log(`cold path, ${rate(opt.small)} bookings: p50 ${ms(coldSmall.p50)} ms, p99 ${ms(coldSmall.p99)} ms`);

  // ─── the servers under test: the same data, the same hot key, the same concurrency ───
  await pool.query(`create table slot_cache (key text primary key, body text not null, expires_at timestamptz not null)`);
  const appEnv = (cache: 'on' | 'off') => appEnvFor(pg.url, cache);
  const servers = {} as Record<Variant, ServerProcess>;
  // /readyz: the database and the notification listener are up, so the cache is trusted.
  servers.cached = await startServer({
    name: 'cached',
    nodeArgs: oursArgs,
    entry: 'server/main.ts',
    env: appEnv('on'),
    readyPath: '/readyz',
  });
  const hotKey = { stylistId: salon.stylists[0].id, serviceId: salon.services[0].id, date: grid.startDate };
  const hotPath = slotsPath(hotKey);

  // Capture the real cached answer: a miss, then a hit whose exact bytes the floor will send.
  const miss = await fetch(servers.cached.baseUrl + hotPath);
  await miss.arrayBuffer();
  const hit = await fetch(servers.cached.baseUrl + hotPath);
  const body = Buffer.from(await hit.arrayBuffer());
  if (hit.status !== 200) throw new Error(`cached server answered ${hit.status}: ${body.toString()}`);
  if (miss.headers.get('x-cache-hit') !== 'false' || hit.headers.get('x-cache-hit') !== 'true') {
    problems.push(
      `cached server did not answer miss-then-hit (X-Cache-Hit ${miss.headers.get('x-cache-hit')}, ${hit.headers.get('x-cache-hit')})`,
    );
  }
  const slotCount = (JSON.parse(body.toString()) as unknown[]).length;
  const captured: Record<string, string> = {};
  for (const h of ['x-cache-hit', 'x-computed-at', 'x-availability-version', 'etag', 'cache-control', 'content-type']) {
    const v = hit.headers.get(h);
    if (v !== null) captured[h] = v;
  }
  const bodyFile = path.join(pg.root, 'floor-body.json');
  writeFileSync(bodyFile, body);
  const floorEnv = { BODY_FILE: bodyFile, HEADERS_JSON: JSON.stringify(captured) };
  servers.floor = await startServer({
    name: 'floor',
    nodeArgs,
    entry: 'test/bench/slots.server.ts',
    env: { ...floorEnv, MODE: 'floor', NODE_ENV: 'production' },
  });
  servers['floor-bare'] = await startServer({
    name: 'floor-bare',
    nodeArgs,
    entry: 'test/bench/slots.server.ts',
    env: { ...floorEnv, MODE: 'floor-bare', NODE_ENV: 'production' },
  });
  servers['floor-stack'] = await startServer({
    name: 'floor-stack',
    nodeArgs,
    entry: 'test/bench/slots.server.ts',
    env: { ...appEnv('on'), ...floorEnv, MODE: 'floor-stack' },
  });
  servers.uncached = await startServer({
    name: 'uncached',
    nodeArgs: oursArgs,
    entry: 'server/main.ts',
    env: appEnv('off'),
    readyPath: '/readyz',
  });
  servers.v2 = await startServer({
    name: 'v2',
    nodeArgs,
    entry: 'test/bench/slots.server.ts',
    env: { MODE: 'v2', DATABASE_URL: pg.url, NODE_ENV: 'production' },
  });

  for (let i = 0; i < 100 && servers['floor-stack'].messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const hot = (servers['floor-stack'].messages[0] as { trail?: string[] } | undefined)?.trail ?? [];
  console.log(`real app, GET ${SLOTS_PATH} runs through: ${hot.join(' → ')}`);
  const extra = hot.filter((n) => n !== 'helmetMiddleware' && !n.startsWith('router') && !n.startsWith('GET '));
  if (extra.length) notes.push(`middleware on the slots path besides helmet: ${extra.join('; ')} — its cost is floor-stack vs floor`);
  if (hot.some((n) => /session/i.test(n))) problems.push('a session middleware runs on the slots path');

  for (const v of ['floor', 'floor-bare', 'floor-stack', 'uncached', 'v2'] as const) {
    const res = await fetch(servers[v].baseUrl + hotPath);
    const b = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) problems.push(`${v} answered ${res.status} on the hot key`);
    else if (!b.equals(body)) {
      // floor must match byte for byte; the others render "now" themselves, so a slot may have just passed.
      (v.startsWith('floor') ? problems : notes).push(`${v}'s body differs from the cached answer (${b.length} vs ${body.length} bytes)`);
    }
  }
  console.log(
    `hot key: ${slotCount} slots, ${body.length} body bytes; servers: ${Object.values(servers)
      .map((s) => `${s.name} pid ${s.pid}`)
      .join(', ')}`,
  );

  const order: Variant[] = ['floor', 'floor-bare', 'floor-stack', 'cached', 'uncached', 'v2'];
  const runs = Object.fromEntries(order.map((v) => [v, [] as LoadResult[]])) as Record<Variant, LoadResult[]>;
  for (let round = 1; round <= opt.rounds; round++) {
    for (const v of order) {
      const s = servers[v];
      const r = await runLoad({
        url: s.baseUrl + hotPath,
        connections: opt.connections,
        durationS: opt.durationS,
        warmupS: opt.warmupS,
        cpu: { server: () => s.cpuMs(), postgres: () => treeCpuMs(pg.pid) },
      });
      checkRun(`${v} round ${round}`, r);
      runs[v].push(r);
      console.log(
        `round ${round} ${v.padEnd(10)} ${rate(r.rps).padStart(7)} req/s  p50 ${ms(r.latency.p50)} ms  p99 ${ms(r.latency.p99)} ms  ` +
          `server ${r.cpu.server.cores.toFixed(2)} cores, postgres ${r.cpu.postgres.cores.toFixed(2)}, generator ${r.generatorCores.toFixed(2)}`,
      );
    }
  }
  const best = Object.fromEntries(order.map((v) => [v, runs[v].reduce((a, b) => (b.rps > a.rps ? b : a))])) as Record<Variant, LoadResult>;

  // Still a hit after all that load (nothing invalidated the entry, the cache is trusted).
  const after = await fetch(servers.cached.baseUrl + hotPath);
  await after.arrayBuffer();
  if (after.headers.get('x-cache-hit') !== 'true')
    problems.push('the cached server answered a miss after the load: the throughput runs may not have hit the cache');

  const fixed = await runLoad({
    url: servers.cached.baseUrl + hotPath,
    connections: opt.connections,
    durationS: opt.rateDurationS,
    warmupS: opt.warmupS,
    overallRate: opt.rate,
    cpu: { server: () => servers.cached.cpuMs() },
  });
  checkRun('cached at fixed rate (autocannon)', fixed);
  console.log(
    `cached at ${opt.rate} req/s, autocannon overallRate: ${rate(fixed.rps)} req/s achieved, p50 ${ms(fixed.latency.p50)} ms, p99 ${ms(fixed.latency.p99)} ms`,
  );
  const paced = await runPaced({
    url: servers.cached.baseUrl + hotPath,
    rate: opt.rate,
    connections: opt.connections,
    durationS: opt.rateDurationS,
    warmupS: opt.warmupS,
    cpu: { server: () => servers.cached.cpuMs() },
  });
  if (paced.errors) problems.push(`cached at fixed rate (paced): ${paced.errors} failed requests`);
  if (paced.maxSendLagMs > 5) {
    notes.push(
      `the paced load generator itself ran up to ${ms(paced.maxSendLagMs)} ms late (it was not scheduled on a CPU in time): ` +
        'the fixed-rate latencies include that delay, so they say more about the machine than about the server',
    );
  }
  console.log(
    `cached at ${opt.rate} req/s, paced open loop: ${rate(paced.achievedRate)} req/s achieved, p50 ${ms(paced.latency.p50)} ms, p99 ${ms(paced.latency.p99)} ms`,
  );

  const coldSmallHttp = await coldHttp(servers.uncached, salon, grid, smallDays, 2);
  for (const s of Object.values(servers)) await s.stop();

  // ─── the cold path again with the big table ───
  const big = await bulkBookings(pool, salon, grid, opt.small, opt.big, {
    parallel: 2,
    onProgress: (n) => process.stdout.isTTY && process.stdout.write(`\rloading bookings: ${rate(opt.small + n)} / ${rate(opt.big)}`),
  });
  const vacuumMs = await vacuumAnalyze(pool, ['bookings']);
  const {
    rows: [sizes],
  } = await pool.query<{ n: number; size: string }>(
    `select count(*)::int as n, pg_size_pretty(pg_total_relation_size('bookings')) as size from bookings`,
  );
  console.log(
    `${process.stdout.isTTY ? '\r' : ''}loaded ${rate(big.rows)} more bookings in ${(big.ms / 1000).toFixed(1)} s (2 sessions) + vacuum analyze ${(vacuumMs / 1000).toFixed(1)} s: ` +
      `${rate(sizes.n)} bookings, ${sizes.size} with indexes`,
  );
  if (sizes.n !== opt.big) problems.push(`expected ${opt.big} bookings, found ${sizes.n}`);
  const coldBig = await coldPath(pool, salon, grid, bigDays, 3);
  console.log(`cold path, ${rate(opt.big)} bookings: p50 ${ms(coldBig.p50)} ms, p99 ${ms(coldBig.p99)} ms`);
  const uncachedBig = await startServer({
    name: 'uncached',
    nodeArgs: oursArgs,
    entry: 'server/main.ts',
    env: appEnv('off'),
    readyPath: '/readyz',
  });
  const coldBigHttp = await coldHttp(uncachedBig, salon, grid, bigDays, 4);
  await uncachedBig.stop();
  const mix = args.mix === 'on' ? await runMix(pg, pool, salon, grid, opt.big) : null;

  // ─── report ───
  const m1 = machine();
  console.log(
    heading(
      `Throughput: one hot key, ${opt.connections} connections, ${opt.durationS} s per run, best of ${opt.rounds} (${rate(opt.small)} bookings)`,
    ),
  );
  console.log(
    table(
      [
        'variant',
        'stack',
        'req/s',
        'p50 ms',
        'p99 ms',
        'server µs/req',
        'postgres µs/req',
        'server cores',
        'postgres cores',
        'generator cores',
        'bytes/resp',
      ],
      order.map((v) => {
        const r = best[v];
        return [
          v,
          STACK[v],
          rate(r.rps),
          ms(r.latency.p50),
          ms(r.latency.p99),
          r.cpu.server.usPerReq.toFixed(1),
          r.cpu.postgres.usPerReq.toFixed(0),
          r.cpu.server.cores.toFixed(2),
          r.cpu.postgres.cores.toFixed(2),
          r.generatorCores.toFixed(2),
          r.bytesPerResponse.toFixed(0),
        ];
      }),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  if (opt.rounds > 1) {
    console.log(`\nall rounds (req/s): ${order.map((v) => `${v} ${runs[v].map((r) => rate(r.rps)).join(' / ')}`).join('; ')}`);
  }

  const cachedOverFloor = best.cached.rps / best.floor.rps;
  const cpuOverFloor = best.floor.cpu.server.usPerReq / best.cached.cpu.server.usPerReq;
  const costPerReq = (r: LoadResult) => r.cpu.server.usPerReq + r.cpu.postgres.usPerReq;
  const cpuOverUncached = costPerReq(best.uncached) / costPerReq(best.cached);
  const passFail = (v: number, t: number) => (v >= t ? 'would pass' : 'would miss');
  const cachedOverUncached = best.cached.rps / best.uncached.rps;
  const v2OverCached = best.v2.rps / best.cached.rps;
  console.log(heading('Ratios'));
  console.log(
    table(
      ['ratio', 'value', 'note'],
      [
        ['cached / floor (throughput)', ratio(cachedOverFloor), `target ≥ ${TARGET.cachedOverFloor}`],
        [
          'floor / cached (server CPU per request)',
          ratio(cpuOverFloor),
          `cross-check from CPU time, steadier on a busy machine: ${passFail(cpuOverFloor, TARGET.cachedOverFloor)}`,
        ],
        ['floor-bare / floor (throughput)', ratio(best['floor-bare'].rps / best.floor.rps), 'what helmet costs'],
        [
          'floor-stack / floor (throughput)',
          ratio(best['floor-stack'].rps / best.floor.rps),
          'what the real app runs before the slots route, beyond helmet',
        ],
        ['cached / floor-stack (throughput)', ratio(best.cached.rps / best['floor-stack'].rps), 'what the slots handler costs on a hit'],
        ['cached / uncached (throughput)', ratio(cachedOverUncached, 1), `target ≥ ${TARGET.cachedOverUncached}×`],
        [
          'uncached / cached (server + Postgres CPU per request)',
          ratio(cpuOverUncached, 1),
          `cross-check from CPU time: ${passFail(cpuOverUncached, TARGET.cachedOverUncached)}`,
        ],
        ['v2 / cached (throughput)', ratio(v2OverCached), `cached serves ${ratio(1 / v2OverCached, 1)} the old design`],
        ['uncached / v2 (throughput)', ratio(best.uncached.rps / best.v2.rps), 'computing every time vs the v2 table hit'],
      ],
      ['l', 'r', 'l'],
    ),
  );

  console.log(heading(`Cached endpoint at a fixed ${rate(opt.rate)} req/s (${opt.connections} connections, ${opt.rateDurationS} s)`));
  console.log(
    table(
      ['load', 'achieved req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'server cores'],
      [
        [
          'paced: even arrivals, latency from the scheduled send',
          rate(paced.achievedRate),
          ms(paced.latency.p50),
          ms(paced.latency.p90),
          ms(paced.latency.p99),
          ms(paced.latency.p999),
          ms(paced.latency.max),
          paced.cpu.server.cores.toFixed(2),
        ],
        [
          'autocannon overallRate: per-second bursts',
          rate(fixed.rps),
          ms(fixed.latency.p50),
          ms(fixed.latency.p90),
          ms(fixed.latency.p99),
          ms(fixed.latency.p999),
          ms(fixed.latency.max),
          fixed.cpu.server.cores.toFixed(2),
        ],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  console.log(
    `autocannon sends each connection's per-second quota back to back at the top of every second, so its figures are those of a ` +
      `${opt.connections}-connection burst; its own coordinated-omission-corrected p99 (whole ms, assuming a 1 ms send interval) was ${ms(fixed.autocannonP99)} ms. ` +
      `paced: generator lateness at most ${ms(paced.maxSendLagMs)} ms; p99 from the actual send ${ms(paced.service.p99)} ms.`,
  );

  console.log(
    heading(
      `Cold (miss) path: random keys over ${opt.stylists} stylists × ${salon.services.length} services × the populated days, ${opt.samples} samples`,
    ),
  );
  console.log(
    table(
      ['bookings in table', 'days', 'compute p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'HTTP miss p50 ms', 'HTTP p99 ms'],
      [
        [
          rate(opt.small),
          smallDays,
          ms(coldSmall.p50),
          ms(coldSmall.p90),
          ms(coldSmall.p99),
          ms(coldSmall.max),
          ms(coldSmallHttp.latency.p50),
          ms(coldSmallHttp.latency.p99),
        ],
        [
          rate(opt.big),
          bigDays,
          ms(coldBig.p50),
          ms(coldBig.p90),
          ms(coldBig.p99),
          ms(coldBig.max),
          ms(coldBigHttp.latency.p50),
          ms(coldBigHttp.latency.p99),
        ],
      ],
    ),
  );
  console.log(
    `compute = SlotService.answer with the cache off in the benchmark process (one query, engine, render), one at a time;` +
      ` HTTP miss = the CACHE=off server, 1 connection.`,
  );

  const verdicts: Verdict[] = [
    verdict(
      'cached / floor throughput',
      cachedOverFloor,
      TARGET.cachedOverFloor,
      true,
      (v) => v.toFixed(2),
      `from server CPU per request: ${cpuOverFloor.toFixed(2)} (${passFail(cpuOverFloor, TARGET.cachedOverFloor)})`,
    ),
    verdict(
      'cached / uncached throughput',
      cachedOverUncached,
      TARGET.cachedOverUncached,
      true,
      (v) => `${v.toFixed(1)}×`,
      `from server + Postgres CPU per request: ${cpuOverUncached.toFixed(1)}× (${passFail(cpuOverUncached, TARGET.cachedOverUncached)})`,
    ),
    verdict(`cached p99 at ${rate(opt.rate)} req/s, paced`, paced.latency.p99, TARGET.fixedRateP99Ms, false, (v) => `${ms(v)} ms`),
    verdict(
      `cached p99 at ${rate(opt.rate)} req/s, autocannon overallRate`,
      fixed.latency.p99,
      TARGET.fixedRateP99Ms,
      false,
      (v) => `${ms(v)} ms`,
    ),
    verdict(`cold p50 at ${rate(opt.big)} bookings`, coldBig.p50, TARGET.coldBigP50Ms, false, (v) => `${ms(v)} ms`),
    verdict(
      `cold p50 ${rate(opt.big)} / ${rate(opt.small)}`,
      coldBig.p50 / coldSmall.p50,
      TARGET.coldGrowth,
      false,
      (v) => `${v.toFixed(2)}×`,
    ),
  ];
  console.log(heading('Targets (issue 2, item 7)'));
  console.log(verdictTable(verdicts));
  const mixVerdicts = mix ? printMix(mix) : [];
  if (mix) {
    console.log(heading('Targets ("live at scale", part 4)'));
    console.log(verdictTable(mixVerdicts));
  }

  if (best.floor.generatorCores > 0.9) {
    notes.push(
      `the load generator used ${best.floor.generatorCores.toFixed(2)} of a core during the floor run: the floor may be limited by the generator, which flatters cached / floor`,
    );
  }
  const totalS = (performance.now() - started) / 1000;
  console.log(
    `\nbulk load: ${rate(big.rows)} bookings in ${(big.ms / 1000).toFixed(1)} s with generate_series over 2 sessions, each with ` +
      `session_replication_role = replica (outbox triggers and FK checks off for those sessions only; the exclusion constraint on).`,
  );
  console.log(`load average at start ${m0.loadavg}, at end ${m1.loadavg}; total time ${totalS.toFixed(0)} s`);
  for (const n of notes) console.log(`note: ${n}`);
  for (const p of problems) console.log(`PROBLEM: ${p}`);

  if (args.json) {
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          machine: { start: m0, end: m1 },
          options: opt,
          hotKey: { slots: slotCount, bytes: body.length },
          middleware: hot,
          runs,
          best,
          fixed,
          paced,
          cold: { small: { compute: coldSmall, http: coldSmallHttp }, big: { compute: coldBig, http: coldBigHttp } },
          load: { bigMs: big.ms, vacuumMs },
          verdicts,
          mix,
          mixVerdicts,
          notes,
          problems,
          totalS,
        },
        null,
        2,
      ),
    );
  }
  if (problems.length) process.exitCode = 1;
}

try {
  await main();
} finally {
  await cleanup();
}
