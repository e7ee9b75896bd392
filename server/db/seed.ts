import { DateTime } from 'luxon';
import type pg from 'pg';
import { hashPassword } from '../auth/password.ts';

export const DEMO_DOMAIN = 'kbstylish.test';

const SERVICES = [
  { key: 'cut', name: 'Haircut & Style', category: 'Hair', duration: 45, price: 150000 },
  { key: 'mens', name: "Men's Cut", category: 'Hair', duration: 30, price: 80000 },
  { key: 'blow', name: 'Blow-dry', category: 'Hair', duration: 30, price: 70000 },
  { key: 'colour', name: 'Hair Colour', category: 'Colour', duration: 120, price: 550000 },
  { key: 'highlights', name: 'Highlights', category: 'Colour', duration: 150, price: 750000 },
  { key: 'keratin', name: 'Keratin Treatment', category: 'Treatment', duration: 180, price: 900000 },
  { key: 'mani', name: 'Manicure', category: 'Nails', duration: 45, price: 120000 },
  { key: 'bridal', name: 'Bridal Makeup', category: 'Makeup', duration: 90, price: 1200000 },
] as const;
type ServiceKey = (typeof SERVICES)[number]['key'];

// Nepal's weekend is Saturday (6); each stylist also has one weekday off.
const STYLISTS: { email: string; name: string; bio: string; dayOff: number; step: number; services: [ServiceKey, number?, number?][] }[] = [
  {
    email: 'aarav',
    name: 'Aarav Shrestha',
    bio: 'Precision cuts and everyday styling.',
    dayOff: 2,
    step: 30,
    services: [['cut'], ['mens'], ['blow'], ['keratin', 200]],
  },
  {
    email: 'priya',
    name: 'Priya Gurung',
    bio: 'Colour specialist: balayage, highlights and corrections.',
    dayOff: 3,
    step: 30,
    services: [['colour'], ['highlights'], ['cut', 60, 180000], ['blow']],
  },
  { email: 'sita', name: 'Sita Rai', bio: 'Nails and bridal makeup.', dayOff: 1, step: 15, services: [['mani'], ['bridal'], ['blow', 40]] },
  {
    email: 'bikash',
    name: 'Bikash Thapa',
    bio: 'Classic and modern men\u2019s grooming.',
    dayOff: 4,
    step: 15,
    services: [['mens'], ['cut'], ['keratin']],
  },
];

const CUSTOMERS = [
  ['customer', 'Demo Customer'],
  ['anita', 'Anita Karki'],
  ['rohan', 'Rohan Basnet'],
  ['maya', 'Maya Tamang'],
  ['nabin', 'Nabin Adhikari'],
  ['sarita', 'Sarita Magar'],
  ['kiran', 'Kiran Joshi'],
  ['pooja', 'Pooja Sharma'],
  ['suman', 'Suman Lama'],
  ['asha', 'Asha Poudel'],
  ['dipesh', 'Dipesh KC'],
  ['rina', 'Rina Bhandari'],
] as const;

/** The first demo customers (customer, anita, rohan, maya) get history but no upcoming bookings. */
const FREE_DIARIES = 4;
/** Customers the front desk booked in person or by phone: no account, no e-mail (docs/domain.md §7). */
const WALK_INS: [name: string, phone: string][] = [
  ['Ramesh Thapa', '9841 234 567'],
  ['Gita Shrestha', '9803 765 432'],
  ['Binod Karki', '9812 555 010'],
];

/** Deterministic PRNG (mulberry32), so the demo data is the same on every machine (the benchmarks use it too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedOptions {
  password: string;
  /** The salon's time zone (server/salon.ts): the demo's stylists work in it. */
  timezone: string;
  /** The moment the demo is built around; default now. */
  now?: Date;
}

/**
 * Seeds the demo salon into an empty database, in one transaction. Does nothing (returns false)
 * when any user exists, so concurrent or repeated starts seed once.
 */
export async function seedDemo(client: pg.ClientBase, opts: SeedOptions): Promise<boolean> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(7412002)');
    const { rows } = await client.query<{ any: boolean }>('select exists (select 1 from users) as any');
    if (rows[0].any) {
      await client.query('rollback');
      return false;
    }
    await insertDemo(client, opts);
    await client.query('commit');
    return true;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

