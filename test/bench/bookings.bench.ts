// `npm run bench:bookings` — the bookings benchmark of issue 3, item 7. One run on one machine:
// an embedded Postgres in a temp folder, the real server (server/main.ts: createApp, sessions in
// Postgres, CACHE=on) in its own process, and closed-loop writers in this one.
//
// For 1, 4 and 16 concurrent writers, each on a stylist of its own ("spread") and all on one
// stylist ("same"), on fresh stylists per cell, every attempt aimed at a distinct free start so all
// of them can succeed:
//   api      POST /api/bookings over HTTP, one logged-in customer and one keep-alive connection per writer
//   insert   the baseline: a bare INSERT of the same row into the same table over pg, one connection
//            per writer (the table's outbox trigger and exclusion constraint fire as for any writer)
// and, to show where the time goes:
//   txn      BookingService.createBooking in this process: the API's transaction without HTTP and sessions
//   raw      the INSERT with the outbox trigger off (session_replication_role = replica; FK checks off too)
//   nosync   the INSERT with the outbox trigger, synchronous_commit = off (no wait for the WAL fsync)
// plus single-writer commit floors (round trip, INSERT without fsync). Options: --help.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Actor } from '../../server/actor.ts';
import { BookingService } from '../../server/bookings/service.ts';
import { createPool, type Pool } from '../../server/db/pool.ts';
import { AppError } from '../../server/errors.ts';
import { SlotService } from '../../server/slots/service.ts';
import { bulkBookings, createBenchSalon, vacuumAnalyze, type BenchSalon } from './lib/bulk.ts';
import { BenchCustomer, errorCode } from './lib/bookings-http.ts';
import { freeStarts, type FreeStarts } from './lib/bookings-plan.ts';
import { runWriters, selfCpuMs, type Outcome, type RunResult } from './lib/bookings-run.ts';
import { cleanup, install, onCleanup } from './lib/lifecycle.ts';
import { startBenchPostgres } from './lib/pg.ts';
import { startServer, treeCpuMs, type ServerProcess } from './lib/proc.ts';
import { heading, machine, machineLine, ms, rate, ratio, table } from './lib/report.ts';

const HELP = `npm run bench:bookings [-- options]
  --bookings <n>      booking attempts per cell, over all writers (default 600)
  --max-seconds <s>   stop a cell after this long even if short of --bookings (default 4; bounds the run)
  --writers <list>    concurrent writers, comma-separated (default 1,4,16)
  --background <n>    bookings of other stylists already in the table (default 10000)
  --floor <n>         attempts of each single-writer commit floor (default 200)
  --rounds <n>        rounds of every cell, interleaved; each cell's best round counts (default 1).
                      A run takes at most about rounds × 30 cells × --max-seconds, plus ~10 s of set-up
  --no-diagnostics    only the api and insert variants (skip txn, nosync, raw and the floors)
  --quick             a smoke run: 60 per cell, 2000 background, 50 per floor
  --json <file>       also write every figure as JSON`;

