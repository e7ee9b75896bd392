// Benchmark data made in SQL (generate_series), not row by row: a salon of many stylists and
// customers, and any number of bookings laid on a grid so they never violate the exclusion
// constraint (stylist, [start, end + buffer)) however many there are.
import { hashPassword } from '../../../server/auth/password.ts';
import { withTransaction, type Pool } from '../../../server/db/pool.ts';

export interface SalonSpec {
  stylists: number;
  customers: number;
  /** Stylist zones, assigned round-robin. Default Asia/Kathmandu only. */
  zones?: string[];
  /** Default: a 45-minute and a 90-minute service, offered by every stylist. */
  services?: { name: string; durationMinutes: number; priceCents: number }[];
  slotStepMinutes?: number;
  bufferMinutes?: number;
  /** Working windows, the same every day of the week. Default 09:00–13:00 and 14:00–18:00. */
  windows?: [start: string, end: string][];
  /** Distinguishes the rows of this salon: emails are `<prefix>-stylist-000001@bench.test`. Default "bench". */
  prefix?: string;
  /** Password of every user (hashed once). Default "kbstylish-bench". */
  password?: string;
}

export interface BenchSalon {
  /** In creation order; a booking grid addresses stylists by index. */
  stylists: { id: string; timezone: string }[];
  services: { id: string; durationMinutes: number; priceCents: number }[];
  customers: string[];
  customerEmail(index: number): string;
  password: string;
  slotStepMinutes: number;
  bufferMinutes: number;
}

const DEFAULT_SERVICES = [
  { name: 'Bench Cut', durationMinutes: 45, priceCents: 150_000 },
  { name: 'Bench Colour', durationMinutes: 90, priceCents: 450_000 },
];

/** Creates stylists (with users, services and weekly schedules) and customers in one transaction. */
export async function createBenchSalon(pool: Pool, spec: SalonSpec): Promise<BenchSalon> {
  const prefix = spec.prefix ?? 'bench';
  const zones = spec.zones ?? ['Asia/Kathmandu'];
  const servicesSpec = spec.services ?? DEFAULT_SERVICES;
  const windows = spec.windows ?? [
    ['09:00', '13:00'],
    ['14:00', '18:00'],
  ];
  const step = spec.slotStepMinutes ?? 30;
  const buffer = spec.bufferMinutes ?? 15;
  const password = spec.password ?? 'kbstylish-bench';
  const hash = await hashPassword(password);
  const email = (role: string, i: number) => `${prefix}-${role}-${String(i).padStart(6, '0')}@bench.test`;

  return withTransaction(pool, async (c) => {
    const insertUsers = (role: 'stylist' | 'customer', n: number) =>
      c.query(
        `insert into users (email, password_hash, display_name, role)
         select format('%s-%s-%s@bench.test', $1::text, $2::text, lpad(g::text, 6, '0')), $3, format('Bench %s %s', initcap($2::text), g), $2
           from generate_series(0, $4::int - 1) g`,
        [prefix, role, hash, n],
      );
    const idsOf = async (role: string) =>
      (await c.query<{ id: string }>(`select id from users where starts_with(email, $1) order by email`, [`${prefix}-${role}-`])).rows.map(
        (r) => r.id,
      );

    await insertUsers('stylist', spec.stylists);
    await insertUsers('customer', spec.customers);
    await c.query(
      `insert into stylists (user_id, display_name, timezone, slot_step_minutes, buffer_minutes)
       select u.id, u.display_name, ($2::text[])[1 + (((row_number() over (order by u.email)) - 1) % cardinality($2::text[]))], $3, $4
         from users u where starts_with(u.email, $1)`,
      [`${prefix}-stylist-`, zones, step, buffer],
    );
    const stylists = (
      await c.query<{ id: string; timezone: string }>(
        `select s.id, s.timezone from stylists s join users u on u.id = s.user_id where starts_with(u.email, $1) order by u.email`,
        [`${prefix}-stylist-`],
      )
    ).rows;
    const services: BenchSalon['services'] = [];
    for (const s of servicesSpec) {
      const { rows } = await c.query<{ id: string }>(
        `insert into services (name, category, duration_minutes, price_cents) values ($1, 'Bench', $2, $3) returning id`,
        [`${s.name} (${prefix})`, s.durationMinutes, s.priceCents],
      );
      services.push({ id: rows[0].id, durationMinutes: s.durationMinutes, priceCents: s.priceCents });
    }
    const stylistIds = stylists.map((s) => s.id);
    await c.query(
      `insert into stylist_services (stylist_id, service_id)
       select s.id, sv.id from unnest($1::uuid[]) s(id) cross join unnest($2::uuid[]) sv(id)`,
      [stylistIds, services.map((s) => s.id)],
    );
    await c.query(
      `insert into schedule_windows (stylist_id, day_of_week, start_time, end_time, effective_from)
       select s.id, d, w.s::time, w.e::time, '2000-01-01'
         from unnest($1::uuid[]) s(id) cross join generate_series(0, 6) d cross join unnest($2::text[], $3::text[]) w(s, e)`,
      [stylistIds, windows.map((w) => w[0]), windows.map((w) => w[1])],
    );
    return {
      stylists,
      services,
      customers: await idsOf('customer'),
      customerEmail: (i: number) => email('customer', i),
      password,
      slotStepMinutes: step,
      bufferMinutes: buffer,
    };
  });
}

