// PATCH /api/admin/stylists/:id: profile, zone, slot settings, services and budgets, audited with
// the before and after of what changed; slot answers invalidated; deactivation hides the stylist
// and flags their bookings that have not ended (attention `inactive`), reactivation clears them,
// each flag change a booking.updated event of the same transaction.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, countRows, fakeClock, slotStatuses } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const DATE = '2027-03-20';
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let admin: HttpClient;
let adminId: string;
let customer: HttpClient;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin' });
  adminId = a.id;
  const me = await db.pool.query<{ email: string }>('select email from users where id = $1', [salon.customer.id]);
  [admin, customer] = await Promise.all([
    loginAs(srv.baseUrl, a.email, a.password),
    loginAs(srv.baseUrl, me.rows[0].email, salon.customer.password),
  ]);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

beforeEach(async () => {
  await db.pool.query(`update stylists set active = true`);
  await db.pool.query(`update bookings set status = 'cancelled' where status in ('pending', 'confirmed', 'in_progress')`);
});

const lastAudit = async () =>
  (await db.pool.query('select actor_id, action, target, details from audit_log order by id desc limit 1')).rows[0];
const patch = (id: string, body: unknown) => admin.patch(`/api/admin/stylists/${id}`, body);

describe('PATCH /api/admin/stylists/:id', () => {
  it('changes profile and settings, audits only what changed (before and after), and answers the stylist', async () => {
    const r = await patch(other.id, { displayName: 'Rina Shrestha', bio: 'Colour', slotStepMinutes: 15, bufferMinutes: 15 });
    expect(r.status).toBe(200);
    expect(r.body.stylist).toMatchObject({
      id: other.id,
      displayName: 'Rina Shrestha',
      bio: 'Colour',
      slotStepMinutes: 15,
      bufferMinutes: 15,
    });
    expect(r.body).toMatchObject({ flaggedBookingIds: [], clearedBookingIds: [] });
    const a = await lastAudit();
    expect(a).toMatchObject({ actor_id: adminId, action: 'stylist.update', target: `stylist:${other.id}` });
    // bufferMinutes was 15 already: not a change, not in the audit.
    expect(a.details.before).toEqual({ displayName: expect.any(String), bio: '', slotStepMinutes: 30 });
    expect(a.details.after).toEqual({ displayName: 'Rina Shrestha', bio: 'Colour', slotStepMinutes: 15 });
    const list = await admin.get('/api/admin/stylists');
    expect(list.body.find((s: { id: string }) => s.id === other.id)).toMatchObject({
      displayName: 'Rina Shrestha',
      timeOffBudget: 3,
      emergencyBudget: 1,
    });
  });

  it('a settings change invalidates the cached slot answers at once (stylist.changed)', async () => {
    const before = await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE);
    expect(Object.keys(before)).toContain('09:30');
    const r = await patch(salon.stylist.id, { slotStepMinutes: 60 });
    expect(r.status).toBe(200);
    const after = await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, DATE);
    expect(Object.keys(after)).not.toContain('09:30');
    expect(Object.keys(after)).toContain('10:00');
    await patch(salon.stylist.id, { slotStepMinutes: 30 });
  });

  it('replaces the offered services with per-stylist duration and price; audited; a retired new service is refused', async () => {
    const extra = await createService(db.pool, { name: 'Beard', durationMinutes: 20, priceCents: 1500 });
    const r = await patch(other.id, {
      services: [{ serviceId: extra.id, durationMinutes: 30, priceCents: 2500 }],
    });
    expect(r.status).toBe(200);
    expect(r.body.stylist.services).toEqual([{ id: extra.id, name: 'Beard', durationMinutes: 30, priceCents: 2500 }]);
    const a = await lastAudit();
    expect(a.details.before.services).toEqual([{ serviceId: salon.service.id, durationMinutes: null, priceCents: null }]);
    expect(a.details.after.services).toEqual([{ serviceId: extra.id, durationMinutes: 30, priceCents: 2500 }]);
    // The public slot answer follows: the old service is no longer offered, the new one has its own duration.
    const old = await fetch(
      `${srv.baseUrl}/api/bookings/available-slots?stylistId=${other.id}&serviceId=${salon.service.id}&targetDate=${DATE}`,
    );
    expect(old.status).toBe(404);
    const retired = await createService(db.pool, { name: 'Old perm' });
    await db.pool.query('update services set active = false where id = $1', [retired.id]);
    const refused = await patch(other.id, { services: [{ serviceId: retired.id }] });
    expect(refused.status).toBe(404);
    expect(refused.body.error.details).toEqual({ serviceIds: [retired.id] });
    expect(await countRows(db.pool, 'stylist_services', 'stylist_id = $1', [other.id])).toBe(1);
    await patch(other.id, { services: [{ serviceId: salon.service.id }] });
  });

  it('changes the zone to a canonical IANA name only', async () => {
    expect((await patch(other.id, { timezone: 'IST' })).body.error.code).toBe('UNKNOWN_TIMEZONE');
    const r = await patch(other.id, { timezone: 'Europe/London' });
    expect(r.body.stylist.timezone).toBe('Europe/London');
    await patch(other.id, { timezone: 'Asia/Kathmandu' });
  });

  it.each([
    ['an empty body', {}],
    ['an unknown field', { colour: 'red' }],
    ['a step below the bound', { slotStepMinutes: 4 }],
    ['a horizon above the bound', { horizonDays: 731 }],
    ['a notice above the bound', { minNoticeMinutes: 43_201 }],
    ['a negative budget', { timeOffBudget: -1 }],
    ['a budget above 31', { emergencyBudget: 32 }],
    ['a service twice', { services: [{ serviceId: 'S' }, { serviceId: 'S' }] }],
    ['active as a string', { active: 'no' }],
  ])('refuses %s with 400 INVALID_INPUT and writes nothing', async (_n, body) => {
    const json = JSON.parse(JSON.stringify(body).replaceAll('"S"', `"${salon.service.id}"`));
    const audits = await countRows(db.pool, 'audit_log');
    const r = await patch(other.id, json);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect(await countRows(db.pool, 'audit_log')).toBe(audits);
  });

  it('answers 404 for an unknown stylist', async () => {
    const r = await patch('00000000-0000-4000-8000-000000000000', { bio: 'x' });
    expect(r.status).toBe(404);
  });

  it('deactivating hides the stylist, flags their bookings that have not ended, and reactivating clears them', async () => {
    const book = (startUtc: string) =>
      insertBooking(db.pool, { customerId: salon.customer.id, stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc });
    const future = await book(at('10:00', DATE));
    const past = await book(at('10:00', '2025-01-10'));
    const theirs = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: at('12:00', DATE),
    });
    const list = await admin.get('/api/admin/stylists');
    expect(list.body.find((s: { id: string }) => s.id === salon.stylist.id).futureActiveBookings).toBe(1);
    const mark = (await db.pool.query<{ m: number }>('select coalesce(max(row_id), 0)::int as m from events')).rows[0].m;

    const off = await patch(salon.stylist.id, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ flaggedBookingIds: [future], clearedBookingIds: [] });
    expect(off.body.stylist.active).toBe(false);
    // Gone from the catalogue and the slot answers.
    const cat = await (await fetch(`${srv.baseUrl}/api/stylists`)).json();
    expect(cat.map((s: { id: string }) => s.id)).not.toContain(salon.stylist.id);
    const slots = await fetch(
      `${srv.baseUrl}/api/bookings/available-slots?stylistId=${salon.stylist.id}&serviceId=${salon.service.id}&targetDate=${DATE}`,
    );
    expect(slots.status).toBe(404);
    // The customer sees the flag; the past booking and another stylist's are left alone.
    const mine = (await customer.get('/api/bookings/mine')).body as { id: string; attention: unknown }[];
    const att = (id: string) => mine.find((b) => b.id === id)?.attention;
    expect(att(future)).toEqual({ reason: 'inactive', overrideId: null });
    expect(att(past)).toBeNull();
    expect(att(theirs)).toBeNull();
    const { rows: events } = await db.pool.query(
      `select kind, entity_id, data->'attention' as attention from events where row_id > $1 order by row_id`,
      [mark],
    );
    expect(events).toEqual([
      { kind: 'stylist.changed', entity_id: salon.stylist.id, attention: null },
      { kind: 'booking.updated', entity_id: future, attention: { reason: 'inactive', overrideId: null } },
    ]);
    const a = await lastAudit();
    expect(a.details).toMatchObject({ before: { active: true }, after: { active: false }, attentionChangedBookingIds: [future] });

    const on = await patch(salon.stylist.id, { active: true });
    expect(on.body).toMatchObject({ flaggedBookingIds: [], clearedBookingIds: [future] });
    const again = (await customer.get('/api/bookings/mine')).body as { id: string; attention: unknown }[];
    expect(again.find((b) => b.id === future)?.attention).toBeNull();
    const { rows: cleared } = await db.pool.query(
      `select data->'attention' as attention from events where row_id > $1 and kind = 'booking.updated' order by row_id`,
      [mark],
    );
    expect(cleared.map((r) => r.attention)).toEqual([{ reason: 'inactive', overrideId: null }, null]);
  });

  it('an inactive stylist cannot be booked', async () => {
    await patch(salon.stylist.id, { active: false });
    const r = await customer.post('/api/bookings', {
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('11:00', DATE),
    });
    expect(r.status).toBe(404);
  });

  it('reception and stylists are refused (403)', async () => {
    const rec = await createUser(db.pool, { role: 'reception' });
    const desk = await loginAs(srv.baseUrl, rec.email, rec.password);
    expect((await desk.patch(`/api/admin/stylists/${other.id}`, { bio: 'x' })).status).toBe(403);
    const st = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    expect((await st.patch(`/api/admin/stylists/${salon.stylist.id}`, { timeOffBudget: 31 })).status).toBe(403);
  });
});
