import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, countRows, fakeClock, slotStatuses } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let admin: HttpClient;
let adminId: string;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin', displayName: 'Salon Boss' });
  adminId = a.id;
  admin = await loginAs(srv.baseUrl, a.email, a.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const lastAudit = async () =>
  (await db.pool.query('select actor_id, action, target, details from audit_log order by id desc limit 1')).rows[0];

describe('POST /api/admin/stylists', () => {
  it('onboards a stylist with services, overrides, zone and settings; they can log in; audited', async () => {
    const extra = await createService(db.pool, { name: 'Beard trim', durationMinutes: 20, priceCents: 1500 });
    const r = await admin.post('/api/admin/stylists', {
      displayName: 'Asha Poudel',
      email: 'Asha@Salon.test',
      password: 'long-enough-pw',
      timezone: 'Europe/London',
      bio: 'Cuts',
      slotStepMinutes: 15,
      bufferMinutes: 10,
      services: [{ serviceId: salon.service.id }, { serviceId: extra.id, durationMinutes: 30, priceCents: 2000 }],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      displayName: 'Asha Poudel',
      email: 'asha@salon.test',
      timezone: 'Europe/London',
      bio: 'Cuts',
      slotStepMinutes: 15,
      bufferMinutes: 10,
      minNoticeMinutes: 60,
      horizonDays: 60,
      active: true,
    });
    expect(r.body.services).toEqual(
      expect.arrayContaining([
        { id: salon.service.id, name: expect.any(String), durationMinutes: 60, priceCents: salon.service.priceCents },
        { id: extra.id, name: 'Beard trim', durationMinutes: 30, priceCents: 2000 },
      ]),
    );
    expect(await lastAudit()).toMatchObject({ actor_id: adminId, action: 'stylist.create', target: `stylist:${r.body.id}` });
    const login = await loginAs(srv.baseUrl, 'asha@salon.test', 'long-enough-pw');
    expect((await login.get('/api/auth/me')).body.user).toMatchObject({ role: 'stylist', stylistId: r.body.id });
    // Password never stored in the audit log.
    expect(JSON.stringify(await lastAudit())).not.toContain('long-enough-pw');
  });

  it.each([
    ['an unknown zone', { timezone: 'Mars/Olympus' }, 400, 'UNKNOWN_TIMEZONE'],
    ['a zone Postgres reads differently (IST)', { timezone: 'IST' }, 400, 'UNKNOWN_TIMEZONE'],
    ['an unknown service', { services: [{ serviceId: '00000000-0000-4000-8000-000000000000' }] }, 404, 'NOT_FOUND'],
    ['a service twice', { services: [{ serviceId: 'S' }, { serviceId: 'S' }] }, 400, 'INVALID_INPUT'],
    ['a taken email', { email: 'TAKEN' }, 409, 'CONFLICT'],
  ])('refuses %s (%i %s) and writes nothing', async (_n, patch, status, code) => {
    const body: Record<string, unknown> = {
      displayName: 'X',
      email: `x-${Math.random().toString(36).slice(2)}@x.test`,
      password: 'long-enough-pw',
      timezone: 'Asia/Kathmandu',
      services: [],
      ...patch,
    };
    if (body.email === 'TAKEN') body.email = other.email;
    if (Array.isArray(body.services))
      body.services = (body.services as { serviceId: string }[]).map((s) => (s.serviceId === 'S' ? { serviceId: salon.service.id } : s));
    const counts = async () => [
      await countRows(db.pool, 'users'),
      await countRows(db.pool, 'stylists'),
      await countRows(db.pool, 'stylist_services'),
      await countRows(db.pool, 'audit_log'),
    ];
    const before = await counts();
    const r = await admin.post('/api/admin/stylists', body);
    expect([r.status, r.body.error.code]).toEqual([status, code]);
    expect(await counts()).toEqual(before);
  });
});

describe('PUT /api/admin/stylists/:id/schedule', () => {
  it('replaces the weekly schedule from effectiveFrom; earlier dates keep the old one; the cache follows at once', async () => {
    const st = await createStylist(db.pool, { serviceIds: [salon.service.id] });
    const s = (d: string) => slotStatuses(srv.baseUrl, st.id, salon.service.id, d);
    // Warm the cache for a date after the change.
    expect(Object.keys(await s('2027-03-17'))[0]).toBe('09:00');
    const r = await admin.put(`/api/admin/stylists/${st.id}/schedule`, {
      effectiveFrom: '2027-03-15',
      days: [
        {
          dayOfWeek: 3,
          windows: [
            { start: '13:00', end: '15:00' },
            { start: '10:00', end: '12:00' },
          ],
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      stylistId: st.id,
      effectiveFrom: '2027-03-15',
      days: [
        {
          dayOfWeek: 3,
          windows: [
            { start: '10:00', end: '12:00' },
            { start: '13:00', end: '15:00' },
          ],
        },
      ],
    });
    // 2027-03-10 is a Wednesday before the change; 2027-03-17 one after it; 2027-03-18 a Thursday after it.
    expect(Object.keys(await s('2027-03-10'))[0]).toBe('09:00');
    expect(Object.keys(await s('2027-03-17'))).toEqual(['10:00', '10:30', '11:00', '13:00', '13:30', '14:00']);
    expect(await s('2027-03-18')).toEqual({});
    const { rows } = await db.pool.query(
      'select effective_from, effective_until from schedule_windows where stylist_id = $1 and day_of_week = 1',
      [st.id],
    );
    expect(rows).toEqual([{ effective_from: '2020-01-01', effective_until: '2027-03-14' }]);
    expect(await lastAudit()).toMatchObject({ action: 'schedule.replace', target: `stylist:${st.id}` });

    // A second replacement from an earlier date drops the later version entirely.
    await admin.put(`/api/admin/stylists/${st.id}/schedule`, {
      effectiveFrom: '2027-03-12',
      days: [{ dayOfWeek: 3, windows: [{ start: '16:00', end: '24:00' }] }],
    });
    const { rows: versions } = await db.pool.query(
      'select distinct effective_from from schedule_windows where stylist_id = $1 order by 1',
      [st.id],
    );
    expect(versions.map((v) => v.effective_from)).toEqual(['2020-01-01', '2027-03-12']);
    expect(Object.keys(await s('2027-03-17')).at(-1)).toBe('23:00');
  });

  it('defaults effectiveFrom to today in the stylist\u2019s zone', async () => {
    const st = await createStylist(db.pool, { timezone: 'Pacific/Kiritimati' });
    clock.set('2027-03-01T12:00:00Z'); // already 2027-03-02 in UTC+14
    try {
      const r = await admin.put(`/api/admin/stylists/${st.id}/schedule`, { days: [] });
      expect(r.body.effectiveFrom).toBe('2027-03-02');
    } finally {
      clock.t = Date.parse('2027-03-01T00:00:00Z');
    }
  });

  it.each([
    ['an unknown stylist', 'unknown', { days: [] }, 404, 'NOT_FOUND'],
    ['a malformed id', 'bad', { days: [] }, 400, 'INVALID_INPUT'],
    [
      'a day twice',
      'ok',
      {
        days: [
          { dayOfWeek: 1, windows: [] },
          { dayOfWeek: 1, windows: [] },
        ],
      },
      400,
      'INVALID_INPUT',
    ],
    ['day 7', 'ok', { days: [{ dayOfWeek: 7, windows: [] }] }, 400, 'INVALID_INPUT'],
    [
      'overlapping windows',
      'ok',
      {
        days: [
          {
            dayOfWeek: 1,
            windows: [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '13:00' },
            ],
          },
        ],
      },
      400,
      'INVALID_INPUT',
    ],
    ['an end before the start', 'ok', { days: [{ dayOfWeek: 1, windows: [{ start: '12:00', end: '09:00' }] }] }, 400, 'INVALID_INPUT'],
    ['a start of 24:00', 'ok', { days: [{ dayOfWeek: 1, windows: [{ start: '24:00', end: '24:00' }] }] }, 400, 'INVALID_INPUT'],
    ['25:00', 'ok', { days: [{ dayOfWeek: 1, windows: [{ start: '09:00', end: '25:00' }] }] }, 400, 'INVALID_INPUT'],
    ['a bad date', 'ok', { effectiveFrom: '2027-02-29', days: [] }, 400, 'INVALID_INPUT'],
    ['missing days', 'ok', {}, 400, 'INVALID_INPUT'],
    ['an extra field', 'ok', { days: [], note: 1 }, 400, 'INVALID_INPUT'],
  ])('refuses %s (%i) and changes nothing', async (_n, which, body, status, code) => {
    const id = which === 'ok' ? other.id : which === 'bad' ? 'nope' : '00000000-0000-4000-8000-000000000000';
    const before = (await db.pool.query('select * from schedule_windows order by id')).rows;
    const r = await admin.put(`/api/admin/stylists/${id}/schedule`, body);
    expect([r.status, r.body.error.code]).toEqual([status, code]);
    expect((await db.pool.query('select * from schedule_windows order by id')).rows).toEqual(before);
  });
});

describe('overrides', () => {
  const DATE = '2027-03-20';
  let ids: Record<string, string>;
  beforeEach(async () => {
    await db.pool.query('delete from overrides');
    await db.pool.query(`update bookings set status = 'cancelled' where status in ('pending', 'confirmed', 'in_progress')`);
    srv.app.slots.invalidateAll();
    const book = (stylistId: string, hhmm: string, status = 'confirmed', date = DATE, customerId = salon.customer.id) =>
      insertBooking(db.pool, { customerId, stylistId, serviceId: salon.service.id, startUtc: at(hhmm, date), status });
    ids = {
      nine: await book(salon.stylist.id, '09:00'),
      eleven: await book(salon.stylist.id, '11:00', 'pending'),
      two: await book(salon.stylist.id, '14:00'),
      cancelled: await book(salon.stylist.id, '15:30', 'cancelled'),
      otherDay: await book(salon.stylist.id, '11:00', 'confirmed', '2027-03-21'),
      // Another customer: one customer cannot be with two stylists at 11:00 (bookings_customer_no_overlap).
      otherStylist: await book(other.id, '11:00', 'confirmed', DATE, (await createUser(db.pool)).id),
    };
  });
  const affected = (r: { body: { affectedBookings: { id: string }[] } }) => r.body.affectedBookings.map((b) => b.id);
  const body = (o: Record<string, unknown>) => ({
    scope: 'stylist',
    stylistId: salon.stylist.id,
    startDate: DATE,
    endDate: DATE,
    reason: 'Test',
    ...o,
  });

  it('a closure answers every active booking of its days and scope, cancels none, and closes the slots at once', async () => {
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE))['16:00']).toBe('available');
    const r = await admin.post('/api/admin/overrides', body({ kind: 'closed' }));
    expect(r.status).toBe(201);
    expect(r.body.override).toMatchObject({
      scope: 'stylist',
      stylistId: salon.stylist.id,
      startDate: DATE,
      endDate: DATE,
      kind: 'closed',
      start: null,
      end: null,
      priority: 0,
      reason: 'Test',
      createdBy: adminId,
    });
    expect(affected(r)).toEqual([ids.nine, ids.eleven, ids.two]);
    expect(r.body.affectedBookings[1]).toMatchObject({ status: 'pending', startUtc: at('11:00', DATE) });
    expect(
      await countRows(db.pool, 'bookings', `id = any($1) and status in ('confirmed', 'pending')`, [[ids.nine, ids.eleven, ids.two]]),
    ).toBe(3);
    expect(await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE)).toEqual({});
    expect(await lastAudit()).toMatchObject({ actor_id: adminId, action: 'override.create', target: `override:${r.body.override.id}` });
  });

  it('a blocked window answers only the bookings it overlaps', async () => {
    const r = await admin.post('/api/admin/overrides', body({ kind: 'blocked', start: '11:30', end: '14:30' }));
    expect(affected(r)).toEqual([ids.eleven, ids.two]);
    const s = await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE);
    expect(s['12:00']).toBeUndefined();
  });

  it('special hours answer the bookings outside them', async () => {
    const r = await admin.post('/api/admin/overrides', body({ kind: 'hours', start: '10:00', end: '15:00', priority: 5 }));
    expect(affected(r)).toEqual([ids.nine]);
  });

  it('a salon-wide closure answers the bookings of every stylist on those days', async () => {
    const r = await admin.post('/api/admin/overrides', {
      scope: 'salon',
      startDate: DATE,
      endDate: '2027-03-21',
      kind: 'closed',
      reason: 'Holiday',
    });
    expect(r.status).toBe(201);
    expect(new Set(affected(r))).toEqual(new Set([ids.nine, ids.eleven, ids.two, ids.otherDay, ids.otherStylist]));
    expect(await slotStatuses(srv.baseUrl, other.id, salon.service.id, DATE)).toEqual({});
  });

  it('lists overrides by date range and deletes them (slots reopen at once)', async () => {
    const a = await admin.post('/api/admin/overrides', body({ kind: 'closed' }));
    await admin.post('/api/admin/overrides', body({ kind: 'closed', startDate: '2027-04-01', endDate: '2027-04-02' }));
    const list = await admin.get('/api/admin/overrides?from=2027-03-19&to=2027-03-25');
    expect(list.body.map((o: { id: string }) => o.id)).toEqual([a.body.override.id]);
    expect((await admin.get('/api/admin/overrides')).body).toHaveLength(2);
    expect(await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE)).toEqual({});
    const del = await admin.delete(`/api/admin/overrides/${a.body.override.id}`);
    expect(del.status).toBe(204);
    expect((await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE))['16:00']).toBe('available');
    expect(await lastAudit()).toMatchObject({ action: 'override.delete', target: `override:${a.body.override.id}` });
    const again = await admin.delete(`/api/admin/overrides/${a.body.override.id}`);
    expect([again.status, again.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it.each([
    ['stylist scope without a stylist', { scope: 'stylist', stylistId: undefined, kind: 'closed' }, 400, 'INVALID_INPUT'],
    ['salon scope with a stylist', { scope: 'salon', kind: 'closed' }, 400, 'INVALID_INPUT'],
    ['closed with times', { kind: 'closed', start: '09:00', end: '10:00' }, 400, 'INVALID_INPUT'],
    ['hours without times', { kind: 'hours' }, 400, 'INVALID_INPUT'],
    ['blocked with end before start', { kind: 'blocked', start: '12:00', end: '11:00' }, 400, 'INVALID_INPUT'],
    ['an unknown kind', { kind: 'vacation' }, 400, 'INVALID_INPUT'],
    ['endDate before startDate', { kind: 'closed', endDate: '2027-03-19' }, 400, 'INVALID_INPUT'],
    ['more than a year', { kind: 'closed', endDate: '2028-03-20' }, 400, 'INVALID_INPUT'],
    ['a bad date', { kind: 'closed', startDate: '2027-02-30' }, 400, 'INVALID_INPUT'],
    ['priority out of range', { kind: 'hours', start: '09:00', end: '10:00', priority: 5000 }, 400, 'INVALID_INPUT'],
    ['an empty reason', { kind: 'closed', reason: '  ' }, 400, 'INVALID_INPUT'],
    ['an unknown stylist', { kind: 'closed', stylistId: '00000000-0000-4000-8000-000000000000' }, 404, 'NOT_FOUND'],
    ['an extra field', { kind: 'closed', cancelBookings: true }, 400, 'INVALID_INPUT'],
  ])('refuses %s (%i %s) and writes nothing', async (_n, patch, status, code) => {
    const before = [await countRows(db.pool, 'overrides'), await countRows(db.pool, 'audit_log')];
    const r = await admin.post('/api/admin/overrides', body(patch));
    expect([r.status, r.body.error.code]).toEqual([status, code]);
    expect([await countRows(db.pool, 'overrides'), await countRows(db.pool, 'audit_log')]).toEqual(before);
  });
});

