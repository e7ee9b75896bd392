// Bad input on every write route: a 4xx with its stable code, and not one row written anywhere.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { at, fakeClock } from './fixture.ts';

const TABLES = [
  'users',
  'stylists',
  'stylist_services',
  'schedule_windows',
  'overrides',
  'holds',
  'bookings',
  'announcements',
  'audit_log',
  'events',
];

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let customer: HttpClient;
let stylist: HttpClient;
let admin: HttpClient;
let bookingId: string;
let holdId: string;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  bookingId = await insertBooking(db.pool, {
    customerId: salon.customer.id,
    stylistId: salon.stylist.id,
    serviceId: salon.service.id,
    startUtc: at('11:00'),
  });
  holdId = (await customer.post('/api/holds', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('14:00') })).body.id;
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

let snapshot: Record<string, number>;
async function counts(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query(`select ${TABLES.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(', ')}`);
  return rows[0];
}
beforeEach(async () => {
  snapshot = await counts();
});

const valid = () => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('15:00') });
const bad = <T extends Record<string, unknown>>(base: () => T) =>
  [
    [
      'missing field',
      () => {
        const b: Record<string, unknown> = { ...base() };
        delete b[Object.keys(b)[0]];
        return b;
      },
    ],
    ['extra field', () => ({ ...base(), customerId: salon.customer.id })],
    ['null body field', () => Object.fromEntries(Object.entries(base()).map(([k], i) => [k, i === 0 ? null : base()[k]]))],
    ['number for a string', () => Object.fromEntries(Object.entries(base()).map(([k, v], i) => [k, i === 0 ? 42 : v]))],
    ['empty object', () => ({})],
    ['array', () => [base()]],
  ] as const;

type Case = [string, 'customer' | 'stylist' | 'admin', string, string, () => unknown, number, string, Record<string, string>?];

