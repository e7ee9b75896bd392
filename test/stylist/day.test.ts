// GET /api/stylist/day: the timeline's working windows (after overrides), holds and overrides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, countRows, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const DAY = '2027-03-12'; // a Friday
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let stylist: HttpClient;
let admin: HttpClient;
let adminId: string;
const clock = fakeClock(Date.parse('2027-03-10T00:00:00Z'));
const iso = (ms: number) => new Date(ms).toISOString();

async function hold(stylistId: string, hhmm: string, expiresAt: number, date = DAY) {
  const customer = await createUser(db.pool);
  const start = Date.parse(at(hhmm, date));
  await db.pool.query(
    `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      customer.id,
      stylistId,
      salon.service.id,
      new Date(start),
      new Date(start + 3_600_000),
      new Date(start + 4_500_000),
      new Date(expiresAt),
    ],
  );
}

async function override(o: {
  scope: 'salon' | 'stylist';
  stylistId?: string;
  kind: string;
  start?: string;
  end?: string;
  date?: string;
  reason: string;
  priority?: number;
}) {
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into overrides (scope, stylist_id, start_date, end_date, kind, start_time, end_time, priority, reason, created_by)
     values ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9) returning id`,
    [o.scope, o.stylistId ?? null, o.date ?? DAY, o.kind, o.start ?? null, o.end ?? null, o.priority ?? 0, o.reason, adminId],
  );
  return rows[0].id;
}