const { values: args } = parseArgs({
  options: {
    bookings: { type: 'string', default: '600' },
    'max-seconds': { type: 'string', default: '4' },
    writers: { type: 'string', default: '1,4,16' },
    background: { type: 'string', default: '10000' },
    floor: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '1' },
    'no-diagnostics': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const quick = args.quick;
const opt = {
  bookings: quick ? 60 : Number(args.bookings),
  maxMs: Number(args['max-seconds']) * 1000,
  writers: args.writers.split(',').map((s) => Number(s.trim())),
  background: quick ? 2000 : Number(args.background),
  floor: quick ? 50 : Number(args.floor),
  rounds: quick ? 1 : Number(args.rounds),
  diagnostics: !args['no-diagnostics'],
};
for (const [k, v] of Object.entries({ bookings: opt.bookings, maxMs: opt.maxMs, floor: opt.floor, rounds: opt.rounds })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} must be a positive integer`);
}
if (!Number.isInteger(opt.background) || opt.background < 0) throw new Error('--background must be a non-negative integer');
if (opt.writers.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) throw new Error('--writers must be integers between 1 and 64');

const ZONE = 'Asia/Kathmandu';
const PASSWORD = 'kbstylish-bench';
const SERVICE = { name: 'Bench Cut', durationMinutes: 45, priceCents: 150_000 };
const MAX_WRITERS = Math.max(...opt.writers);
const PATTERNS = ['spread', 'same'] as const;
type Pattern = (typeof PATTERNS)[number];
const VARIANTS = opt.diagnostics ? (['insert', 'api', 'txn', 'raw', 'nosync'] as const) : (['insert', 'api'] as const);
type Variant = 'insert' | 'api' | 'txn' | 'raw' | 'nosync';
const WHAT: Record<Variant, string> = {
  api: 'POST /api/bookings over HTTP (session, rate limiter, zod, transaction: advisory lock, engine re-check, INSERT)',
  insert: 'bare INSERT over pg, autocommit (outbox trigger + exclusion constraint fire)',
  txn: 'BookingService.createBooking in the bench process (the API transaction, no HTTP, no session)',
  raw: 'bare INSERT with session_replication_role = replica (no outbox trigger, no FK checks)',
  nosync: 'bare INSERT with the outbox trigger, synchronous_commit = off (the commit does not wait for the WAL fsync)',
};

const INSERT_SQL = `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents, notes)
  values ($1, $2, $3, $4, $5, $6, 'confirmed', $7, '')`;

const problems: string[] = [];
const notes: string[] = [];
const silent = pino({ level: 'silent' });

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

interface Cell {
  round: number;
  pattern: Pattern;
  writers: number;
  variant: Variant;
  stylists: string[];
  result: RunResult;
}

async function main(): Promise<void> {
  install();
  const started = performance.now();
  const m0 = machine();
  console.log(`# bookings benchmark\n\n${machineLine(m0)}`);
  console.log(
    `settings: ${opt.bookings} attempts per cell (cap ${opt.maxMs / 1000} s), writers ${opt.writers.join(', ')}, ` +
      `${opt.background.toLocaleString('en-US')} background bookings, variants ${VARIANTS.join(', ')}, ${opt.rounds} round(s)`,
  );

  const pg = await startBenchPostgres({ log: silent });
  const admin = pg.pool(4);

  // ─── data: bench stylists (fresh ones for every cell), customers (one per writer), background ───
  const perVariant = opt.writers.reduce((n, w) => n + w + 1, 0); // spread: w stylists, same: 1
  const warmups = 4 * VARIANTS.length + 1; // + the commit floor's
  const salon = await createBenchSalon(admin, {
    prefix: 'bk',
    stylists: opt.rounds * VARIANTS.length * perVariant + warmups,
    customers: MAX_WRITERS,
    zones: [ZONE],
    services: [SERVICE],
    password: PASSWORD,
  });
  const serviceId = salon.services[0].id;
  // Long enough a horizon for any --bookings on one stylist.
  await admin.query('update stylists set horizon_days = 730 where id = any($1)', [salon.stylists.map((s) => s.id)]);
  let nextStylist = 0;
  const takeStylists = (n: number) => {
    const out = salon.stylists.slice(nextStylist, nextStylist + n).map((s) => s.id);
    nextStylist += n;
    if (out.length !== n) throw new Error('ran out of bench stylists');
    return out;
  };
  // Day 0 is the day after tomorrow (UTC): in the future in Kathmandu, past any minimum notice.
  const firstDate = addDays(new Date().toISOString().slice(0, 10), 2);
  if (opt.background > 0) await background(admin, firstDate);

  const plan = await freeStarts(admin, {
    stylistId: salon.stylists[0].id,
    serviceId,
    firstDate,
    count: Math.max(opt.bookings, opt.floor, 200),
    nowMs: Date.now(),
    marginMs: 3_600_000,
  });
  console.log(
    `plan: ${plan.starts.length} free starts per stylist (${plan.perDay} a day, ${plan.firstDate} … ${plan.lastDate}), ` +
      `${plan.durationMinutes} min + ${plan.bufferMinutes} min buffer, ${salon.stylists.length} bench stylists in ${ZONE}`,
  );

  // ─── the server under test ───
  const server = await startServer({
    name: 'api',
    entry: 'server/main.ts',
    readyPath: '/readyz',
    env: {
      DATABASE_URL: pg.url,
      CACHE: 'on',
      SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      WORKERS: '1',
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-secret-bench-secret',
      // Out of the way: this measures the booking path, not the limiter's refusals.
      RATE_LIMIT_BOOKING: '1000000000',
      RATE_LIMIT_LOGIN: '1000000000',
      RATE_LIMIT_REGISTER: '1000000000',
    },
  });
  const customers = salon.customers.map((_, i) => new BenchCustomer(server.baseUrl, salon.customerEmail(i)));
  for (let i = 0; i < customers.length; i += 4) await Promise.all(customers.slice(i, i + 4).map((c) => c.login(PASSWORD)));
  console.log(`server pid ${server.pid} on ${server.baseUrl}; ${customers.length} customers logged in`);

  // Connections for the other variants, opened before any timing.
  const insertPool = pg.pool(MAX_WRITERS);
  const rawPool = sessionPool(pg.url, MAX_WRITERS, { session_replication_role: 'replica' });
  const nosyncPool = sessionPool(pg.url, MAX_WRITERS, { synchronous_commit: 'off' });
  const txnPool = pg.pool(10); // PG_POOL_SIZE's default, as the server has
  await Promise.all([insertPool, rawPool, nosyncPool].flatMap((p) => Array.from({ length: MAX_WRITERS }, () => p.query('select 1'))));
  const setting = async (p: Pool, name: string) => (await p.query<{ v: string }>('select current_setting($1) as v', [name])).rows[0].v;
  if ((await setting(rawPool, 'session_replication_role')) !== 'replica' || (await setting(nosyncPool, 'synchronous_commit')) !== 'off') {
    throw new Error('the session settings of the raw and nosync pools were not applied');
  }
  const bookingService = new BookingService({
    pool: txnPool,
    now: Date.now,
    holdMinutes: 10,
    holdRenewalWindowMinutes: 60,
    slots: new SlotService({ pool: txnPool, cacheEnabled: true, cacheMaxBytes: 50 * 1024 * 1024, cacheTtlMs: 300_000 }),
  });
  const users: Actor[] = salon.customers.map((id, i) => ({
    id,
    email: salon.customerEmail(i),
    displayName: `Bench Customer ${i}`,
    role: 'customer',
  }));

  const meters = { server: () => server.cpuMs(), postgres: () => treeCpuMs(pg.pid), generator: selfCpuMs };

  const attemptFor = (variant: Variant, stylistOf: (w: number) => string, startOf: (nth: number, seq: number) => number) => {
    const endOf = (start: number) => start + plan.durationMinutes * 60_000;
    const occupiedOf = (start: number) => endOf(start) + plan.bufferMinutes * 60_000;
    switch (variant) {
      case 'api':
        return async (w: number, nth: number, seq: number): Promise<Outcome> => {
          const r = await customers[w].post('/api/bookings', {
            stylistId: stylistOf(w),
            serviceId,
            startUtc: new Date(startOf(nth, seq)).toISOString(),
          });
          if (r.status === 201) return 'ok';
          return r.status === 409 ? 'conflict' : errorCode(r);
        };
      case 'txn':
        return async (w: number, nth: number, seq: number): Promise<Outcome> => {
          try {
            await bookingService.createBooking(
              users[w],
              { stylistId: stylistOf(w), serviceId, startUtc: new Date(startOf(nth, seq)).toISOString() },
              undefined,
            );
            return 'ok';
          } catch (err) {
            if (err instanceof AppError) return err.status === 409 ? 'conflict' : `${err.status} ${err.code}`;
            throw err;
          }
        };
      case 'insert':
      case 'raw':
      case 'nosync': {
        const pool = { insert: insertPool, raw: rawPool, nosync: nosyncPool }[variant];
        return async (w: number, nth: number, seq: number): Promise<Outcome> => {
          const start = startOf(nth, seq);
          try {
            await pool.query(INSERT_SQL, [
              salon.customers[w],
              stylistOf(w),
              serviceId,
              new Date(start),
              new Date(endOf(start)),
              new Date(occupiedOf(start)),
              plan.priceCents,
            ]);
            return 'ok';
          } catch (err) {
            const code = (err as { code?: string }).code;
            if (code === '23P01') return 'conflict';
            return `pg ${code ?? (err as Error).message.slice(0, 80)}`;
          }
        };
      }
    }
  };

  /**
   * After a cell, outside the timing: the writers are the same customers in every cell and the
   * plan's starts repeat, so the cell's bookings are cancelled, or the one-chair rule (a customer in
   * one chair at a time) would refuse the next cell. Triggers are off for it (no outbox events for
   * the server to relay during the next cell); these stylists are never used again.
   */
  const retire = async (stylists: string[]) => {
    const c = await admin.connect();
    try {
      await c.query('begin');
      await c.query('set local session_replication_role = replica');
      await c.query(`update bookings set status = 'cancelled' where stylist_id = any($1) and status <> 'cancelled'`, [stylists]);
      await c.query('commit');
    } finally {
      c.release();
    }
  };

  /** One cell on fresh stylists: spread = a stylist per writer, each walking the plan; same = one stylist, the plan shared. */
  const runCell = async (round: number, pattern: Pattern, writers: number, variant: Variant, total = opt.bookings): Promise<Cell> => {
    const stylists = takeStylists(pattern === 'spread' ? writers : 1);
    const attempt = attemptFor(
      variant,
      pattern === 'spread' ? (w) => stylists[w] : () => stylists[0],
      pattern === 'spread' ? (nth) => plan.starts[nth] : (_nth, seq) => plan.starts[seq],
    );
    const result = await runWriters({ writers, total, maxMs: opt.maxMs, attempt, cpu: meters });
    const name = `${variant} ${pattern} ×${writers}${opt.rounds > 1 ? ` round ${round}` : ''}`;
    const {
      rows: [db],
    } = await admin.query<{ n: number }>(`select count(*)::int as n from bookings where stylist_id = any($1)`, [stylists]);
    if (db.n !== result.ok) problems.push(`${name}: ${result.ok} successes answered but ${db.n} rows in the table`);
    const errs = Object.entries(result.errors);
    if (errs.length) problems.push(`${name}: unexpected answers ${errs.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    if (result.conflicts)
      notes.push(`${name}: ${result.conflicts} × 409 (every attempt targets a distinct free start, so each is a real conflict)`);
    if (result.capped) notes.push(`${name}: stopped at the ${opt.maxMs / 1000} s cap after ${result.attempted} of ${total} attempts`);
    await retire(stylists);
    return { round, pattern, writers, variant, stylists, result };
  };

  // ─── warm-up (JIT, connections, plans), not reported ───
  for (const v of VARIANTS) await runCell(0, 'spread', 4, v, Math.min(200, opt.bookings));

  // ─── measured cells: variants interleaved per (pattern, writers), so a drift in load hits all alike ───
  const cells: Cell[] = [];
  for (let round = 1; round <= opt.rounds; round++) {
    for (const pattern of PATTERNS) {
      for (const writers of opt.writers) {
        for (const v of VARIANTS) {
          const c = await runCell(round, pattern, writers, v);
          cells.push(c);
          const r = c.result;
          console.log(
            `${opt.rounds > 1 ? `round ${round} ` : ''}${pattern.padEnd(6)} ×${String(writers).padEnd(2)} ${v.padEnd(6)} ${rate(r.rate).padStart(6)} bookings/s  p50 ${ms(r.latency.p50).padStart(5)} ms  ` +
              `p99 ${ms(r.latency.p99).padStart(5)} ms  409 ${r.conflicts}  server ${r.cpu.server.cores.toFixed(2)} cores, postgres ${r.cpu.postgres.cores.toFixed(2)}, ` +
              `generator ${r.cpu.generator.cores.toFixed(2)}`,
          );
        }
      }
    }
  }

  // ─── single-writer commit floors: what one round trip and one commit cost here ───
  let floors: { name: string; r: RunResult }[] = [];
  if (opt.diagnostics) {
    const noSync = sessionPool(pg.url, 1, { session_replication_role: 'replica', synchronous_commit: 'off' });
    const [floorStylist] = takeStylists(1);
    const selectOne = await runWriters({
      writers: 1,
      total: opt.floor,
      maxMs: opt.maxMs,
      attempt: async () => (await insertPool.query('select 1'), 'ok'),
    });
    const insertNoSync = await runWriters({
      writers: 1,
      total: opt.floor,
      maxMs: opt.maxMs,
      attempt: async (_w, nth) => {
        const start = plan.starts[nth];
        const end = start + plan.durationMinutes * 60_000;
        await noSync.query(INSERT_SQL, [
          salon.customers[0],
          floorStylist,
          serviceId,
          new Date(start),
          new Date(end),
          new Date(end + plan.bufferMinutes * 60_000),
          plan.priceCents,
        ]);
        return 'ok';
      },
    });
    floors = [
      { name: 'round trip (select 1)', r: selectOne },
      { name: 'INSERT, no outbox, synchronous_commit = off (no fsync wait)', r: insertNoSync },
    ];
  }

  // ─── checks ───
  const {
    rows: [{ overlaps }],
  } = await admin.query<{ overlaps: number }>(
    `select count(*)::int as overlaps from bookings a join bookings b on a.stylist_id = b.stylist_id and a.id < b.id
       and tstzrange(a.start_at, a.occupied_until) && tstzrange(b.start_at, b.occupied_until)
     where a.status in ('pending', 'confirmed', 'in_progress') and b.status in ('pending', 'confirmed', 'in_progress')`,
  );
  if (overlaps !== 0) problems.push(`${overlaps} overlapping pairs of active bookings in the table`);
  const serverAlive = await fetch(`${server.baseUrl}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!serverAlive) problems.push('the server stopped answering during the run');
  for (const c of customers) c.close();
  await server.stop();

  report(cells, floors, plan, server, m0, started);
}

/** A pool whose sessions start with `settings` (sent in the startup packet: set before any query). Ended on cleanup. */
function sessionPool(url: string, max: number, settings: Record<string, string>): Pool {
  const u = new URL(url);
  u.searchParams.set(
    'options',
    Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' '),
  );
  const pool = createPool(u.toString(), max, silent);
  onCleanup(() => pool.end());
  return pool;
}

