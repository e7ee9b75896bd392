// Authorization over every route of the accounts/bookings/stylist/admin APIs: each role against
// each other role's resources. Another user's booking or hold answers 404, exactly like a missing one.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { Inbox, announce, connect, type ClientSocket } from '../realtime/helpers.ts';
import { HttpClient, loginAs, NO_LIMITS, type Answer } from './client.ts';

type Role = 'anon' | 'owner' | 'otherCustomer' | 'ownStylist' | 'otherStylist' | 'reception' | 'admin';
const ROLES: Role[] = ['anon', 'owner', 'otherCustomer', 'ownStylist', 'otherStylist', 'reception', 'admin'];

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let otherStylistId: string;
let ownerId: string;
const clients = {} as Record<Role, HttpClient>;
const clock = fakeClock();
let day = 0;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { horizonDays: 365 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  otherStylistId = other.id;
  const otherCustomer = await createUser(db.pool);
  const admin = await createUser(db.pool, { role: 'admin' });
  const reception = await createUser(db.pool, { role: 'reception' });
  ownerId = salon.customer.id;
  clients.anon = new HttpClient(srv.baseUrl);
  clients.owner = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  clients.otherCustomer = await loginAs(srv.baseUrl, otherCustomer.email, otherCustomer.password);
  clients.ownStylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  clients.otherStylist = await loginAs(srv.baseUrl, other.email, other.password);
  clients.admin = await loginAs(srv.baseUrl, admin.email, admin.password);
  clients.reception = await loginAs(srv.baseUrl, reception.email, reception.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

/** Fresh resources for one check: a day of its own, the owner's booking and hold with the own stylist. */
async function fixture() {
  const date = DateTime.fromISO('2027-03-02').plus({ days: day++ }).toISODate()!;
  const bookingId = await insertBooking(db.pool, {
    customerId: ownerId,
    stylistId: salon.stylist.id,
    serviceId: salon.service.id,
    startUtc: at('11:00', date),
  });
  const start = new Date(at('14:00', date));
  const { rows } = await db.pool.query(
    `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at)
     values ($1, $2, $3, $4, $4::timestamptz + interval '60 minutes', $4::timestamptz + interval '75 minutes', $5)
     on conflict (customer_id) do update set id = excluded.id, start_at = excluded.start_at, end_at = excluded.end_at,
       occupied_until = excluded.occupied_until, expires_at = excluded.expires_at
     returning id`,
    [ownerId, salon.stylist.id, salon.service.id, start, new Date(clock.t + 3_600_000)],
  );
  srv.app.slots.invalidateAll();
  return {
    date,
    bookingId,
    holdId: rows[0].id as string,
    free: (hhmm: string) => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm, date) }),
  };
}
type Fx = Awaited<ReturnType<typeof fixture>>;

