// The salon's numbers: GET /api/admin/reports/summary over rows written by factories, with every
// figure worked out by hand below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSummary } from '../../server/admin/reports.ts';
import type { ReportFiguresDto, ReportSummaryDto } from '../../server/contract/reports.ts';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let admin: HttpClient;
let stylistA: Awaited<ReturnType<typeof createStylist>>;
let stylistB: Awaited<ReturnType<typeof createStylist>>;
let serviceId: string;
let customerId: string;

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const dateOf = (ms: number) => iso(ms).slice(0, 10);

/** A booking as psql would write it; `cancelledAt` sets when it was cancelled. */
async function book(o: {
  stylistId: string;
  startUtc: string;
  minutes?: number;
  status?: string;
  priceCents?: number;
  cancelledAt?: string;
}): Promise<string> {
  const id = await insertBooking(db.pool, {
    customerId,
    stylistId: o.stylistId,
    serviceId,
    startUtc: o.startUtc,
    durationMinutes: o.minutes ?? 60,
    status: o.status,
    priceCents: o.priceCents,
  });
  if (o.cancelledAt) await db.pool.query('update bookings set cancelled_at = $2 where id = $1', [id, o.cancelledAt]);
  return id;
}

// Upcoming days (the real clock decides what is upcoming): ten days ahead, in UTC.
const FUTURE = dateOf(Date.now() + 10 * DAY_MS);