const CASES: Case[] = [
  // holds
  ...bad(valid).map(([n, body]): Case => [`POST /api/holds: ${n}`, 'customer', 'POST', '/api/holds', body, 400, 'INVALID_INPUT']),
  ['POST /api/holds: malformed uuid', 'customer', 'POST', '/api/holds', () => ({ ...valid(), stylistId: 'abc' }), 400, 'INVALID_INPUT'],
  [
    'POST /api/holds: instant without zone',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: '2027-03-10T09:00:00' }),
    400,
    'INVALID_INPUT',
  ],
  [
    'POST /api/holds: not an instant',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: 'tomorrow 9am' }),
    400,
    'INVALID_INPUT',
  ],
  [
    'POST /api/holds: impossible date',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: '2027-02-30T09:00:00Z' }),
    400,
    'INVALID_INPUT',
  ],
  // Instants are accepted from 2000 to before 2100 (the API's calendar window): beyond it is bad input.
  [
    'POST /api/holds: year 9999',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: '9999-12-31T09:00:00Z' }),
    400,
    'INVALID_INPUT',
  ],
  [
    'POST /api/holds: year 0001',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: '0001-01-01T09:00:00Z' }),
    400,
    'INVALID_INPUT',
  ],
  [
    'POST /api/holds: year 2099, past the horizon',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: '2099-12-31T09:00:00Z' }),
    400,
    'OUTSIDE_HOURS',
  ],
  [
    'POST /api/holds: year 2000, in the past',
    'customer',
    'POST',
    '/api/holds',
    () => ({ ...valid(), startUtc: '2000-01-01T09:00:00Z' }),
    400,
    'IN_PAST',
  ],
  ['DELETE /api/holds/:id: malformed id', 'customer', 'DELETE', '/api/holds/123', () => undefined, 400, 'INVALID_INPUT'],
  [
    'DELETE /api/holds/:id: unknown id',
    'customer',
    'DELETE',
    '/api/holds/00000000-0000-4000-8000-000000000000',
    () => undefined,
    404,
    'NOT_FOUND',
  ],
  // bookings
  ...bad(valid).map(([n, body]): Case => [`POST /api/bookings: ${n}`, 'customer', 'POST', '/api/bookings', body, 400, 'INVALID_INPUT']),
  ['POST /api/bookings: holdId and a start', 'customer', 'POST', '/api/bookings', () => ({ holdId, ...valid() }), 400, 'INVALID_INPUT'],
  [
    'POST /api/bookings: notes too long',
    'customer',
    'POST',
    '/api/bookings',
    () => ({ ...valid(), notes: 'x'.repeat(2001) }),
    400,
    'INVALID_INPUT',
  ],
  [
    'POST /api/bookings: notes not text',
    'customer',
    'POST',
    '/api/bookings',
    () => ({ ...valid(), notes: { a: 1 } }),
    400,
    'INVALID_INPUT',
  ],
  [
    'POST /api/bookings: unknown hold',
    'customer',
    'POST',
    '/api/bookings',
    () => ({ holdId: '00000000-0000-4000-8000-000000000000' }),
    404,
    'NOT_FOUND',
  ],
  [
    'POST /api/bookings: malformed Idempotency-Key',
    'customer',
    'POST',
    '/api/bookings',
    valid,
    400,
    'INVALID_INPUT',
    { 'idempotency-key': 'has spaces in it' },
  ],
  [
    'POST /api/bookings: huge Idempotency-Key',
    'customer',
    'POST',
    '/api/bookings',
    valid,
    400,
    'INVALID_INPUT',
    { 'idempotency-key': 'k'.repeat(201) },
  ],
  ['GET /api/bookings/mine: limit 0', 'customer', 'GET', '/api/bookings/mine?limit=0', () => undefined, 400, 'INVALID_INPUT'],
  ['GET /api/bookings/mine: unknown parameter', 'customer', 'GET', '/api/bookings/mine?all=1', () => undefined, 400, 'INVALID_INPUT'],
  ['cancel: malformed id', 'customer', 'POST', '/api/bookings/xyz/cancel', () => ({}), 400, 'INVALID_INPUT'],
  ['cancel: extra field', 'customer', 'POST', 'BOOKING/cancel', () => ({ reason: 'x', refund: true }), 400, 'INVALID_INPUT'],
  ['cancel: reason not text', 'customer', 'POST', 'BOOKING/cancel', () => ({ reason: 5 }), 400, 'INVALID_INPUT'],
  ['cancel: reason too long', 'customer', 'POST', 'BOOKING/cancel', () => ({ reason: 'x'.repeat(501) }), 400, 'INVALID_INPUT'],
  [
    'cancel: unknown booking',
    'customer',
    'POST',
    '/api/bookings/00000000-0000-4000-8000-000000000000/cancel',
    () => ({}),
    404,
    'NOT_FOUND',
  ],
  ['reschedule: missing startUtc', 'customer', 'POST', 'BOOKING/reschedule', () => ({}), 400, 'INVALID_INPUT'],
  ['reschedule: malformed startUtc', 'customer', 'POST', 'BOOKING/reschedule', () => ({ startUtc: '11:00' }), 400, 'INVALID_INPUT'],
  [
    'reschedule: extra field',
    'customer',
    'POST',
    'BOOKING/reschedule',
    () => ({ startUtc: at('15:00'), customerId: salon.customer.id }),
    400,
    'INVALID_INPUT',
  ],
  ['reschedule: off the grid', 'customer', 'POST', 'BOOKING/reschedule', () => ({ startUtc: at('15:05') }), 400, 'NOT_ON_GRID'],
  ['reschedule: in the past', 'customer', 'POST', 'BOOKING/reschedule', () => ({ startUtc: at('11:00', '2027-02-10') }), 400, 'IN_PAST'],
  ['status: unknown status', 'stylist', 'POST', 'BOOKING/status', () => ({ status: 'done' }), 400, 'INVALID_INPUT'],
  ['status: missing status', 'stylist', 'POST', 'BOOKING/status', () => ({}), 400, 'INVALID_INPUT'],
  ['status: status as a number', 'stylist', 'POST', 'BOOKING/status', () => ({ status: 1 }), 400, 'INVALID_INPUT'],
  ['status: extra field', 'stylist', 'POST', 'BOOKING/status', () => ({ status: 'cancelled', force: true }), 400, 'INVALID_INPUT'],
  ['status: same status', 'stylist', 'POST', 'BOOKING/status', () => ({ status: 'confirmed' }), 409, 'INVALID_TRANSITION'],
  // stylist and admin bodies beyond those in their own test files
  [
    'safety notes: body is a string',
    'stylist',
    'POST',
    `/api/stylist/customers/CUSTOMER/safety-notes`,
    () => '"because I want to"',
    400,
    'INVALID_INPUT',
  ],
  [
    'admin stylists: wrong types',
    'admin',
    'POST',
    '/api/admin/stylists',
    () => ({ displayName: 1, email: true, password: [], timezone: {}, services: 'all' }),
    400,
    'INVALID_INPUT',
  ],
  [
    'admin stylists: step out of range',
    'admin',
    'POST',
    '/api/admin/stylists',
    () => ({ displayName: 'A', email: 'a@a.test', password: 'long-enough', timezone: 'UTC', slotStepMinutes: 1, services: [] }),
    400,
    'INVALID_INPUT',
  ],
  [
    'admin stylists: negative price',
    'admin',
    'POST',
    '/api/admin/stylists',
    () => ({
      displayName: 'A',
      email: 'a@a.test',
      password: 'long-enough',
      timezone: 'UTC',
      services: [{ serviceId: salon.service.id, priceCents: -1 }],
    }),
    400,
    'INVALID_INPUT',
  ],
  [
    'admin stylists: fractional duration',
    'admin',
    'POST',
    '/api/admin/stylists',
    () => ({
      displayName: 'A',
      email: 'a@a.test',
      password: 'long-enough',
      timezone: 'UTC',
      services: [{ serviceId: salon.service.id, durationMinutes: 30.5 }],
    }),
    400,
    'INVALID_INPUT',
  ],
  [
    'admin stylists: zone that is a path',
    'admin',
    'POST',
    '/api/admin/stylists',
    () => ({ displayName: 'A', email: 'a@a.test', password: 'long-enough', timezone: '../../etc/passwd', services: [] }),
    400,
    'INVALID_INPUT',
  ],
  ['admin overrides: list with a bad date', 'admin', 'GET', '/api/admin/overrides?from=2027-13-01', () => undefined, 400, 'INVALID_INPUT'],
  ['admin overrides: delete a malformed id', 'admin', 'DELETE', '/api/admin/overrides/1', () => undefined, 400, 'INVALID_INPUT'],
];

