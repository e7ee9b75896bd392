// The audit log's actor names and server-side filters, and the metrics for the admin console.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let admin: HttpClient;
let adminId: string;
let stylist: HttpClient;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { displayName: 'Priya Gurung' });
  // A token on /metrics: scrapers need it, the admin console does not.
  srv = await startTestServer(db.pool, { env: { ...NO_LIMITS, METRICS_TOKEN: 'scrape-token-123' } });
  const a = await createUser(db.pool, { role: 'admin', displayName: 'Salon Boss' });
  adminId = a.id;
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);

  // A known history, oldest first: two announcements and an override by the admin, a safety-notes
  // read by the stylist, and an entry with no actor (a maintenance script).
  await admin.post('/api/admin/announcements', { message: 'one', audience: 'all', level: 'info' });
  await admin.post('/api/admin/overrides', {
    scope: 'salon',
    startDate: '2027-05-01',
    endDate: '2027-05-01',
    kind: 'closed',
    reason: 'Holiday',
  });
  await db.pool.query(
    `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents)
    values ($1, $2, $3, '2027-05-02T04:15Z', '2027-05-02T05:15Z', '2027-05-02T05:30Z', 'confirmed', 100)`,
    [salon.customer.id, salon.stylist.id, salon.service.id],
  );
  expect(
    (await stylist.post(`/api/stylist/customers/${salon.customer.id}/safety-notes`, { reason: 'colour service planned' })).status,
  ).toBe(200);
  await db.pool.query(`insert into audit_log (actor_id, action, target) values (null, 'booking.purge', 'booking:old')`);
  await admin.post('/api/admin/announcements', { message: 'two', audience: 'stylists', level: 'warning' });
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

type Entry = { id: number; action: string; actorId: string | null; actorName: string | null; actorRole: string | null };
const log = async (q = '') => {
  const r = await admin.get<Entry[]>(`/api/admin/audit-log${q}`);
  expect(r.status).toBe(200);
  return r.body;
};

describe('GET /api/admin/audit-log', () => {
  it('names each actor and their role, and null for an entry without one', async () => {
    expect((await log()).map((e) => [e.action, e.actorName, e.actorRole])).toEqual([
      ['announcement.create', 'Salon Boss', 'admin'],
      ['booking.purge', null, null],
      ['customer.safety_notes.read', 'Priya Gurung', 'stylist'],
      ['override.create', 'Salon Boss', 'admin'],
      ['announcement.create', 'Salon Boss', 'admin'],
    ]);
  });

  it('filters by action prefix and by actor, on the server, with paging', async () => {
    expect((await log('?action=announcement.')).map((e) => e.action)).toEqual(['announcement.create', 'announcement.create']);
    expect((await log('?action=override.create')).map((e) => e.action)).toEqual(['override.create']);
    expect((await log('?action=customer')).map((e) => e.action)).toEqual(['customer.safety_notes.read']);
    expect(await log('?action=payment.')).toEqual([]);
    expect((await log(`?actorId=${salon.stylist.userId}`)).map((e) => e.actorName)).toEqual(['Priya Gurung']);
    const mine = await log(`?actorId=${adminId}&limit=2`);
    expect(mine.map((e) => e.action)).toEqual(['announcement.create', 'override.create']);
    const older = await log(`?actorId=${adminId}&limit=2&before=${mine[1].id}`);
    expect(older.map((e) => e.action)).toEqual(['announcement.create']);
    expect(await log(`?actorId=${adminId}&action=booking.`)).toEqual([]);
    // A prefix is taken literally: LIKE wildcards are not accepted at all.
    for (const q of [
      'action=%25',
      'action=booking_%25',
      'action=',
      'action=a%20b',
      `action=${'a'.repeat(101)}`,
      'actorId=nope',
      'actor=x',
    ]) {
      const r = await admin.get(`/api/admin/audit-log?${q}`);
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'INVALID_INPUT']);
    }
  });

  it('is for admins only', async () => {
    expect((await stylist.get('/api/admin/audit-log')).status).toBe(403);
    expect((await new HttpClient(srv.baseUrl).get('/api/admin/audit-log')).status).toBe(401);
  });
});