export interface BookingGrid {
  /** Stylist-local date of day 0. */
  startDate: string;
  /** Local start times ("HH:MM") of the cells of a day; a booking takes one cell. */
  cells: string[];
  /** Bookings per stylist per day (at most cells.length). */
  perDay: number;
  /** Index into salon.services of the service every booking uses. */
  serviceIndex?: number;
  /** Every n-th booking is 'cancelled' (the rest 'confirmed'); 0 for none. Default 10. */
  cancelledEvery?: number;
}

export interface GridPlace {
  dayIndex: number;
  stylistIndex: number;
  cellIndex: number;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A stride coprime with the cell count, so a day's bookings land on distinct cells, spread out. */
function strideFor(cells: number): number {
  for (let s = 3; s < cells; s += 2) if (gcd(s, cells) === 1) return s;
  return 1;
}

/**
 * Where row `row` of the grid lands: days fill one after the other; within a day every stylist
 * gets `perDay` bookings on distinct cells, rotated by day and stylist so days are not identical.
 * Mirrors the SQL in `bulkBookings`.
 */
export function gridPlace(salon: BenchSalon, grid: BookingGrid, row: number): GridPlace {
  const s = salon.stylists.length;
  const k = grid.perDay;
  const dayIndex = Math.floor(row / (s * k));
  const stylistIndex = Math.floor(row / k) % s;
  const j = row % k;
  return { dayIndex, stylistIndex, cellIndex: (dayIndex + stylistIndex + strideFor(grid.cells.length) * j) % grid.cells.length };
}

/** Number of grid days rows [0, rows) cover. */
export function gridDays(salon: BenchSalon, grid: BookingGrid, rows: number): number {
  return Math.ceil(rows / (salon.stylists.length * grid.perDay));
}

function checkGrid(salon: BenchSalon, grid: BookingGrid): void {
  const svc = salon.services[grid.serviceIndex ?? 0];
  if (!svc) throw new RangeError(`no service at index ${grid.serviceIndex}`);
  const occupied = svc.durationMinutes + salon.bufferMinutes;
  const starts = grid.cells.map(minutesOf);
  if (!(grid.perDay >= 1 && grid.perDay <= starts.length)) throw new RangeError('perDay must be between 1 and the number of cells');
  for (let i = 0; i < starts.length; i++) {
    const next = i + 1 < starts.length ? starts[i + 1] : 24 * 60;
    // Cells must not overlap (buffer included) nor run past midnight, or the exclusion constraint fires.
    if (!(starts[i] + occupied <= next)) throw new RangeError(`cell ${grid.cells[i]} + ${occupied} min overlaps the next cell or midnight`);
  }
}

/**
 * Inserts grid rows [fromRow, toRow) as bookings, `chunk` rows per statement, over `parallel`
 * sessions. Each session runs with `session_replication_role = replica`, which skips the outbox
 * triggers (no events, no NOTIFY) and foreign-key checks for that session only; the exclusion
 * constraint and check constraints still apply. Returns the time taken.
 */
export async function bulkBookings(
  pool: Pool,
  salon: BenchSalon,
  grid: BookingGrid,
  fromRow: number,
  toRow: number,
  opts: { chunk?: number; parallel?: number; onProgress?: (done: number) => void } = {},
): Promise<{ rows: number; ms: number }> {
  checkGrid(salon, grid);
  const started = performance.now();
  // Contiguous row ranges are different days, so parallel sessions never contend on the constraint.
  const parallel = Math.max(1, Math.min(opts.parallel ?? 1, Math.ceil((toRow - fromRow) / 10_000)));
  const per = Math.ceil((toRow - fromRow) / parallel);
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, (_, i) => {
      const from = fromRow + i * per;
      const to = Math.min(toRow, from + per);
      return loadRange(pool, salon, grid, from, to, opts.chunk ?? 100_000, (n) => {
        done += n;
        opts.onProgress?.(done);
      });
    }),
  );
  return { rows: toRow - fromRow, ms: performance.now() - started };
}

