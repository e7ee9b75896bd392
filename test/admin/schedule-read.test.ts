// GET /api/admin/stylists/:id/schedule: the weekly schedule in force, in the PUT body's shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { countRows, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createStylist, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let admin: HttpClient;
// 2027-03-01T00:00Z: already 2027-03-01 05:45 in Kathmandu.
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const week = (windows: (d: number) => { start: string; end: string }[]) =>
  [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, windows: windows(d) }));

describe('GET /api/admin/stylists/:id/schedule', () => {
  it('answers today\u2019s version as all seven days, days off empty, breaks as separate windows', async () => {
    const st = await createStylist(db.pool, {
      effectiveFrom: '2026-06-01',
      windows: [
        { dayOfWeek: 1, start: '14:00', end: '18:00' },
        { dayOfWeek: 1, start: '10:00', end: '13:00' },
        { dayOfWeek: 5, start: '10:00', end: '16:00' },
      ],
    });
    const r = await admin.get(`/api/admin/stylists/${st.id}/schedule`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      stylistId: st.id,
      date: '2027-03-01',
      effectiveFrom: '2026-06-01',
      effectiveUntil: null,
      days: week((d) =>
        d === 1
          ? [
              { start: '10:00', end: '13:00' },
              { start: '14:00', end: '18:00' },
            ]
          : d === 5
            ? [{ start: '10:00', end: '16:00' }]
            : [],
      ),
    });
  });

  it('follows a replacement: the old version until the day before, the new one from its date; PUT takes the answer back', async () => {
    const st = await createStylist(db.pool, { effectiveFrom: '2020-01-01' });
    const nineToFive = week(() => [{ start: '09:00', end: '17:00' }]);
    const put = await admin.put(`/api/admin/stylists/${st.id}/schedule`, {
      effectiveFrom: '2027-03-15',
      days: [{ dayOfWeek: 3, windows: [{ start: '16:00', end: '24:00' }] }],
    });
    expect(put.status).toBe(200);

    const now = await admin.get(`/api/admin/stylists/${st.id}/schedule`);
    expect(now.body).toEqual({
      stylistId: st.id,
      date: '2027-03-01',
      effectiveFrom: '2020-01-01',
      effectiveUntil: '2027-03-14',
      days: nineToFive,
    });
    const lastDay = await admin.get(`/api/admin/stylists/${st.id}/schedule?date=2027-03-14`);
    expect(lastDay.body.effectiveFrom).toBe('2020-01-01');
    const later = await admin.get(`/api/admin/stylists/${st.id}/schedule?date=2027-03-15`);
    expect(later.body).toEqual({
      stylistId: st.id,
      date: '2027-03-15',
      effectiveFrom: '2027-03-15',
      effectiveUntil: null,
      days: week((d) => (d === 3 ? [{ start: '16:00', end: '24:00' }] : [])),
    });

    // The answer's days are a valid PUT body: writing them back changes no hours.
    const back = await admin.put(`/api/admin/stylists/${st.id}/schedule`, { effectiveFrom: '2027-04-01', days: later.body.days });
    expect(back.status).toBe(200);
    const again = await admin.get(`/api/admin/stylists/${st.id}/schedule?date=2027-04-01`);
    expect(again.body.days).toEqual(later.body.days);
  });

  it('says when no schedule applies: effectiveFrom null and seven empty days', async () => {
    const st = await createStylist(db.pool, { windows: [] });
    const r = await admin.get(`/api/admin/stylists/${st.id}/schedule`);
    expect(r.body).toEqual({ stylistId: st.id, date: '2027-03-01', effectiveFrom: null, effectiveUntil: null, days: week(() => []) });
    const before = await createStylist(db.pool, { effectiveFrom: '2027-06-01' });
    expect((await admin.get(`/api/admin/stylists/${before.id}/schedule`)).body.effectiveFrom).toBeNull();
    expect((await admin.get(`/api/admin/stylists/${before.id}/schedule?date=2027-06-01`)).body.effectiveFrom).toBe('2027-06-01');
  });

  it('defaults the date to today in the stylist\u2019s zone', async () => {
    const st = await createStylist(db.pool, { timezone: 'Pacific/Kiritimati' });
    const at = clock.t;
    clock.set('2027-03-01T12:00:00Z'); // already 2027-03-02 in UTC+14
    try {
      expect((await admin.get(`/api/admin/stylists/${st.id}/schedule`)).body.date).toBe('2027-03-02');
    } finally {
      clock.t = at;
    }
  });

  it.each([
    ['an unknown stylist', '00000000-0000-4000-8000-000000000000', '', 404, 'NOT_FOUND'],
    ['a malformed id', 'nope', '', 400, 'INVALID_INPUT'],
    ['a date that does not exist', 'ok', '?date=2027-02-29', 400, 'INVALID_INPUT'],
    ['a malformed date', 'ok', '?date=today', 400, 'INVALID_INPUT'],
    ['an unknown parameter', 'ok', '?version=2', 400, 'INVALID_INPUT'],
    ['a repeated parameter', 'ok', '?date=2027-03-01&date=2027-03-02', 400, 'INVALID_INPUT'],
  ])('refuses %s', async (_n, which, q, status, code) => {
    const id = which === 'ok' ? (await createStylist(db.pool)).id : which;
    const r = await admin.get(`/api/admin/stylists/${id}/schedule${q}`);
    expect([r.status, r.body.error.code]).toEqual([status, code]);
  });

  it('is for admins only and writes nothing', async () => {
    const st = await createStylist(db.pool);
    const audits = await countRows(db.pool, 'audit_log');
    const anonymous = await new HttpClient(srv.baseUrl).get(`/api/admin/stylists/${st.id}/schedule`);
    expect(anonymous.status).toBe(401);
    const self = await loginAs(srv.baseUrl, st.email, st.password);
    expect((await self.get(`/api/admin/stylists/${st.id}/schedule`)).status).toBe(403);
    expect(await countRows(db.pool, 'audit_log')).toBe(audits);
  });
});
