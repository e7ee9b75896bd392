// Shared set-up of the booking tests: a movable fake clock, local-time helpers, logins.
import { DateTime } from 'luxon';
import type { Pool } from '../../server/db/pool.ts';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { createUser } from '../setup/factories.ts';

export const ZONE = 'Asia/Kathmandu';
/** 2027-03-01T00:00Z: every slot of DAY is in the future and within the 60-day horizon. */
export const NOW = Date.parse('2027-03-01T00:00:00Z');
export const DAY = '2027-03-10';

/** A clock tests can move; pass `clock.now` as the app's `now`. */
export function fakeClock(start = NOW) {
  const c = {
    t: start,
    now: () => c.t,
    advance(ms: number) {
      c.t += ms;
    },
    set(iso: string) {
      c.t = Date.parse(iso);
    },
  };
  return c;
}

/** The UTC instant (ISO) of local wall time `hhmm` on `date` in the stylist's zone. */
export function at(hhmm: string, date = DAY, zone = ZONE): string {
  return DateTime.fromISO(`${date}T${hhmm}`, { zone }).toUTC().toISO()!;
}

/** HH:MM local of a UTC instant. */
export function localHHMM(iso: string, zone = ZONE): string {
  return DateTime.fromISO(iso, { zone }).toFormat('HH:mm');
}

/** Creates `n` users of a role and logs each in (in parallel). */
export async function loggedInUsers(pool: Pool, baseUrl: string, n: number, role: 'customer' | 'stylist' | 'admin' = 'customer') {
  const users = await Promise.all(Array.from({ length: n }, () => createUser(pool, { role })));
  const clients = await Promise.all(users.map((u) => loginAs(baseUrl, u.email, u.password)));
  return users.map((u, i) => ({ ...u, http: clients[i] }));
}

export type LoggedIn = Awaited<ReturnType<typeof loggedInUsers>>[number] & { http: HttpClient };

/** Slot statuses of a day by local HH:MM, from the public (cached) slots API. */
export async function slotStatuses(baseUrl: string, stylistId: string, serviceId: string, date = DAY): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId, serviceId, targetDate: date })}`);
  if (res.status !== 200) throw new Error(`slots answered ${res.status}`);
  const slots = (await res.json()) as { startLocal: string; status: string }[];
  return Object.fromEntries(slots.map((s) => [s.startLocal.slice(11, 16), s.status]));
}

export async function countRows(pool: Pool, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  return (await pool.query(`select count(*)::int as n from ${table} where ${where}`, params)).rows[0].n;
}

/** Active bookings of one stylist that overlap another (must always be none). */
export async function overlappingPairs(pool: Pool): Promise<number> {
  return countRows(
    pool,
    `bookings a join bookings b on a.stylist_id = b.stylist_id and a.id < b.id
    and tstzrange(a.start_at, a.occupied_until) && tstzrange(b.start_at, b.occupied_until)`,
    `a.status in ('pending', 'confirmed', 'in_progress') and b.status in ('pending', 'confirmed', 'in_progress')`,
  );
}