const who = () => ({ customer, stylist, admin });
const resolvePath = (p: string) => p.replace('BOOKING', `/api/bookings/${bookingId}`).replace('CUSTOMER', salon.customer.id);

describe('bad input', () => {
  it.each(CASES)('%s → %s', async (_name, role, method, path, body, status, code, headers) => {
    const r = await who()[role].request(method, resolvePath(path), body(), headers);
    expect([r.status, r.body?.error?.code]).toEqual([status, code]);
    expect(await counts()).toEqual(snapshot);
  });
});

// Every route that reads a body, with a body over the limit (16 kB by default).
const WRITE_ROUTES: [string, 'customer' | 'stylist' | 'admin', string, string][] = [
  ['register', 'customer', 'POST', '/api/auth/register'],
  ['login', 'customer', 'POST', '/api/auth/login'],
  ['hold', 'customer', 'POST', '/api/holds'],
  ['book', 'customer', 'POST', '/api/bookings'],
  ['cancel', 'customer', 'POST', 'BOOKING/cancel'],
  ['reschedule', 'customer', 'POST', 'BOOKING/reschedule'],
  ['status', 'stylist', 'POST', 'BOOKING/status'],
  ['safety notes', 'stylist', 'POST', '/api/stylist/customers/CUSTOMER/safety-notes'],
  ['admin stylists', 'admin', 'POST', '/api/admin/stylists'],
  ['admin schedule', 'admin', 'PUT', `/api/admin/stylists/STYLIST/schedule`],
  ['admin overrides', 'admin', 'POST', '/api/admin/overrides'],
  ['admin announcements', 'admin', 'POST', '/api/admin/announcements'],
];

describe('huge bodies', () => {
  it.each(WRITE_ROUTES)('%s → 413 PAYLOAD_TOO_LARGE, nothing written', async (_n, role, method, path) => {
    const r = await who()[role].request(method, resolvePath(path).replace('STYLIST', salon.stylist.id), { notes: 'x'.repeat(100_000) });
    expect([r.status, r.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await counts()).toEqual(snapshot);
  });
});

describe('the booking and hold are untouched by all of the above', () => {
  it('still has its booking and hold as made', async () => {
    const { rows } = await db.pool.query('select status, start_at from bookings where id = $1', [bookingId]);
    expect([rows[0].status, rows[0].start_at.toISOString()]).toEqual(['confirmed', at('11:00')]);
    expect((await db.pool.query('select 1 from holds where id = $1', [holdId])).rows).toHaveLength(1);
  });
});
