// Factories that write real rows. Each returns ids; defaults make a working stylist in Kathmandu.
import { randomBytes } from 'node:crypto';
import type { Pool } from '../../server/db/pool.ts';
import type { Role } from '../../server/contract/enums.ts';
import { hashPassword } from '../../server/auth/password.ts';

export const TEST_PASSWORD = 'correct-horse-battery';
let hashOnce: Promise<string> | undefined;
const uniq = () => randomBytes(4).toString('hex');

export async function createUser(
  pool: Pool,
  o: { role?: Role; email?: string; displayName?: string; notes?: string; safetyNotes?: string } = {},
) {
  const email = o.email ?? `${o.role ?? 'customer'}-${uniq()}@example.test`;
  const hash = await (hashOnce ??= hashPassword(TEST_PASSWORD));
  const { rows } = await pool.query<{ id: string }>(
    `insert into users (email, password_hash, display_name, role, notes, safety_notes) values ($1, $2, $3, $4, $5, $6) returning id`,
    [email, hash, o.displayName ?? `User ${uniq()}`, o.role ?? 'customer', o.notes ?? '', o.safetyNotes ?? ''],
  );
  return { id: rows[0].id, email, password: TEST_PASSWORD };
}

export async function createService(
  pool: Pool,
  o: { name?: string; durationMinutes?: number; priceCents?: number; category?: string } = {},
) {
  const { rows } = await pool.query<{ id: string }>(
    'insert into services (name, category, duration_minutes, price_cents) values ($1, $2, $3, $4) returning id',
    [o.name ?? `Service ${uniq()}`, o.category ?? 'Hair', o.durationMinutes ?? 60, o.priceCents ?? 5000],
  );
  return { id: rows[0].id, durationMinutes: o.durationMinutes ?? 60, priceCents: o.priceCents ?? 5000 };
}

export interface StylistFixture {
  id: string;
  userId: string;
  email: string;
  password: string;
  timezone: string;
}

/** A stylist working every day 09:00–17:00 local unless `windows` says otherwise. */
export async function createStylist(
  pool: Pool,
  o: {
    timezone?: string;
    slotStepMinutes?: number;
    bufferMinutes?: number;
    minNoticeMinutes?: number;
    horizonDays?: number;
    serviceIds?: string[];
    windows?: { dayOfWeek: number; start: string; end: string }[];
    effectiveFrom?: string;
    displayName?: string;
  } = {},
): Promise<StylistFixture> {
  const user = await createUser(pool, { role: 'stylist', displayName: o.displayName });
  const timezone = o.timezone ?? 'Asia/Kathmandu';
  const { rows } = await pool.query<{ id: string }>(
    `insert into stylists (user_id, display_name, timezone, slot_step_minutes, buffer_minutes, min_notice_minutes, horizon_days)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [
      user.id,
      o.displayName ?? `Stylist ${uniq()}`,
      timezone,
      o.slotStepMinutes ?? 30,
      o.bufferMinutes ?? 15,
      o.minNoticeMinutes ?? 60,
      o.horizonDays ?? 60,
    ],
  );
  const id = rows[0].id;
  for (const serviceId of o.serviceIds ?? []) {
    await pool.query('insert into stylist_services (stylist_id, service_id) values ($1, $2)', [id, serviceId]);
  }
  const windows = o.windows ?? [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, start: '09:00', end: '17:00' }));
  for (const w of windows) {
    await pool.query(
      'insert into schedule_windows (stylist_id, day_of_week, start_time, end_time, effective_from) values ($1, $2, $3, $4, $5)',
      [id, w.dayOfWeek, w.start, w.end, o.effectiveFrom ?? '2020-01-01'],
    );
  }
  return { id, userId: user.id, email: user.email, password: user.password, timezone };
}

/** Inserts a booking straight into Postgres (as psql or another program would). */
export async function insertBooking(
  pool: Pool,
  o: {
    customerId: string;
    stylistId: string;
    serviceId: string;
    startUtc: string;
    durationMinutes?: number;
    bufferMinutes?: number;
    status?: string;
    priceCents?: number;
  },
) {
  const start = new Date(o.startUtc);
  const end = new Date(start.getTime() + (o.durationMinutes ?? 60) * 60_000);
  const occupied = new Date(end.getTime() + (o.bufferMinutes ?? 15) * 60_000);
  const { rows } = await pool.query<{ id: string }>(
    `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [o.customerId, o.stylistId, o.serviceId, start, end, occupied, o.status ?? 'confirmed', o.priceCents ?? 5000],
  );
  return rows[0].id;
}

/** A salon with one stylist offering one service: the common starting point. */
export async function createSalon(pool: Pool, o: Parameters<typeof createStylist>[1] & { durationMinutes?: number } = {}) {
  const service = await createService(pool, { durationMinutes: o.durationMinutes ?? 60 });
  const stylist = await createStylist(pool, { ...o, serviceIds: [service.id, ...(o.serviceIds ?? [])] });
  const customer = await createUser(pool, { role: 'customer' });
  return { service, stylist, customer };
}