/** The owner's waitlist entry on the fixture's day; with an offer, the fixture's hold is its live offer. */
async function ownerWaitlistEntry(fx: Fx, withOffer = false): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into waitlist_entries (customer_id, stylist_id, service_id, date) values ($1, $2, $3, $4) returning id`,
    [ownerId, salon.stylist.id, salon.service.id, fx.date],
  );
  if (withOffer)
    await db.pool.query(
      `insert into waitlist_offers (entry_id, customer_id, hold_id, stylist_id, service_id, start_at, end_at, expires_at)
       select $1, h.customer_id, h.id, h.stylist_id, h.service_id, h.start_at, h.end_at, h.expires_at from holds h where h.id = $2`,
      [rows[0].id, fx.holdId],
    );
  return rows[0].id;
}
/** The waitlist is the customer's own: staff (reception and admins included) are refused. */
const customersOnly = { anon: 401, ownStylist: 403, otherStylist: 403, reception: 403, admin: 403 } as const;

const O = 'ok';
interface Route {
  name: string;
  call: (c: HttpClient, fx: Fx) => Promise<Answer>;
  /** Expected status per role ('ok' = the route's success status). */
  expect: Record<Role, number | typeof O>;
  ok: number;
}

const customerSession = { anon: 401 } as const;
const adminOnly: Record<Role, number | typeof O> = {
  anon: 401,
  owner: 403,
  otherCustomer: 403,
  ownStylist: 403,
  otherStylist: 403,
  reception: 403,
  admin: O,
};

const deskOnly: Record<Role, number | typeof O> = {
  anon: 401,
  owner: 403,
  otherCustomer: 403,
  ownStylist: 403,
  otherStylist: 403,
  reception: O,
  admin: O,
};
/** A stylist's own calendar feed token: stylists only (the desk has no feed of its own). */
const stylistOnly: Record<Role, number | typeof O> = {
  anon: 401,
  owner: 403,
  otherCustomer: 403,
  ownStylist: O,
  otherStylist: O,
  reception: 403,
  admin: 403,
};

const ROUTES: Route[] = [
  {
    name: 'GET /api/auth/me',
    ok: 200,
    call: (c) => c.get('/api/auth/me'),
    expect: { ...customerSession, owner: O, otherCustomer: O, ownStylist: O, otherStylist: O, reception: O, admin: O },
  },
  {
    name: 'POST /api/holds (a stylist cannot hold themselves)',
    ok: 201,
    call: (c, fx) => c.post('/api/holds', fx.free('09:00')),
    expect: { ...customerSession, owner: O, otherCustomer: O, ownStylist: 403, otherStylist: O, reception: O, admin: O },
  },
  {
    name: 'DELETE /api/holds/:id of the owner',
    ok: 204,
    call: (c, fx) => c.delete(`/api/holds/${fx.holdId}`),
    expect: { ...customerSession, owner: O, otherCustomer: 404, ownStylist: 404, otherStylist: 404, reception: O, admin: O },
  },
  {
    name: 'POST /api/bookings (direct; a stylist cannot book themselves)',
    ok: 201,
    call: (c, fx) => c.post('/api/bookings', fx.free('16:00')),
    expect: { ...customerSession, owner: O, otherCustomer: O, ownStylist: 403, otherStylist: O, reception: O, admin: O },
  },
  {
    name: 'POST /api/bookings from the owner\u2019s hold',
    ok: 201,
    call: (c, fx) => c.post('/api/bookings', { holdId: fx.holdId }),
    expect: { ...customerSession, owner: O, otherCustomer: 404, ownStylist: 404, otherStylist: 404, reception: 404, admin: 404 },
  },
  {
    name: 'GET /api/bookings/mine',
    ok: 200,
    call: (c) => c.get('/api/bookings/mine'),
    expect: { ...customerSession, owner: O, otherCustomer: O, ownStylist: O, otherStylist: O, reception: O, admin: O },
  },
  {
    name: 'POST /api/bookings/:id/cancel',
    ok: 200,
    call: (c, fx) => c.post(`/api/bookings/${fx.bookingId}/cancel`, {}),
    expect: { ...customerSession, owner: O, otherCustomer: 404, ownStylist: O, otherStylist: 404, reception: O, admin: O },
  },
  {
    name: 'POST /api/bookings/:id/reschedule',
    ok: 200,
    call: (c, fx) => c.post(`/api/bookings/${fx.bookingId}/reschedule`, { startUtc: fx.free('09:30').startUtc }),
    expect: { ...customerSession, owner: O, otherCustomer: 404, ownStylist: 403, otherStylist: 404, reception: O, admin: O },
  },
  {
    name: 'POST /api/bookings/:id/status',
    ok: 200,
    call: (c, fx) => c.post(`/api/bookings/${fx.bookingId}/status`, { status: 'cancelled' }),
    expect: { ...customerSession, owner: 403, otherCustomer: 404, ownStylist: O, otherStylist: 404, reception: O, admin: O },
  },
  {
    name: 'GET /api/stylist/bookings (own; the front desk must name the stylist)',
    ok: 200,
    call: (c) => c.get('/api/stylist/bookings'),
    expect: { ...customerSession, owner: 403, otherCustomer: 403, ownStylist: O, otherStylist: O, reception: 400, admin: 400 },
  },
  {
    name: 'GET /api/stylist/bookings?stylistId= of the own stylist',
    ok: 200,
    call: (c) => c.get(`/api/stylist/bookings?stylistId=${salon.stylist.id}`),
    expect: { ...customerSession, owner: 403, otherCustomer: 403, ownStylist: O, otherStylist: 404, reception: O, admin: O },
  },
  {
    name: 'POST /api/stylist/customers/:id/safety-notes of the owner',
    ok: 200,
    call: (c) => c.post(`/api/stylist/customers/${ownerId}/safety-notes`, { reason: 'Colour service planned today' }),
    expect: { ...customerSession, owner: 403, otherCustomer: 403, ownStylist: O, otherStylist: 404, reception: O, admin: O },
  },
  {
    name: 'POST /api/admin/stylists',
    ok: 201,
    call: (c) =>
      c.post('/api/admin/stylists', {
        displayName: 'New',
        email: `new-${Math.random().toString(36).slice(2)}@x.test`,
        password: 'long-enough-pw',
        timezone: 'Asia/Kathmandu',
        services: [],
      }),
    expect: adminOnly,
  },
  {
    name: 'PUT /api/admin/stylists/:id/schedule',
    ok: 200,
    call: (c) =>
      c.put(`/api/admin/stylists/${otherStylistId}/schedule`, {
        effectiveFrom: '2028-01-01',
        days: [{ dayOfWeek: 1, windows: [{ start: '09:00', end: '17:00' }] }],
      }),
    expect: adminOnly,
  },
  { name: 'GET /api/admin/overrides', ok: 200, call: (c) => c.get('/api/admin/overrides'), expect: adminOnly },
  {
    name: 'POST /api/admin/overrides',
    ok: 201,
    call: (c) =>
      c.post('/api/admin/overrides', {
        scope: 'stylist',
        stylistId: otherStylistId,
        startDate: '2028-02-01',
        endDate: '2028-02-01',
        kind: 'closed',
        reason: 'Training',
      }),
    expect: adminOnly,
  },
  {
    name: 'DELETE /api/admin/overrides/:id',
    ok: 204,
    call: async (c) => {
      const { rows } = await db.pool.query(
        `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason) values ('stylist', $1, '2028-03-01', '2028-03-01', 'closed', 'x') returning id`,
        [otherStylistId],
      );
      return c.delete(`/api/admin/overrides/${rows[0].id}`);
    },
    expect: adminOnly,
  },
  {
    name: 'POST /api/admin/announcements',
    ok: 201,
    call: (c) => c.post('/api/admin/announcements', { message: 'Hello', audience: 'all', level: 'info' }),
    expect: adminOnly,
  },
  { name: 'GET /api/admin/audit-log', ok: 200, call: (c) => c.get('/api/admin/audit-log'), expect: adminOnly },
  {
    name: 'GET /api/desk/calendar',
    ok: 200,
    call: (c, fx) => c.get(`/api/desk/calendar?date=${fx.date}`),
    expect: deskOnly,
  },
  {
    name: 'POST /api/desk/bookings for the owner',
    ok: 201,
    call: (c, fx) => c.post('/api/desk/bookings', { customerId: ownerId, ...fx.free('16:00') }),
    expect: deskOnly,
  },
  {
    name: 'POST /api/desk/bookings for a walk-in',
    ok: 201,
    call: (c, fx) => c.post('/api/desk/bookings', { walkIn: { name: 'Walk-in' }, ...fx.free('09:00') }),
    expect: deskOnly,
  },
  {
    name: 'GET /api/desk/customers',
    ok: 200,
    call: (c) => c.get('/api/desk/customers?q=user'),
    expect: deskOnly,
  },
  {
    name: 'GET /api/admin/audit-log (filtered)',
    ok: 200,
    call: (c) => c.get('/api/admin/audit-log?from=2026-03-01&to=2026-03-31&action=booking.'),
    expect: adminOnly,
  },
  {
    name: 'GET /api/admin/reports/summary',
    ok: 200,
    call: (c) => c.get('/api/admin/reports/summary?from=2026-03-01&to=2026-03-31'),
    expect: adminOnly,
  },
  {
    name: 'GET /api/bookings/:id/calendar.ics (its customer and the desk)',
    ok: 200,
    call: (c, fx) => c.get(`/api/bookings/${fx.bookingId}/calendar.ics`),
    expect: { ...customerSession, owner: O, otherCustomer: 404, ownStylist: 404, otherStylist: 404, reception: O, admin: O },
  },
  { name: 'GET /api/stylist/calendar-token', ok: 200, call: (c) => c.get('/api/stylist/calendar-token'), expect: stylistOnly },
  { name: 'POST /api/stylist/calendar-token', ok: 201, call: (c) => c.post('/api/stylist/calendar-token'), expect: stylistOnly },
  { name: 'DELETE /api/stylist/calendar-token', ok: 204, call: (c) => c.delete('/api/stylist/calendar-token'), expect: stylistOnly },
  {
    name: 'POST /api/waitlist (a booked time)',
    ok: 201,
    call: (c, fx) =>
      c.post('/api/waitlist', { stylistId: salon.stylist.id, serviceId: salon.service.id, date: fx.date, from: '11:00', to: '11:30' }),
    expect: { ...customersOnly, owner: O, otherCustomer: O },
  },
  {
    name: 'GET /api/waitlist/mine',
    ok: 200,
    call: (c) => c.get('/api/waitlist/mine'),
    expect: { ...customersOnly, owner: O, otherCustomer: O },
  },
  {
    name: 'DELETE /api/waitlist/:id of the owner',
    ok: 204,
    call: async (c, fx) => c.delete(`/api/waitlist/${await ownerWaitlistEntry(fx)}`),
    expect: { ...customersOnly, owner: O, otherCustomer: 404 },
  },
  {
    name: 'POST /api/waitlist/:id/decline of the owner\u2019s offer',
    ok: 200,
    call: async (c, fx) => c.post(`/api/waitlist/${await ownerWaitlistEntry(fx, true)}/decline`),
    expect: { ...customersOnly, owner: O, otherCustomer: 404 },
  },
  { name: 'GET /api/admin/stylists', ok: 200, call: (c) => c.get('/api/admin/stylists'), expect: adminOnly },
  {
    name: 'PATCH /api/admin/stylists/:id',
    ok: 200,
    call: (c) => c.patch(`/api/admin/stylists/${otherStylistId}`, { bio: 'Cuts and colour' }),
    expect: adminOnly,
  },
  { name: 'GET /api/admin/services', ok: 200, call: (c) => c.get('/api/admin/services'), expect: adminOnly },
  {
    name: 'POST /api/admin/services',
    ok: 201,
    call: (c) => c.post('/api/admin/services', { name: 'Fringe trim', durationMinutes: 15, priceCents: 500 }),
    expect: adminOnly,
  },
  {
    name: 'PATCH /api/admin/services/:id',
    ok: 200,
    call: (c) => c.patch(`/api/admin/services/${salon.service.id}`, { category: 'Hair' }),
    expect: adminOnly,
  },
  {
    name: 'DELETE /api/admin/time-off/:id',
    ok: 200,
    call: async (c) => {
      const { rows } = await db.pool.query(
        `with o as (insert into overrides (scope, stylist_id, start_date, end_date, kind, reason)
                    values ('stylist', $1, '2028-04-01', '2028-04-01', 'closed', 'Time off') returning id)
         insert into time_off_requests (stylist_id, override_id, start_date, end_date, budget_month)
         select $1, o.id, '2028-04-01', '2028-04-01', '2028-03-01' from o returning id`,
        [otherStylistId],
      );
      return c.delete(`/api/admin/time-off/${rows[0].id}`);
    },
    expect: adminOnly,
  },
  { name: 'GET /api/stylist/time-off (own only)', ok: 200, call: (c) => c.get('/api/stylist/time-off'), expect: stylistOnly },
  {
    name: 'POST /api/stylist/time-off (own only)',
    ok: 201,
    call: (c) => c.post('/api/stylist/time-off', { startDate: '2027-12-01', endDate: '2027-12-01' }),
    expect: stylistOnly,
  },
];

describe.each(ROUTES)('$name', (route) => {
  it.each(ROLES)('as %s', async (role) => {
    const fx = await fixture();
    const r = await route.call(clients[role], fx);
    const want = route.expect[role] === O ? route.ok : route.expect[role];
    expect(r.status, JSON.stringify(r.body)).toBe(want);
    if (r.status >= 400) {
      const code = ({ 400: 'INVALID_INPUT', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' } as Record<number, string>)[
        r.status
      ];
      expect(r.body.error.code).toBe(code);
    }
  });
});

describe('what each role sees', () => {
  it('a customer lists only their own bookings; a stylist only their own', async () => {
    const fx = await fixture();
    const mineOther = await clients.otherCustomer.get('/api/bookings/mine');
    expect(mineOther.body.map((b: { id: string }) => b.id)).not.toContain(fx.bookingId);
    const mineOwner = await clients.owner.get('/api/bookings/mine');
    expect(mineOwner.body.map((b: { id: string }) => b.id)).toContain(fx.bookingId);
    expect(mineOwner.body.every((b: { customerId: string }) => b.customerId === ownerId)).toBe(true);
    const range = `from=${fx.date}&to=${fx.date}`;
    const own = await clients.ownStylist.get(`/api/stylist/bookings?${range}`);
    expect(own.body.map((b: { id: string }) => b.id)).toContain(fx.bookingId);
    const other = await clients.otherStylist.get(`/api/stylist/bookings?${range}`);
    expect(other.body).toEqual([]);
    const asAdmin = await clients.admin.get(`/api/stylist/bookings?${range}&stylistId=${salon.stylist.id}`);
    expect(asAdmin.body.map((b: { id: string }) => b.id)).toContain(fx.bookingId);
  });

  it('the public slots answer carries no customer identity', async () => {
    const fx = await fixture();
    const res = await fetch(
      `${srv.baseUrl}/api/bookings/available-slots?stylistId=${salon.stylist.id}&serviceId=${salon.service.id}&targetDate=${fx.date}`,
    );
    const text = await res.text();
    expect(text).not.toContain(ownerId);
    expect(text).not.toContain(fx.bookingId);
  });
});

/** Which view of a booking event each role's socket gets for the owner's booking: none, staff, own. */
const SOCKET_VIEW: Record<Role, 'none' | 'staff' | 'own'> = {
  anon: 'none',
  owner: 'own',
  otherCustomer: 'none',
  ownStylist: 'staff',
  otherStylist: 'none',
  reception: 'staff',
  admin: 'staff',
};

describe('booking events on the socket, by role', () => {
  it('the owner’s booking, cancel and reschedule reach the owner (own view), its stylist and the front desk (staff view), nobody else', async () => {
    const sockets: ClientSocket[] = [];
    try {
      const inboxes = {} as Record<Role, Inbox>;
      for (const role of ROLES) {
        const s = await connect(srv.baseUrl, { cookie: clients[role].cookie || undefined });
        sockets.push(s);
        inboxes[role] = new Inbox(s);
      }
      const fx = await fixture();
      const made = await clients.owner.post('/api/bookings', fx.free('16:00'));
      expect(made.status).toBe(201);
      const moved = await clients.owner.post(`/api/bookings/${made.body.id}/reschedule`, { startUtc: fx.free('15:00').startUtc });
      expect(moved.status).toBe(200);
      expect((await clients.owner.post(`/api/bookings/${made.body.id}/cancel`, {})).status).toBe(200);
      const barrier = await announce(db.pool, 'all');
      await Promise.all(ROLES.map((r) => inboxes[r].next('announcement', (a) => a.id === barrier)));
      for (const role of ROLES) {
        const got = inboxes[role].all
          .filter((e) => (e.name === 'booking:created' || e.name === 'booking:updated') && e.payload.booking.id === made.body.id)
          .map((e) => ({ name: e.name, view: 'customer' in e.payload.booking ? 'staff' : 'own', status: e.payload.booking.status }));
        const want = SOCKET_VIEW[role];
        expect(got, role).toEqual(
          want === 'none'
            ? []
            : [
                { name: 'booking:created', view: want, status: 'confirmed' },
                { name: 'booking:updated', view: want, status: 'confirmed' },
                { name: 'booking:updated', view: want, status: 'cancelled' },
              ],
        );
        // Nobody but staff ever sees another customer's context, and no customer sees another's booking.
        if (role !== 'ownStylist' && role !== 'admin' && role !== 'reception' && role !== 'otherStylist')
          for (const e of inboxes[role].all.filter((x) => x.name.startsWith('booking:')))
            expect(e.payload.booking.customerId).toBe(ownerId);
      }
      expect(inboxes.otherCustomer.all.filter((e) => e.name.startsWith('booking:'))).toEqual([]);
      expect(inboxes.anon.all.filter((e) => e.name.startsWith('booking:'))).toEqual([]);
    } finally {
      for (const s of sockets) s.close();
    }
  });
});