/** Bookings of other stylists, so the indexes the API and the constraint use are not trivially small. */
async function background(pool: Pool, firstDate: string): Promise<void> {
  const bg: BenchSalon = await createBenchSalon(pool, {
    prefix: 'bg',
    stylists: 100,
    customers: 200,
    zones: [ZONE],
    services: [SERVICE],
    password: PASSWORD,
  });
  const t = performance.now();
  await bulkBookings(
    pool,
    bg,
    { startDate: firstDate, cells: ['09:00', '10:00', '11:00', '12:00', '14:00', '15:00', '16:00', '17:00'], perDay: 5 },
    0,
    opt.background,
  );
  await vacuumAnalyze(pool, ['bookings', 'events']);
  console.log(
    `background: ${opt.background.toLocaleString('en-US')} bookings of 100 other stylists in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}

function report(
  cells: Cell[],
  floors: { name: string; r: RunResult }[],
  plan: FreeStarts,
  server: ServerProcess,
  m0: ReturnType<typeof machine>,
  started: number,
): void {
  // The best round of each cell (by throughput); with one round, the only one.
  const get = (p: Pattern, w: number, v: Variant) =>
    cells
      .filter((c) => c.pattern === p && c.writers === w && c.variant === v)
      .reduce<RunResult | undefined>((best, c) => (!best || c.result.rate > best.rate ? c.result : best), undefined);
  const label = (p: Pattern) => (p === 'spread' ? 'one each' : 'all on one');

  console.log(heading(`POST /api/bookings vs bare INSERT (${opt.bookings} attempts per cell, closed loop, fresh stylists per cell)`));
  const rows: (string | number)[][] = [];
  for (const p of PATTERNS) {
    for (const w of opt.writers) {
      const a = get(p, w, 'api')!;
      const b = get(p, w, 'insert')!;
      rows.push([
        label(p),
        w,
        rate(a.rate),
        ms(a.latency.p50),
        ms(a.latency.p99),
        rate(b.rate),
        ms(b.latency.p50),
        ms(b.latency.p99),
        ratio(a.rate / b.rate),
        ratio(a.latency.p50 / b.latency.p50, 1),
        ratio(a.latency.p99 / b.latency.p99, 1),
        `${a.conflicts} / ${b.conflicts}`,
      ]);
    }
  }
  console.log(
    table(
      [
        'stylists',
        'writers',
        'API bookings/s',
        'API p50 ms',
        'API p99 ms',
        'INSERT rows/s',
        'INSERT p50 ms',
        'INSERT p99 ms',
        'API / INSERT throughput',
        'API / INSERT p50',
        'API / INSERT p99',
        '409s API / INSERT',
      ],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  if (opt.rounds > 1) {
    const all = (p: Pattern, w: number, v: Variant) =>
      cells
        .filter((c) => c.pattern === p && c.writers === w && c.variant === v)
        .map((c) => rate(c.result.rate))
        .join(' / ');
    console.log(
      `\nall rounds (bookings/s, best counts): ${PATTERNS.flatMap((p) => opt.writers.map((w) => `${p} ×${w} api ${all(p, w, 'api')}, insert ${all(p, w, 'insert')}`)).join('; ')}`,
    );
  }
  // One writer on one stylist is the same experiment in both patterns: how far apart they came out is the run's noise.
  if (opt.writers.includes(1)) {
    const spreads = VARIANTS.map((v) => {
      const a = get('spread', 1, v)!.rate;
      const b = get('same', 1, v)!.rate;
      return { v, x: Math.max(a, b) / Math.min(a, b) };
    });
    const worst = spreads.reduce((m, s) => (s.x > m.x ? s : m));
    const line = `noise: one writer on one stylist was measured twice per variant (both patterns); the two throughputs differ by up to ${ratio(worst.x)} (${worst.v})`;
    if (worst.x > 1.3) notes.push(`${line}: the machine was busy, treat single figures with care (load average at start ${m0.loadavg})`);
    else notes.push(line);
  }
  console.log(
    '\n' +
      (Object.entries(WHAT) as [Variant, string][])
        .filter(([v]) => (VARIANTS as readonly string[]).includes(v))
        .map(([v, d]) => `${v}: ${d}`)
        .join('\n'),
  );

  if (opt.diagnostics) {
    console.log(heading('Where the time goes'));
    const drows: (string | number)[][] = [];
    for (const p of PATTERNS) {
      for (const w of opt.writers) {
        const a = get(p, w, 'api')!;
        const t = get(p, w, 'txn')!;
        const b = get(p, w, 'insert')!;
        const r = get(p, w, 'raw')!;
        const n = get(p, w, 'nosync')!;
        drows.push([
          label(p),
          w,
          rate(t.rate),
          ms(t.latency.p99),
          ratio(a.rate / t.rate),
          ratio(t.rate / b.rate),
          rate(r.rate),
          ms(r.latency.p99),
          ratio(b.rate / r.rate),
          rate(n.rate),
          ms(n.latency.p99),
          ms(a.cpu.server.msPerOk),
          ms(a.cpu.postgres.msPerOk),
          ms(b.cpu.postgres.msPerOk),
          `${a.cpu.server.cores.toFixed(2)} / ${a.cpu.postgres.cores.toFixed(2)}`,
          `${b.cpu.server.cores.toFixed(2)} / ${b.cpu.postgres.cores.toFixed(2)}`,
        ]);
      }
    }
    console.log(
      table(
        [
          'stylists',
          'writers',
          'txn bookings/s',
          'txn p99 ms',
          'API / txn',
          'txn / INSERT',
          'raw rows/s',
          'raw p99 ms',
          'INSERT / raw',
          'nosync rows/s',
          'nosync p99 ms',
          'API server CPU ms/booking',
          'API Postgres CPU ms/booking',
          'INSERT Postgres CPU ms/row',
          'API cores server / pg',
          'INSERT cores server / pg',
        ],
        drows,
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    console.log(
      'CPU ms per booking: the server process, and Postgres (postmaster + backends); "cores" = CPU time / wall time. During INSERT cells the server only relays the outbox events.',
    );

    const one = (v: Variant) => get('spread', 1, v);
    const fl = (name: string) => floors.find((f) => f.name.startsWith(name))?.r;
    const rt = fl('round trip');
    const nosync = fl('INSERT, no outbox');
    const raw1 = one('raw');
    const ins1 = one('insert');
    const txn1 = one('txn');
    const api1 = one('api');
    if (rt && nosync && raw1 && ins1 && txn1 && api1) {
      console.log(heading('One writer, one stylist: latency by layer (p50)'));
      console.log(
        table(
          ['layer', 'p50 ms', 'p99 ms', 'adds (p50 ms)'],
          [
            ['round trip (select 1)', ms(rt.latency.p50), ms(rt.latency.p99), ''],
            [
              'INSERT, no outbox, synchronous_commit = off',
              ms(nosync.latency.p50),
              ms(nosync.latency.p99),
              ms(nosync.latency.p50 - rt.latency.p50),
            ],
            [
              'INSERT, no outbox (commit waits for the WAL fsync)',
              ms(raw1.latency.p50),
              ms(raw1.latency.p99),
              `${ms(raw1.latency.p50 - nosync.latency.p50)} (fsync)`,
            ],
            [
              'INSERT (outbox trigger: event row, availability version, NOTIFY)',
              ms(ins1.latency.p50),
              ms(ins1.latency.p99),
              ms(ins1.latency.p50 - raw1.latency.p50),
            ],
            [
              'BookingService transaction (lock, re-check, INSERT, hold cleanup)',
              ms(txn1.latency.p50),
              ms(txn1.latency.p99),
              ms(txn1.latency.p50 - ins1.latency.p50),
            ],
            [
              'POST /api/bookings (HTTP, session, limiter, zod)',
              ms(api1.latency.p50),
              ms(api1.latency.p99),
              ms(api1.latency.p50 - txn1.latency.p50),
            ],
          ],
          ['l', 'r', 'r', 'r'],
        ),
      );
    }
    const same = get('same', MAX_WRITERS, 'api');
    const spread = get('spread', MAX_WRITERS, 'api');
    if (same && spread) {
      notes.push(
        `API at ${MAX_WRITERS} writers: all on one stylist ${rate(same.rate)}/s vs one stylist each ${rate(spread.rate)}/s (${ratio(same.rate / spread.rate)}); ` +
          `one stylist's bookings are serialised by its advisory lock, held from the lock to the end of the commit: ≈ ${ms(1000 / same.rate)} ms per booking`,
      );
    }
  }

  const m1 = machine();
  console.log(
    `\nplan: every attempt a distinct free start on the stylist's grid (${plan.perDay} a day, ${plan.durationMinutes} min + ${plan.bufferMinutes} min buffer), ` +
      `computed with the server's loadDay + slot engine; server pid ${server.pid} (createApp, sessions in Postgres, CACHE=on, PG_POOL_SIZE 10).`,
  );
  console.log(
    `load average at start ${m0.loadavg}, at end ${m1.loadavg}; total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const n of notes) console.log(`note: ${n}`);
  for (const p of problems) console.log(`PROBLEM: ${p}`);

  if (args.json) {
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          machine: { start: m0, end: m1 },
          options: opt,
          plan: { ...plan, starts: plan.starts.length },
          cells: cells.map((c) => ({ pattern: c.pattern, variant: c.variant, ...c.result })),
          floors: floors.map((f) => ({ name: f.name, ...f.r })),
          notes,
          problems,
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