describe('announcements and the audit log', () => {
  it('stores an announcement and audits it', async () => {
    const r = await admin.post('/api/admin/announcements', { message: 'Closed Friday', audience: 'customers', level: 'warning' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      message: 'Closed Friday',
      audience: 'customers',
      level: 'warning',
      createdBy: adminId,
      at: expect.any(String),
    });
    expect(await countRows(db.pool, 'announcements', 'id = $1', [r.body.id])).toBe(1);
    expect(await lastAudit()).toMatchObject({ action: 'announcement.create', target: `announcement:${r.body.id}` });
    for (const bad of [
      { message: '', audience: 'all', level: 'info' },
      { message: 'x', audience: 'everyone', level: 'info' },
      { message: 'x'.repeat(1001), audience: 'all', level: 'info' },
      { message: 'x', audience: 'all' },
    ]) {
      expect((await admin.post('/api/admin/announcements', bad)).status).toBe(400);
    }
  });

  it('pages the audit log newest first with limit and before', async () => {
    for (let i = 0; i < 5; i++) await admin.post('/api/admin/announcements', { message: `m${i}`, audience: 'all', level: 'info' });
    const first = await admin.get('/api/admin/audit-log?limit=3');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(3);
    expect(first.body.map((e: { details: { message: string } }) => e.details.message)).toEqual(['m4', 'm3', 'm2']);
    expect(first.body[0]).toEqual({
      id: expect.any(Number),
      at: expect.any(String),
      actorId: adminId,
      actorName: 'Salon Boss',
      actorRole: 'admin',
      action: 'announcement.create',
      target: expect.stringMatching(/^announcement:/),
      details: { message: 'm4', audience: 'all', level: 'info' },
      // An announcement concerns no customer, stylist or date.
      customerId: null,
      customerName: null,
      stylistId: null,
      stylistName: null,
      date: null,
      startUtc: null,
    });
    const next = await admin.get(`/api/admin/audit-log?limit=2&before=${first.body[2].id}`);
    expect(next.body.map((e: { details: { message: string } }) => e.details.message)).toEqual(['m1', 'm0']);
    for (const q of ['limit=0', 'limit=501', 'limit=abc', 'before=-1', 'before=1.5', 'offset=3']) {
      const r = await admin.get(`/api/admin/audit-log?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
    }
  });
});