beforeAll(async () => {
  db = await freshDatabase();
  // Mornings and afternoons with a lunch break, every day.
  const windows = [0, 1, 2, 3, 4, 5, 6].flatMap((d) => [
    { dayOfWeek: d, start: '09:00', end: '13:00' },
    { dayOfWeek: d, start: '14:00', end: '17:00' },
  ]);
  salon = await createSalon(db.pool, { windows });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin' });
  adminId = a.id;
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

describe('GET /api/stylist/day', () => {
  it('answers the working windows after overrides, unexpired holds without their customer, and the overrides of the day', async () => {
    const training = await override({ scope: 'salon', kind: 'blocked', start: '15:00', end: '16:00', reason: 'Team training' });
    await override({ scope: 'stylist', stylistId: other.id, kind: 'closed', reason: 'Someone else\u2019s day off' });
    await override({ scope: 'salon', kind: 'closed', date: '2027-03-13', reason: 'Another day' });
    await hold(salon.stylist.id, '10:00', clock.t + 5 * 60_000);
    await hold(salon.stylist.id, '11:30', clock.t - 1000); // expired, not swept yet
    await hold(other.id, '10:00', clock.t + 5 * 60_000);
    await hold(salon.stylist.id, '10:00', clock.t + 5 * 60_000, '2027-03-11');

    const r = await stylist.get(`/api/stylist/day?date=${DAY}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      stylistId: salon.stylist.id,
      date: DAY,
      timezone: 'Asia/Kathmandu',
      windows: [
        { startUtc: at('09:00', DAY), endUtc: at('13:00', DAY) },
        { startUtc: at('14:00', DAY), endUtc: at('15:00', DAY) },
        { startUtc: at('16:00', DAY), endUtc: at('17:00', DAY) },
      ].map((w) => ({ startUtc: iso(Date.parse(w.startUtc)), endUtc: iso(Date.parse(w.endUtc)) })),
      holds: [
        { startUtc: iso(Date.parse(at('10:00', DAY))), endUtc: iso(Date.parse(at('11:00', DAY))), expiresAt: iso(clock.t + 5 * 60_000) },
      ],
      overrides: [
        {
          id: training,
          scope: 'salon',
          stylistId: null,
          startDate: DAY,
          endDate: DAY,
          kind: 'blocked',
          start: '15:00',
          end: '16:00',
          priority: 0,
          reason: 'Team training',
          createdBy: adminId,
          createdAt: expect.any(String),
          // An admin's override, not a stylist's time off.
          timeOff: null,
        },
      ],
      // No booking of the day is outside the hours.
      attention: [],
    });
    // The day as customers see it agrees: no start in the block or the lunch break.
    const slots = await (
      await fetch(
        `${srv.baseUrl}/api/bookings/available-slots?stylistId=${salon.stylist.id}&serviceId=${salon.service.id}&targetDate=${DAY}`,
      )
    ).json();
    for (const s of slots as { startUtc: string; endUtc: string }[]) {
      expect(r.body.windows.some((w: { startUtc: string; endUtc: string }) => w.startUtc <= s.startUtc && s.endUtc <= w.endUtc)).toBe(true);
    }
  });

  it('answers special hours and a closed day as the slot engine does', async () => {
    const date = '2027-03-15';
    await override({
      scope: 'stylist',
      stylistId: salon.stylist.id,
      kind: 'hours',
      start: '11:00',
      end: '19:30',
      date,
      reason: 'Late opening',
      priority: 1,
    });
    await override({
      scope: 'stylist',
      stylistId: salon.stylist.id,
      kind: 'hours',
      start: '08:00',
      end: '09:00',
      date,
      reason: 'Loses on priority',
    });
    const r = await stylist.get(`/api/stylist/day?date=${date}`);
    expect(r.body.windows).toEqual([{ startUtc: iso(Date.parse(at('11:00', date))), endUtc: iso(Date.parse(at('19:30', date))) }]);
    expect(r.body.overrides.map((o: { reason: string }) => o.reason)).toEqual(['Late opening', 'Loses on priority']);
    const closed = await stylist.get('/api/stylist/day?date=2027-03-13');
    expect(closed.body.windows).toEqual([]);
    expect(closed.body.overrides.map((o: { kind: string }) => o.kind)).toEqual(['closed']);
  });

  it('resolves wall times in the stylist\u2019s zone across a DST change', async () => {
    const london = await createStylist(db.pool, { timezone: 'Europe/London', windows: [{ dayOfWeek: 0, start: '00:30', end: '03:00' }] });
    const client = await loginAs(srv.baseUrl, london.email, london.password);
    // 2027-03-28: clocks go from 01:00 GMT to 02:00 BST, so 00:30–03:00 local lasts 90 minutes.
    const r = await client.get('/api/stylist/day?date=2027-03-28');
    expect(r.body).toMatchObject({
      timezone: 'Europe/London',
      windows: [{ startUtc: '2027-03-28T00:30:00.000Z', endUtc: '2027-03-28T02:00:00.000Z' }],
    });
  });

  it('lets an admin read any stylist\u2019s day by naming them', async () => {
    const r = await admin.get(`/api/stylist/day?date=${DAY}&stylistId=${other.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      stylistId: other.id,
      windows: [],
      overrides: [expect.objectContaining({ kind: 'blocked' }), expect.objectContaining({ kind: 'closed' })],
    });
    expect(r.body.holds).toHaveLength(1);
    const unnamed = await admin.get(`/api/stylist/day?date=${DAY}`);
    expect([unnamed.status, unnamed.body.error.code]).toEqual([400, 'INVALID_INPUT']);
    const unknown = await admin.get(`/api/stylist/day?date=${DAY}&stylistId=00000000-0000-4000-8000-000000000000`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('keeps a stylist to their own day, customers and visitors out, and writes nothing', async () => {
    const audits = await countRows(db.pool, 'audit_log');
    const others = await stylist.get(`/api/stylist/day?date=${DAY}&stylistId=${other.id}`);
    expect([others.status, others.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const own = await stylist.get(`/api/stylist/day?date=${DAY}&stylistId=${salon.stylist.id}`);
    expect(own.status).toBe(200);
    const customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
    const c = await customer.get(`/api/stylist/day?date=${DAY}`);
    expect([c.status, c.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const anonymous = await new HttpClient(srv.baseUrl).get(`/api/stylist/day?date=${DAY}`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await countRows(db.pool, 'audit_log')).toBe(audits);
  });

  it.each([
    ['no date', ''],
    ['a date that does not exist', 'date=2027-02-29'],
    ['a malformed date', 'date=12-03-2027'],
    ['a malformed stylist id', `date=${DAY}&stylistId=nope`],
    ['an unknown parameter', `date=${DAY}&serviceId=x`],
    ['a repeated date', `date=${DAY}&date=${DAY}`],
  ])('refuses %s with 400 INVALID_INPUT', async (_n, q) => {
    const r = await stylist.get(`/api/stylist/day?${q}`);
    expect([r.status, r.body.error.code]).toEqual([400, 'INVALID_INPUT']);
  });
});