describe('GET /api/admin/metrics', () => {
  it('answers the Prometheus text of /metrics to an admin session, without the scrape token', async () => {
    const r = await admin.get('/api/admin/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    for (const name of [
      'kb_slot_cache_hits_total',
      'kb_sockets_connected',
      'kb_relay_lag_seconds_count',
      'kb_http_request_duration_seconds_bucket',
    ]) {
      expect(r.body).toContain(name);
    }
    // The same registry as the scrape endpoint, which keeps asking for its token.
    expect((await fetch(`${srv.baseUrl}/metrics`)).status).toBe(401);
    const scraped = await (await fetch(`${srv.baseUrl}/metrics`, { headers: { authorization: 'Bearer scrape-token-123' } })).text();
    const names = (text: string) =>
      new Set(
        text
          .split('\n')
          .filter((l) => l.startsWith('# TYPE'))
          .map((l) => l.split(' ')[2]),
      );
    expect(names(r.body)).toEqual(names(scraped));
  });

  it('refuses other roles, anonymous visitors and parameters', async () => {
    const s = await stylist.get('/api/admin/metrics');
    expect([s.status, s.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const a = await new HttpClient(srv.baseUrl).get('/api/admin/metrics');
    expect([a.status, a.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const q = await admin.get('/api/admin/metrics?format=json');
    expect([q.status, q.body.error.code]).toEqual([400, 'INVALID_INPUT']);
  });
});

describe('GET /api/admin/audit-log: names, links and dates', () => {
  type Named = Entry & {
    target: string;
    customerId: string | null;
    customerName: string | null;
    stylistId: string | null;
    stylistName: string | null;
    date: string | null;
    startUtc: string | null;
  };
  const named = async (q = '') => {
    const r = await admin.get<Named[]>(`/api/admin/audit-log${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  it('names the customer and stylist of each target, with a booking’s local date and start and an override’s first date', async () => {
    expect((await admin.get<{ timezone: string }>('/api/salon')).body.timezone).toBe('Asia/Kathmandu');
    const { rows } = await db.pool.query<{ id: string; customer: string }>(
      `select b.id, u.display_name as customer from bookings b join users u on u.id = b.customer_id where b.stylist_id = $1`,
      [salon.stylist.id],
    );
    expect((await admin.post(`/api/bookings/${rows[0].id}/cancel`, { reason: 'Called in' })).status).toBe(200);
    const entries = await named();
    const cancel = entries.find((e) => e.action === 'booking.status')!;
    // 04:15Z is 10:00 on 2 May in Kathmandu.
    expect(cancel).toMatchObject({
      target: `booking:${rows[0].id}`,
      customerId: salon.customer.id,
      customerName: rows[0].customer,
      stylistId: salon.stylist.id,
      stylistName: 'Priya Gurung',
      date: '2027-05-02',
      startUtc: '2027-05-02T04:15:00.000Z',
    });
    expect(entries.find((e) => e.action === 'override.create')).toMatchObject({
      stylistId: null,
      customerId: null,
      date: '2027-05-01',
      startUtc: null,
    });
    // A safety-notes read names the customer read about and the stylist who read.
    expect(entries.find((e) => e.action === 'customer.safety_notes.read')).toMatchObject({
      customerName: rows[0].customer,
      stylistName: 'Priya Gurung',
      date: null,
    });
    // A target that is not an id names nobody (and breaks nothing).
    expect(entries.find((e) => e.target === 'booking:old')).toMatchObject({ customerId: null, stylistId: null, date: null });
  });

  it('filters by salon-local dates, with the other filters and paging', async () => {
    // 18:14Z and 18:15Z on 10 January are 23:59 on the 10th and 00:00 on the 11th in Kathmandu.
    await db.pool.query(
      `insert into audit_log (actor_id, at, action, target) values
         ($1, '2026-01-10T18:14:00Z', 'test.before', 'x:1'),
         ($1, '2026-01-10T18:15:00Z', 'test.first', 'x:2'),
         (null, '2026-01-11T12:00:00Z', 'test.noon', 'x:3'),
         ($1, '2026-01-11T18:14:59Z', 'test.last', 'x:4'),
         ($1, '2026-01-11T18:15:00Z', 'test.after', 'x:5')`,
      [adminId],
    );
    expect((await named('?from=2026-01-11&to=2026-01-11')).map((e) => e.action)).toEqual(['test.last', 'test.noon', 'test.first']);
    expect((await named(`?from=2026-01-11&to=2026-01-11&actorId=${adminId}`)).map((e) => e.action)).toEqual(['test.last', 'test.first']);
    expect((await named('?to=2026-01-10&action=test.')).map((e) => e.action)).toEqual(['test.before']);
    const page = await named('?from=2026-01-11&to=2026-01-11&limit=2');
    expect(page.map((e) => e.action)).toEqual(['test.last', 'test.noon']);
    expect((await named(`?from=2026-01-11&to=2026-01-11&limit=2&before=${page[1].id}`)).map((e) => e.action)).toEqual(['test.first']);
    expect((await named('?from=2026-01-12&action=test.')).map((e) => e.action)).toEqual(['test.after']);
    expect(await named('?from=2026-01-13&action=test.')).toEqual([]);
    for (const q of ['from=2026-01-12&to=2026-01-11', 'from=2026-13-01', 'to=20260111', 'from=1999-12-31', 'from=2026-01-11T00:00']) {
      const r = await admin.get(`/api/admin/audit-log?${q}`);
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'INVALID_INPUT']);
    }
  });
});
