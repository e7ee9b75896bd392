// The fuzz's world: one real server on a fresh database with a small salon in it (two stylists,
// two services, customers, an admin, bookings, a hold, an override, an announcement), a logged-in
// HTTP client per caller, and a fingerprint of every domain table to tell whether a request wrote.
import { DateTime } from 'luxon';
import { loginAs, HttpClient, NO_LIMITS } from '../auth/client.ts';
import { fakeClock, NOW, ZONE } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking, TEST_PASSWORD } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import type { Caller } from '../../server/contract/routes-table.ts';
import type { Seeded } from './arbitraries.ts';

/** Every table of the domain; `session` (logins) and `events_retention` (the pruner's mark) are left out. */
export const DOMAIN_TABLES = [
  'users',
  'stylists',
  'services',
  'stylist_services',
  'schedule_windows',
  'overrides',
  'holds',
  'bookings',
  'announcements',
  'audit_log',
  'events',
  'availability_versions',
  'manage_link_uses',
  'stylist_calendar_tokens',
] as const;

export interface World {
  db: TestDb;
  srv: TestServer;
  seeded: Seeded;
  clients: Record<Caller, HttpClient>;
  logins: Record<Exclude<Caller, 'anonymous'>, { email: string; password: string }>;
  /** Puts a caller's client back in its own session (after a login, register or logout). */
  restore(caller: Caller): Promise<void>;
  /** A new confirmed booking of the fuzz's customer, `daysAhead` days after today at 16:00 (a day the generators never pick). */
  freshBooking(daysAhead: number): Promise<string>;
  /** One string that changes whenever any domain table does. */
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

const FINGERPRINT_SQL = `select ${DOMAIN_TABLES.map((t) => `(select count(*) || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') from ${t} x)`).join(" || ' ' || ")} as f`;

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const db = await freshDatabase();
  const clock = fakeClock(NOW);
  const services = [await createService(db.pool, { durationMinutes: 60 }), await createService(db.pool, { durationMinutes: 30 })];
  const serviceIds = services.map((s) => s.id);
  const stylists = [
    await createStylist(db.pool, { serviceIds, horizonDays: 90 }),
    await createStylist(db.pool, { serviceIds, horizonDays: 90 }),
  ];
  const customers = [await createUser(db.pool, { safetyNotes: 'latex allergy' }), await createUser(db.pool)];
  const admin = await createUser(db.pool, { role: 'admin' });
  const reception = await createUser(db.pool, { role: 'reception' });
  const today = DateTime.fromMillis(NOW, { zone: ZONE });
  const nearDates = Array.from({ length: 14 }, (_, i) => today.plus({ days: i + 1 }).toISODate()!);
  const bookingIds: string[] = [];
  for (const [i, date] of nearDates.slice(0, 6).entries()) {
    const start = DateTime.fromISO(`${date}T10:00`, { zone: ZONE }).toUTC().toISO()!;
    bookingIds.push(
      await insertBooking(db.pool, {
        customerId: customers[i % 2].id,
        stylistId: stylists[i % 2].id,
        serviceId: serviceIds[0],
        startUtc: start,
        status: i === 5 ? 'completed' : 'confirmed',
      }),
    );
  }
  const holdStart = DateTime.fromISO(`${nearDates[7]}T14:00`, { zone: ZONE }).toUTC().toJSDate();
  const {
    rows: [hold],
  } = await db.pool.query<{ id: string }>(
    `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at)
     values ($1, $2, $3, $4, $4::timestamptz + interval '60 minutes', $4::timestamptz + interval '75 minutes', $5) returning id`,
    [customers[0].id, stylists[0].id, serviceIds[0], holdStart, new Date(NOW + 24 * 3_600_000)],
  );
  const {
    rows: [override],
  } = await db.pool.query<{ id: string }>(
    `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason, created_by)
     values ('stylist', $1, $2, $2, 'closed', 'training', $3) returning id`,
    [stylists[1].id, nearDates[9], admin.id],
  );
  await db.pool.query(`insert into announcements (message, audience, level, created_by) values ('Welcome', 'all', 'info', $1)`, [admin.id]);

  const srv = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, ...env } });
  const logins = {
    customer: { email: customers[0].email, password: customers[0].password },
    stylist: { email: stylists[0].email, password: stylists[0].password },
    reception: { email: reception.email, password: reception.password },
    admin: { email: admin.email, password: admin.password },
  };
  const clients: Record<Caller, HttpClient> = {
    anonymous: new HttpClient(srv.baseUrl),
    customer: await loginAs(srv.baseUrl, logins.customer.email, logins.customer.password),
    stylist: await loginAs(srv.baseUrl, logins.stylist.email, logins.stylist.password),
    reception: await loginAs(srv.baseUrl, logins.reception.email, logins.reception.password),
    admin: await loginAs(srv.baseUrl, logins.admin.email, logins.admin.password),
  };
  const seeded: Seeded = {
    stylistIds: stylists.map((s) => s.id),
    serviceIds,
    customerIds: customers.map((c) => c.id),
    bookingIds,
    ownBookingIds: bookingIds.filter((_b, i) => i % 2 === 0 && i !== 5),
    holdIds: [hold.id],
    overrideIds: [override.id],
    emails: [...customers.map((c) => c.email), stylists[0].email, admin.email],
    password: TEST_PASSWORD,
    nearDates,
    zone: ZONE,
  };
  return {
    db,
    srv,
    seeded,
    clients,
    logins,
    async restore(caller) {
      if (caller === 'anonymous') {
        clients.anonymous.cookie = '';
        return;
      }
      const fresh = await loginAs(srv.baseUrl, logins[caller].email, logins[caller].password);
      clients[caller].cookie = fresh.cookie;
    },
    async freshBooking(daysAhead) {
      const date = today.plus({ days: daysAhead }).toISODate()!;
      return insertBooking(db.pool, {
        customerId: customers[0].id,
        stylistId: stylists[0].id,
        serviceId: serviceIds[0],
        startUtc: DateTime.fromISO(`${date}T16:00`, { zone: ZONE }).toUTC().toISO()!,
      });
    },
    async fingerprint() {
      return (await db.pool.query<{ f: string }>(FINGERPRINT_SQL)).rows[0].f;
    },
    async close() {
      await srv.close();
      await db.drop();
    },
  };
}