beforeAll(async () => {
  db = await freshDatabase();
  srv = await startTestServer(db.pool, { env: { ...NO_LIMITS, CURRENCY: 'NPR' } });
  const service = await createService(db.pool, { durationMinutes: 60 });
  serviceId = service.id;
  customerId = (await createUser(db.pool, { role: 'customer' })).id;
  // A: Kathmandu (UTC+05:45), 09:00–17:00 every day = 480 working minutes. B: UTC, 10:00–14:00 = 240.
  stylistA = await createStylist(db.pool, { displayName: 'Aarav', timezone: 'Asia/Kathmandu', serviceIds: [serviceId] });
  stylistB = await createStylist(db.pool, {
    displayName: 'Bina',
    timezone: 'UTC',
    serviceIds: [serviceId],
    windows: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, start: '10:00', end: '14:00' })),
  });
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);

  // 2026-03-02 for A (Kathmandu 10:00 = 04:15Z):
  await book({ stylistId: stylistA.id, startUtc: '2026-03-02T04:15:00Z', status: 'completed', priceCents: 5000 });
  await book({ stylistId: stylistA.id, startUtc: '2026-03-02T05:30:00Z', status: 'completed', priceCents: 3000 });
  await book({ stylistId: stylistA.id, startUtc: '2026-03-02T06:45:00Z', minutes: 30, status: 'no_show', priceCents: 2000 });
  // Cancelled 2 h before its start (late), and 3 days before (early).
  await book({ stylistId: stylistA.id, startUtc: '2026-03-02T08:15:00Z', status: 'cancelled', cancelledAt: '2026-03-02T06:15:00Z' });
  await book({ stylistId: stylistA.id, startUtc: '2026-03-02T09:15:00Z', status: 'cancelled', cancelledAt: '2026-02-27T09:15:00Z' });
  // A confirmed booking in the past: neither completed nor upcoming, but its chair time counts.
  await book({ stylistId: stylistA.id, startUtc: '2026-03-02T10:15:00Z', minutes: 45, status: 'confirmed', priceCents: 7000 });
  // 2026-03-03: the salon is closed; one booking there was cancelled (after its start: late).
  await db.pool.query(
    `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason) values ('salon', null, '2026-03-03', '2026-03-03', 'closed', 'Holiday')`,
  );
  await book({ stylistId: stylistA.id, startUtc: '2026-03-03T04:15:00Z', status: 'cancelled', cancelledAt: '2026-03-03T05:00:00Z' });
  // 2026-03-04: B (UTC) at 23:00Z is still B's 4 March; A's 20:00Z is already 5 March in Kathmandu (outside).
  await book({ stylistId: stylistB.id, startUtc: '2026-03-04T23:00:00Z', minutes: 30, status: 'completed', priceCents: 1500 });
  await book({ stylistId: stylistA.id, startUtc: '2026-03-04T20:00:00Z', status: 'completed', priceCents: 99_900 });
  // 2026-03-01 for B (the day before the range, in B's zone): outside.
  await book({ stylistId: stylistB.id, startUtc: '2026-03-01T12:00:00Z', status: 'completed', priceCents: 88_800 });
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const summary = async (from: string, to: string) => {
  const r = await admin.get<ReportSummaryDto>(`/api/admin/reports/summary?from=${from}&to=${to}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const row = (s: ReportSummaryDto, date: string, stylistId: string) => s.rows.find((r) => r.date === date && r.stylistId === stylistId)!;

const zero: ReportFiguresDto = {
  bookings: 0,
  completed: 0,
  noShows: 0,
  noShowRate: null,
  cancellations: 0,
  cancelledLate: 0,
  cancelledEarly: 0,
  cancelledBy: { customer: 0, stylist: 0, desk: 0 },
  bookedMinutes: 0,
  workingMinutes: 0,
  utilisation: null,
  revenueCompletedCents: 0,
  revenueUpcomingCents: 0,
};

describe('GET /api/admin/reports/summary', () => {
  it('counts each stylist’s day: outcomes, no-show rate, late cancellations, utilisation and revenue', async () => {
    const s = await summary('2026-03-02', '2026-03-04');
    expect(s).toMatchObject({ from: '2026-03-02', to: '2026-03-04', currency: 'NPR', timezone: expect.any(String) as string });
    expect(s.stylists.map((x) => x.displayName)).toEqual(['Aarav', 'Bina']);
    // Every date × stylist, in order.
    expect(s.rows.map((r) => `${r.date} ${r.stylistId === stylistA.id ? 'A' : 'B'}`)).toEqual([
      '2026-03-02 A',
      '2026-03-02 B',
      '2026-03-03 A',
      '2026-03-03 B',
      '2026-03-04 A',
      '2026-03-04 B',
    ]);
    // A on 2 March: 6 bookings; 2 completed + 1 no-show → rate 1/3; booked 60 + 60 + 30 + 45 = 195 of
    // 480 minutes; revenue 5000 + 3000; the confirmed past booking is not upcoming.
    expect(row(s, '2026-03-02', stylistA.id)).toEqual({
      ...zero,
      date: '2026-03-02',
      stylistId: stylistA.id,
      bookings: 6,
      completed: 2,
      noShows: 1,
      noShowRate: 1 / 3,
      cancellations: 2,
      cancelledLate: 1,
      cancelledEarly: 1,
      cancelledBy: { customer: 2, stylist: 0, desk: 0 },
      bookedMinutes: 195,
      workingMinutes: 480,
      utilisation: 195 / 480,
      revenueCompletedCents: 8000,
    });
    // The closure: no working minutes, so no utilisation; its cancellation (after the start) is late.
    expect(row(s, '2026-03-03', stylistA.id)).toMatchObject({
      bookings: 1,
      cancellations: 1,
      cancelledLate: 1,
      workingMinutes: 0,
      utilisation: null,
      bookedMinutes: 0,
    });
    expect(row(s, '2026-03-03', stylistB.id)).toMatchObject({ workingMinutes: 0, utilisation: null, bookings: 0 });
    // 4 March: B's late-evening booking counts on B's own date; A's (5 March in Kathmandu) does not.
    expect(row(s, '2026-03-04', stylistB.id)).toMatchObject({
      bookings: 1,
      completed: 1,
      noShowRate: 0,
      bookedMinutes: 30,
      workingMinutes: 240,
      utilisation: 30 / 240,
      revenueCompletedCents: 1500,
    });
    expect(row(s, '2026-03-04', stylistA.id)).toEqual({
      ...zero,
      date: '2026-03-04',
      stylistId: stylistA.id,
      workingMinutes: 480,
      utilisation: 0,
    });
    expect(row(s, '2026-03-02', stylistB.id)).toMatchObject({ bookings: 0, workingMinutes: 240, utilisation: 0 });

    // Per day, per stylist and overall.
    expect(s.days.map((d) => [d.date, d.bookings, d.workingMinutes, d.revenueCompletedCents])).toEqual([
      ['2026-03-02', 6, 720, 8000],
      ['2026-03-03', 1, 0, 0],
      ['2026-03-04', 1, 720, 1500],
    ]);
    const byA = s.byStylist.find((b) => b.stylistId === stylistA.id)!;
    expect(byA).toMatchObject({ bookings: 7, cancellations: 3, cancelledLate: 2, workingMinutes: 960, utilisation: 195 / 960 });
    expect(s.totals).toMatchObject({
      bookings: 8,
      completed: 3,
      noShows: 1,
      noShowRate: 1 / 4,
      cancellations: 3,
      bookedMinutes: 225,
      workingMinutes: 960 + 480,
      utilisation: 225 / 1440,
      revenueCompletedCents: 9500,
      revenueUpcomingCents: 0,
    });
  });

  it('counts upcoming confirmed revenue, and who cancelled through the API (the desk, the stylist, the customer)', async () => {
    // Three confirmed bookings for B ten days ahead at 08:00, 10:00 and 12:00 UTC, and a customer's own at 14:00.
    const ids = [];
    for (const h of ['08', '10', '12']) {
      ids.push(await book({ stylistId: stylistB.id, startUtc: `${FUTURE}T${h}:00:00Z`, priceCents: 4500 }));
    }
    const customer = await createUser(db.pool, { role: 'customer' });
    const mine = await insertBooking(db.pool, {
      customerId: customer.id,
      stylistId: stylistB.id,
      serviceId,
      startUtc: `${FUTURE}T14:00:00Z`,
      priceCents: 4500,
    });
    const stylistClient = await loginAs(srv.baseUrl, stylistB.email, stylistB.password);
    const customerClient = await loginAs(srv.baseUrl, customer.email, customer.password);
    expect((await admin.post(`/api/bookings/${ids[0]}/cancel`, { reason: 'Asked by phone' })).status).toBe(200);
    expect((await stylistClient.post(`/api/bookings/${ids[1]}/cancel`, { reason: 'Unwell' })).status).toBe(200);
    expect((await customerClient.post(`/api/bookings/${mine}/cancel`, {})).status).toBe(200);

    const s = await summary(FUTURE, FUTURE);
    expect(row(s, FUTURE, stylistB.id)).toMatchObject({
      bookings: 4,
      cancellations: 3,
      // Cancelled now, ten days ahead: early.
      cancelledLate: 0,
      cancelledEarly: 3,
      cancelledBy: { customer: 1, stylist: 1, desk: 1 },
      bookedMinutes: 60,
      revenueUpcomingCents: 4500,
      revenueCompletedCents: 0,
    });
    const { rows } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from bookings where id = any($1::uuid[]) and cancelled_at is not null`,
      [[ids[0], ids[1], mine]],
    );
    expect(rows[0].n).toBe(3);
  });

  it('reads a fixed number of queries whatever the range and the number of stylists', async () => {
    const count = async (from: string, to: string) => {
      let n = 0;
      const counting = {
        query: (...args: Parameters<typeof db.pool.query>) => {
          n++;
          return (db.pool.query as (...a: unknown[]) => unknown)(...args);
        },
      } as unknown as Parameters<typeof reportSummary>[0];
      const s = await reportSummary(counting, { from, to }, { nowMs: Date.now(), timezone: 'UTC', currency: 'NPR' });
      return { n, rows: s.rows.length };
    };
    const short = await count('2026-03-02', '2026-03-02');
    await createStylist(db.pool, { displayName: 'Chandra' });
    const long = await count('2026-01-01', '2026-04-02');
    expect(long.rows).toBe(92 * 3);
    expect(short.rows).toBe(2);
    expect(long.n).toBe(short.n);
    expect(long.n).toBeLessThanOrEqual(4);
  });

  it.each([
    ['', 'from and to are required'],
    ['?from=2026-03-02', 'to is required'],
    ['?from=2026-03-05&to=2026-03-04', 'to before from'],
    ['?from=2026-01-01&to=2026-04-03', '93 days'],
    ['?from=2026-02-30&to=2026-03-02', 'not a calendar date'],
    ['?from=1999-12-31&to=2000-01-01', 'before the first date'],
    ['?from=2026-03-02&to=2026-03-03&stylistId=x', 'an unknown parameter'],
    ['?from=2026-03-02&from=2026-03-01&to=2026-03-03', 'a repeated parameter'],
  ])('answers 400 INVALID_INPUT for %s (%s)', async (q) => {
    const r = await admin.get<{ error: { code: string } }>(`/api/admin/reports/summary${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
  });

  it('serves admins only', async () => {
    const anon = new HttpClient(srv.baseUrl);
    expect((await anon.get('/api/admin/reports/summary?from=2026-03-02&to=2026-03-02')).status).toBe(401);
    const r = await createUser(db.pool, { role: 'reception' });
    const desk = await loginAs(srv.baseUrl, r.email, r.password);
    expect((await desk.get('/api/admin/reports/summary?from=2026-03-02&to=2026-03-02')).status).toBe(403);
  });
});
