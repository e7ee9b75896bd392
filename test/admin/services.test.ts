// The admin's service catalogue: list (retired too), create, edit; each write audited with what
// changed; a change of duration, price or active invalidates the slot answers of every stylist
// offering the service, at once on this process (own writes) and through the outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { countRows, DAY, fakeClock, slotStatuses } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser } from '../setup/factories.ts';
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
  const a = await createUser(db.pool, { role: 'admin' });
  adminId = a.id;
  admin = await loginAs(srv.baseUrl, a.email, a.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const lastAudit = async () =>
  (await db.pool.query('select actor_id, action, target, details from audit_log order by id desc limit 1')).rows[0];

const slotsUrl = (stylistId: string) =>
  `${srv.baseUrl}/api/bookings/available-slots?stylistId=${stylistId}&serviceId=${salon.service.id}&targetDate=${DAY}`;

describe('admin services', () => {
  it('creates a service (audited), listed for the admin and in the public catalogue', async () => {
    const r = await admin.post('/api/admin/services', { name: 'Head massage', category: 'Spa', durationMinutes: 30, priceCents: 1200 });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      name: 'Head massage',
      category: 'Spa',
      durationMinutes: 30,
      priceCents: 1200,
      active: true,
      stylistCount: 0,
    });
    expect(await lastAudit()).toMatchObject({ actor_id: adminId, action: 'service.create', target: `service:${r.body.id}` });
    const list = await admin.get('/api/admin/services');
    expect(list.body.map((s: { id: string }) => s.id)).toContain(r.body.id);
    const cat = await (await fetch(`${srv.baseUrl}/api/services`)).json();
    expect(cat.map((s: { id: string }) => s.id)).toContain(r.body.id);
  });

  it('a duration change reaches every offering stylist’s cached slot answer at once; audited before/after', async () => {
    const before = await slotStatuses(srv.baseUrl, other.id, salon.service.id);
    const first = await (await fetch(slotsUrl(salon.stylist.id))).json();
    expect(first[0].endUtc).toBe(new Date(Date.parse(first[0].startUtc) + 60 * 60_000).toISOString());
    const r = await admin.patch(`/api/admin/services/${salon.service.id}`, { durationMinutes: 90, name: 'Long cut' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ durationMinutes: 90, name: 'Long cut', stylistCount: 2 });
    const a = await lastAudit();
    expect(a).toMatchObject({ action: 'service.update', target: `service:${salon.service.id}` });
    expect(a.details).toEqual({
      before: { name: expect.any(String), durationMinutes: 60 },
      after: { name: 'Long cut', durationMinutes: 90 },
    });
    for (const id of [salon.stylist.id, other.id]) {
      const res = await fetch(slotsUrl(id));
      expect(res.headers.get('x-cache-hit')).toBe('false');
      const slots = await res.json();
      expect(slots[0].endUtc).toBe(new Date(Date.parse(slots[0].startUtc) + 90 * 60_000).toISOString());
    }
    // A 90-minute visit no longer fits the last half hours of the day.
    const after = await slotStatuses(srv.baseUrl, other.id, salon.service.id);
    expect(Object.keys(after).length).toBeLessThan(Object.keys(before).length);
  });

  it('retiring a service removes it from the catalogue and its slot answers; reinstating brings them back', async () => {
    await fetch(slotsUrl(other.id));
    const off = await admin.patch(`/api/admin/services/${salon.service.id}`, { active: false });
    expect(off.body.active).toBe(false);
    expect((await fetch(slotsUrl(other.id))).status).toBe(404);
    const cat = await (await fetch(`${srv.baseUrl}/api/services`)).json();
    expect(cat.map((s: { id: string }) => s.id)).not.toContain(salon.service.id);
    // Still listed for the admin.
    const list = await admin.get('/api/admin/services');
    expect(list.body.find((s: { id: string }) => s.id === salon.service.id)).toMatchObject({ active: false });
    await admin.patch(`/api/admin/services/${salon.service.id}`, { active: true });
    expect((await fetch(slotsUrl(other.id))).status).toBe(200);
  });

  it('records one stylist.changed per offering stylist for a price change, none for a rename', async () => {
    const mark = (await db.pool.query<{ m: number }>('select coalesce(max(row_id), 0)::int as m from events')).rows[0].m;
    await admin.patch(`/api/admin/services/${salon.service.id}`, { name: 'Cut and style' });
    await admin.patch(`/api/admin/services/${salon.service.id}`, { priceCents: 7000 });
    const { rows } = await db.pool.query(`select kind, stylist_id from events where row_id > $1 order by stylist_id`, [mark]);
    expect(rows).toEqual([salon.stylist.id, other.id].sort().map((id) => ({ kind: 'stylist.changed', stylist_id: id })));
    const cat = (await (await fetch(`${srv.baseUrl}/api/stylists`)).json()) as {
      id: string;
      services: { id: string; priceCents: number }[];
    }[];
    expect(cat.find((s) => s.id === other.id)?.services.find((s) => s.id === salon.service.id)?.priceCents).toBe(7000);
  });

  it.each([
    ['an empty patch', 'patch', {}],
    ['a duration below 5', 'patch', { durationMinutes: 4 }],
    ['a duration above 720', 'post', { name: 'X', durationMinutes: 721, priceCents: 1 }],
    ['a negative price', 'post', { name: 'X', durationMinutes: 30, priceCents: -1 }],
    ['a blank name', 'post', { name: '  ', durationMinutes: 30, priceCents: 1 }],
    ['a long category', 'patch', { category: 'x'.repeat(61) }],
    ['an unknown field', 'post', { name: 'X', durationMinutes: 30, priceCents: 1, colour: 'red' }],
  ])('refuses %s with 400 and writes nothing', async (_n, method, body) => {
    const rows = await countRows(db.pool, 'services');
    const audits = await countRows(db.pool, 'audit_log');
    const r =
      method === 'post'
        ? await admin.post('/api/admin/services', body)
        : await admin.patch(`/api/admin/services/${salon.service.id}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect([await countRows(db.pool, 'services'), await countRows(db.pool, 'audit_log')]).toEqual([rows, audits]);
  });

  it('answers 404 for an unknown service; reception is refused', async () => {
    expect((await admin.patch('/api/admin/services/00000000-0000-4000-8000-000000000000', { priceCents: 1 })).status).toBe(404);
    const rec = await createUser(db.pool, { role: 'reception' });
    const desk = await loginAs(srv.baseUrl, rec.email, rec.password);
    expect((await desk.get('/api/admin/services')).status).toBe(403);
    expect((await desk.post('/api/admin/services', { name: 'X', durationMinutes: 30, priceCents: 1 })).status).toBe(403);
  });
});