async function insertDemo(client: pg.ClientBase, opts: SeedOptions): Promise<void> {
  const hash = await hashPassword(opts.password);
  const random = rng(20261126);
  const today = DateTime.fromJSDate(opts.now ?? new Date(), { zone: opts.timezone }).startOf('day');
  const nowMs = (opts.now ?? new Date()).getTime();

  const insertUser = async (local: string, name: string, role: string, notes = '', safety = '') =>
    (
      await client.query<{ id: string }>(
        `insert into users (email, password_hash, display_name, role, notes, safety_notes, phone)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [
          `${local}@${DEMO_DOMAIN}`,
          hash,
          name,
          role,
          notes,
          safety,
          role === 'customer' ? `98${String(Math.floor(random() * 1e8)).padStart(8, '0')}` : null,
        ],
      )
    ).rows[0].id;

  await insertUser('admin', 'Salon Admin', 'admin');
  await insertUser('desk', 'Front Desk', 'reception');

  const serviceIds = new Map<ServiceKey, { id: string; duration: number; price: number }>();
  for (const s of SERVICES) {
    const { rows } = await client.query<{ id: string }>(
      'insert into services (name, category, duration_minutes, price_cents) values ($1, $2, $3, $4) returning id',
      [s.name, s.category, s.duration, s.price],
    );
    serviceIds.set(s.key, { id: rows[0].id, duration: s.duration, price: s.price });
  }

  const customers: string[] = [];
  for (const [i, [local, name]] of CUSTOMERS.entries()) {
    const notes = i % 3 === 1 ? 'Prefers a quiet appointment; likes tea, no sugar.' : i % 4 === 2 ? 'Usually runs 5 minutes late.' : '';
    const safety =
      i % 4 === 1 ? 'Allergic to PPD hair dye: patch test before any colour.' : i === 5 ? 'Sensitive scalp; avoid strong bleach.' : '';
    customers.push(await insertUser(local, name, 'customer', notes, safety));
  }

  for (const [name, phone] of WALK_INS) {
    const { rows } = await client.query<{ id: string }>(
      `insert into users (email, password_hash, display_name, role, phone, walk_in) values (null, null, $1, 'customer', $2, true) returning id`,
      [name, phone],
    );
    customers.push(rows[0].id);
  }
  // Draws of their own for what the history adds (cancellation times), so the bookings stay as drawn.
  const extra = rng(20261203);

  const effectiveFrom = today.minus({ days: 120 }).toISODate()!;
  const stylists: { id: string; dayOff: number; step: number; services: { id: string; duration: number; price: number }[] }[] = [];
  for (const st of STYLISTS) {
    const userId = await insertUser(st.email, st.name, 'stylist');
    const { rows } = await client.query<{ id: string }>(
      `insert into stylists (user_id, display_name, timezone, bio, slot_step_minutes) values ($1, $2, $3, $4, $5) returning id`,
      [userId, st.name, opts.timezone, st.bio, st.step],
    );
    const id = rows[0].id;
    const offered = [];
    for (const [key, duration, price] of st.services) {
      const svc = serviceIds.get(key)!;
      await client.query('insert into stylist_services (stylist_id, service_id, duration_minutes, price_cents) values ($1, $2, $3, $4)', [
        id,
        svc.id,
        duration ?? null,
        price ?? null,
      ]);
      offered.push({ id: svc.id, duration: duration ?? svc.duration, price: price ?? svc.price });
    }
    for (let dow = 0; dow < 7; dow++) {
      if (dow === 6 || dow === st.dayOff) continue;
      // Morning and afternoon with a lunch break; Fridays end early.
      const windows =
        dow === 5
          ? [
              ['10:00', '13:00'],
              ['14:00', '16:00'],
            ]
          : [
              ['10:00', '13:00'],
              ['14:00', '18:00'],
            ];
      for (const [start, end] of windows) {
        await client.query(
          `insert into schedule_windows (stylist_id, day_of_week, start_time, end_time, effective_from) values ($1, $2, $3, $4, $5)`,
          [id, dow, start, end, effectiveFrom],
        );
      }
    }
    stylists.push({ id, dayOff: st.dayOff, step: st.step, services: offered });
  }

  // A salon-wide closure on a coming date, and a stylist's training block.
  const closure = today.plus({ days: 9 });
  await client.query(
    `insert into overrides (scope, start_date, end_date, kind, reason) values ('salon', $1, $1, 'closed', 'Salon closed for a public holiday')`,
    [closure.toISODate()],
  );
  await client.query(
    `insert into overrides (scope, stylist_id, start_date, end_date, kind, start_time, end_time, reason)
     values ('stylist', $1, $2, $2, 'blocked', '15:00', '17:00', 'Colour training')`,
    [stylists[1].id, today.plus({ days: 4 }).toISODate()],
  );

  // About 60 days of history and 14 days ahead, placed on each stylist's grid without overlaps.
  const busy = new Map<string, [number, number][]>();
  /** Visits of the last two days that have ended, counted to leave every third unmarked. */
  let recentEnded = 0;
  for (const st of stylists) {
    for (let offset = -60; offset <= 14; offset++) {
      const day = today.plus({ days: offset });
      const dow = day.weekday % 7;
      if (dow === 6 || dow === st.dayOff || day.hasSame(closure, 'day')) continue;
      const windows =
        dow === 5
          ? [
              [10, 13],
              [14, 16],
            ]
          : [
              [10, 13],
              [14, 18],
            ];
      const fill = offset < 0 ? 0.45 : 0.3;
      for (const [from, to] of windows) {
        let t = day.set({ hour: from });
        const end = day.set({ hour: to });
        while (t < end) {
          const svc = st.services[Math.floor(random() * st.services.length)];
          const finish = t.plus({ minutes: svc.duration });
          if (finish > end || random() > fill) {
            t = t.plus({ minutes: st.step });
            continue;
          }
          const startMs = t.toMillis();
          // Today: what has ended is history, what is under way is in progress; the next hour stays free.
          const ended = finish.toMillis() <= nowMs;
          const underway = !ended && startMs < nowMs;
          if (offset >= 0 && !ended && !underway && startMs < nowMs + 60 * 60_000) {
            t = t.plus({ minutes: st.step });
            continue;
          }
          // Visits of the last two days the stylist has not marked yet (arrived? no-show?) stay confirmed.
          const unmarked = ended && offset >= -1 && recentEnded++ % 3 === 1;
          const status = underway
            ? 'in_progress'
            : unmarked
              ? 'confirmed'
              : offset < 0 || ended
                ? random() < 0.08
                  ? 'no_show'
                  : random() < 0.08
                    ? 'cancelled'
                    : 'completed'
                : random() < 0.25
                  ? 'pending'
                  : 'confirmed';
          // One customer is in one chair at a time (bookings_customer_no_overlap): an upcoming
          // booking goes to the drawn customer, else the next one free then, never to the first
          // FREE_DIARIES customers, whose diaries stay free so a demo (or a test) can book any free
          // time as them.
          const active = status === 'pending' || status === 'confirmed' || status === 'in_progress';
          const pool = active ? customers.slice(FREE_DIARIES) : customers;
          const drawn = Math.floor(random() * pool.length);
          const k = Array.from({ length: pool.length }, (_, i) => (drawn + i) % pool.length).find(
            (i) => !active || !(busy.get(pool[i]) ?? []).some(([s, e]) => s < finish.toMillis() && startMs < e),
          );
          if (k === undefined) {
            t = t.plus({ minutes: st.step });
            continue;
          }
          const customer = pool[k];
          if (active) busy.set(customer, [...(busy.get(customer) ?? []), [startMs, finish.toMillis()]]);
          await client.query(
            `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents, created_at, cancelled_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [
              customer,
              st.id,
              svc.id,
              t.toJSDate(),
              finish.toJSDate(),
              finish.plus({ minutes: 15 }).toJSDate(),
              status,
              svc.price,
              t.minus({ days: 3 + Math.floor(random() * 10) }).toJSDate(),
              // About a third of cancellations come within the last day (the reports count them as late).
              status === 'cancelled' ? t.minus({ hours: extra() < 0.35 ? 1 + extra() * 22 : 24 + extra() * 24 }).toJSDate() : null,
            ],
          );
          // The next start after the buffer, rounded up to the stylist's step.
          const freeAt = finish.plus({ minutes: 15 });
          const steps = Math.ceil(freeAt.diff(day.set({ hour: from }), 'minutes').minutes / st.step);
          t = day.set({ hour: from }).plus({ minutes: steps * st.step });
        }
      }
    }
  }
}