async function loadRange(
  pool: Pool,
  salon: BenchSalon,
  grid: BookingGrid,
  fromRow: number,
  toRow: number,
  chunk: number,
  progress: (rows: number) => void,
): Promise<void> {
  const svc = salon.services[grid.serviceIndex ?? 0];
  const c = await pool.connect();
  try {
    await c.query(`set session_replication_role = replica`);
    await c.query(`set synchronous_commit = off`);
    await c.query(`create temp table _bench_stylists (idx int primary key, id uuid not null, tz text not null)`);
    await c.query(`create temp table _bench_customers (idx int primary key, id uuid not null)`);
    await c.query(
      `insert into _bench_stylists select (i - 1)::int, id, tz from unnest($1::uuid[], $2::text[]) with ordinality t(id, tz, i)`,
      [salon.stylists.map((s) => s.id), salon.stylists.map((s) => s.timezone)],
    );
    await c.query(`insert into _bench_customers select (i - 1)::int, id from unnest($1::uuid[]) with ordinality t(id, i)`, [
      salon.customers,
    ]);
    for (let from = fromRow; from < toRow; from += chunk) {
      const to = Math.min(toRow, from + chunk);
      await c.query(
        // Background volume: customers are dealt round-robin across stylists, so one customer sits in
        // several chairs at once; these rows are exempt from the one-chair rule (as migration 000009
        // marks legacy overlaps), which the measured writers still meet.
        `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents, created_at, updated_at, customer_overlap_exempt)
         select cu.id, st.id, $3::uuid, t.start_at,
                t.start_at + make_interval(mins => $4::int),
                t.start_at + make_interval(mins => $4::int + $5::int),
                case when $10::int > 0 and g % $10::int = $10::int - 1 then 'cancelled' else 'confirmed' end,
                $6::int, t.start_at - interval '7 days', t.start_at - interval '7 days', true
           from generate_series($1::bigint, $2::bigint - 1) g
           cross join lateral (select (g / ($7::int * $8::int))::int as day, ((g / $8::int) % $7::int)::int as si, (g % $8::int)::int as j) x
           join _bench_stylists st on st.idx = x.si
           join _bench_customers cu on cu.idx = (g % $11::int)::int
           cross join lateral (select ((($12::date + x.day)::timestamp
                 + make_interval(mins => ($9::int[])[1 + ((x.day + x.si + $13::int * x.j) % cardinality($9::int[]))]))
                 at time zone st.tz) as start_at) t
          order by x.si, x.day, x.j`,
        [
          from,
          to,
          svc.id,
          svc.durationMinutes,
          salon.bufferMinutes,
          svc.priceCents,
          salon.stylists.length,
          grid.perDay,
          grid.cells.map(minutesOf),
          grid.cancelledEvery ?? 10,
          salon.customers.length,
          grid.startDate,
          strideFor(grid.cells.length),
        ],
      );
      progress(to - from);
    }
  } finally {
    // Destroyed, not returned to the pool: the session settings and temp tables must not leak.
    c.release(true);
  }
}

/** Fresh planner statistics and visibility map after a bulk load, so queries plan as in production. */
export async function vacuumAnalyze(pool: Pool, tables: string[]): Promise<number> {
  const started = performance.now();
  for (const t of tables) await pool.query(`vacuum (analyze) ${t}`);
  return performance.now() - started;
}
