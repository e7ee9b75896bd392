// Bookings an override puts outside the working hours carry `attention` in every view (customer,
// stylist, admin), the override writes record a booking.updated event for each booking whose flag
// changes, and the customer can move such a booking to one of the nearest free times, with any
// stylist offering the service.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, fakeClock } from './fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const DATE = '2027-03-20';
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
let admin: HttpClient;
let customer: HttpClient;
let stranger: HttpClient;
let strangerId: string;
let stylist: HttpClient;
let ids: Record<string, string>;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin' });
  const s = await createUser(db.pool, { role: 'customer' });
  strangerId = s.id;
  const me = await db.pool.query<{ email: string }>('select email from users where id = $1', [salon.customer.id]);
  [admin, customer, stranger, stylist] = await Promise.all([
    loginAs(srv.baseUrl, a.email, a.password),
    loginAs(srv.baseUrl, me.rows[0].email, salon.customer.password),
    loginAs(srv.baseUrl, s.email, s.password),
    loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password),
  ]);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

let mark = 0;
beforeEach(async () => {
  await db.pool.query('delete from overrides');
  await db.pool.query(`update bookings set status = 'cancelled' where status in ('pending', 'confirmed', 'in_progress')`);
  srv.app.slots.invalidateAll();
  const book = (stylistId: string, hhmm: string, status = 'confirmed') =>
    insertBooking(db.pool, { customerId: salon.customer.id, stylistId, serviceId: salon.service.id, startUtc: at(hhmm, DATE), status });
  // The stylists work 09:00–17:00; `early` was put outside them by someone else (not an override's doing).
  ids = {
    early: await book(salon.stylist.id, '07:00'),
    nine: await book(salon.stylist.id, '09:00'),
    eleven: await book(salon.stylist.id, '11:00', 'cancelled'),
    two: await book(salon.stylist.id, '14:00', 'pending'),
    otherStylist: await book(other.id, '11:00'),
  };
  mark = (await db.pool.query<{ m: number }>('select coalesce(max(row_id), 0)::int as m from events')).rows[0].m;
});

const closure = (o: Record<string, unknown> = {}) => ({
  scope: 'stylist',
  stylistId: salon.stylist.id,
  startDate: DATE,
  endDate: DATE,
  kind: 'closed',
  reason: 'Burst pipe',
  ...o,
});

type Flags = Record<string, { reason: string; overrideId: string } | null>;
/** attention by booking name, as the list answers it (bookings the list does not show are left out). */
function flagsOf(list: { id: string; attention?: unknown }[]): Flags {
  const out: Flags = {};
  for (const [name, id] of Object.entries(ids)) {
    const b = list.find((x) => x.id === id);
    if (b) out[name] = (b.attention ?? null) as Flags[string];
  }
  return out;
}

/** booking.updated events recorded since the test began that carry an attention change: [booking name, attention]. */
async function attentionEvents(): Promise<[string, unknown][]> {
  const { rows } = await db.pool.query<{ entity_id: string; attention: unknown }>(
    `select entity_id, data->'attention' as attention from events
      where row_id > $1 and kind = 'booking.updated' and data ? 'attention' order by row_id`,
    [mark],
  );
  const name = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? id;
  return rows.map((r) => [name(r.entity_id), r.attention]);
}

async function views() {
  const [mine, own, asAdmin, day] = await Promise.all([
    customer.get('/api/bookings/mine'),
    stylist.get(`/api/stylist/bookings?from=${DATE}&to=${DATE}`),
    admin.get(`/api/stylist/bookings?from=${DATE}&to=${DATE}&stylistId=${other.id}`),
    stylist.get(`/api/stylist/day?date=${DATE}`),
  ]);
  expect([mine.status, own.status, asAdmin.status, day.status]).toEqual([200, 200, 200, 200]);
  return { mine: flagsOf(mine.body), stylist: flagsOf(own.body), admin: flagsOf(asAdmin.body), day: day.body.attention };
}

describe('attention', () => {
  it('a closure on a booked day flags exactly the active bookings it puts outside the hours, in every view', async () => {
    const created = await admin.post('/api/admin/overrides', closure());
    expect(created.status).toBe(201);
    const flag = { reason: 'closed', overrideId: created.body.override.id };
    const v = await views();
    expect(v.mine).toEqual({ early: null, nine: flag, eleven: null, two: flag, otherStylist: null });
    expect(v.stylist).toEqual({ early: null, nine: flag, eleven: null, two: flag });
    expect(v.admin).toEqual({ otherStylist: null });
    expect(v.day).toEqual([
      { bookingId: ids.nine, ...flag },
      { bookingId: ids.two, ...flag },
    ]);
    // One event per booking that became flagged, in the override's transaction.
    expect(await attentionEvents()).toEqual([
      ['nine', flag],
      ['two', flag],
    ]);
  });

  it.each([
    ['a block', { kind: 'blocked', start: '13:30', end: '14:30' }, 'blocked', ['two']],
    ['special hours', { kind: 'hours', start: '10:00', end: '17:00' }, 'hours', ['nine']],
    ['a salon-wide closure', { scope: 'salon', stylistId: undefined }, 'closed', ['nine', 'two', 'otherStylist']],
  ])('%s flags the bookings it excludes, with its kind as the reason', async (_n, patch, reason, flagged) => {
    const created = await admin.post('/api/admin/overrides', closure(patch));
    expect(created.status).toBe(201);
    const flag = { reason, overrideId: created.body.override.id };
    const { mine } = await views();
    expect(Object.keys(mine).filter((k) => mine[k])).toEqual(flagged);
    for (const k of flagged) expect(mine[k]).toEqual(flag);
  });

  it('deleting the override clears the flags, with an event for each', async () => {
    const created = await admin.post('/api/admin/overrides', closure());
    expect((await admin.delete(`/api/admin/overrides/${created.body.override.id}`)).status).toBe(204);
    const v = await views();
    expect(Object.values(v.mine).every((a) => a === null)).toBe(true);
    expect(Object.values(v.stylist).every((a) => a === null)).toBe(true);
    expect(v.day).toEqual([]);
    const flag = { reason: 'closed', overrideId: created.body.override.id };
    expect(await attentionEvents()).toEqual([
      ['nine', flag],
      ['two', flag],
      ['nine', null],
      ['two', null],
    ]);
  });

  it('overlapping overrides: deleting one while another still excludes the booking keeps it flagged, by the other', async () => {
    const first = (await admin.post('/api/admin/overrides', closure())).body.override.id as string;
    const block = (await admin.post('/api/admin/overrides', closure({ kind: 'blocked', start: '08:30', end: '10:00' }))).body.override
      .id as string;
    // The closure came first and excludes both: the block changes no flag and records no event.
    expect((await views()).mine).toMatchObject({
      nine: { reason: 'closed', overrideId: first },
      two: { reason: 'closed', overrideId: first },
    });
    expect(await attentionEvents()).toHaveLength(2);

    expect((await admin.delete(`/api/admin/overrides/${first}`)).status).toBe(204);
    expect((await views()).mine).toMatchObject({ nine: { reason: 'blocked', overrideId: block }, two: null });
    expect((await attentionEvents()).slice(2)).toEqual([
      ['nine', { reason: 'blocked', overrideId: block }],
      ['two', null],
    ]);

    expect((await admin.delete(`/api/admin/overrides/${block}`)).status).toBe(204);
    expect((await views()).mine).toMatchObject({ nine: null, two: null });
    expect((await attentionEvents()).slice(4)).toEqual([['nine', null]]);
  });

  it('a booking that is no longer active is never flagged; a status change answers the flag', async () => {
    const created = await admin.post('/api/admin/overrides', closure());
    const cancelled = await customer.post(`/api/bookings/${ids.two}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.attention).toBeNull();
    // The stylist starts the flagged booking anyway (the customer came): the answer still carries the flag.
    const before = clock.t;
    clock.set(at('08:45', DATE));
    try {
      const started = await stylist.post(`/api/bookings/${ids.nine}/status`, { status: 'in_progress' });
      expect(started.status).toBe(200);
      expect(started.body.attention).toEqual({ reason: 'closed', overrideId: created.body.override.id });
    } finally {
      clock.t = before;
    }
    expect((await views()).mine).toMatchObject({ nine: { reason: 'closed', overrideId: created.body.override.id }, two: null });
  });
});

describe('GET /api/bookings/:id/alternatives and rescheduling a flagged booking', () => {
  it('answers the nearest free times for the service with every stylist offering it, nearest first, capped', async () => {
    await admin.post('/api/admin/overrides', closure());
    const r = await customer.get(`/api/bookings/${ids.nine}/alternatives`);
    expect(r.status).toBe(200);
    expect(r.body.bookingId).toBe(ids.nine);
    expect(r.body.serviceId).toBe(salon.service.id);
    const alts = r.body.alternatives as { stylistId: string; startUtc: string; endUtc: string; startLocal: string }[];
    expect(alts).toHaveLength(6);
    // The closed day of the booking's stylist offers nothing; the other stylist is free that morning
    // except 11:00 (booked, with its buffer), so the nearest are theirs.
    expect(alts.every((a) => !(a.stylistId === salon.stylist.id && a.startLocal.startsWith(DATE)))).toBe(true);
    expect(alts.slice(0, 2)).toEqual([
      { stylistId: other.id, startUtc: at('09:00', DATE), endUtc: at('10:00', DATE), startLocal: `${DATE}T09:00:00.000+05:45` },
      { stylistId: other.id, startUtc: at('09:30', DATE), endUtc: at('10:30', DATE), startLocal: `${DATE}T09:30:00.000+05:45` },
    ]);
    // Never a time the other stylist has booked (11:00, with its buffer).
    expect(alts.some((a) => a.startUtc === at('11:00', DATE))).toBe(false);
    const distance = alts.map((a) => Math.abs(Date.parse(a.startUtc) - Date.parse(at('09:00', DATE))));
    expect(distance).toEqual([...distance].sort((x, y) => x - y));
  });

  it('never offers a time that overlaps another of the customer\u2019s appointments', async () => {
    await admin.post('/api/admin/overrides', closure());
    const colour = await createService(db.pool, {});
    const third = await createStylist(db.pool, { serviceIds: [colour.id] });
    // Her 10:00–11:00 appointment elsewhere, right after the 09:00 booking being moved (never overlapping it).
    await insertBooking(db.pool, { customerId: salon.customer.id, stylistId: third.id, serviceId: colour.id, startUtc: at('10:00', DATE) });
    const alts = (await customer.get(`/api/bookings/${ids.nine}/alternatives`)).body.alternatives as {
      stylistId: string;
      startUtc: string;
      endUtc: string;
    }[];
    expect(alts).toHaveLength(6);
    // Other's 09:30 (free for the stylist, the second nearest otherwise) would overlap it; 09:00 ends as it begins.
    for (const a of alts)
      expect(Date.parse(a.endUtc) <= Date.parse(at('10:00', DATE)) || Date.parse(a.startUtc) >= Date.parse(at('11:00', DATE))).toBe(true);
    expect(alts.map((a) => a.startUtc)).not.toContain(at('09:30', DATE));
    expect(alts[0]).toMatchObject({ stylistId: other.id, startUtc: at('09:00', DATE) });
  });

  it('is for the booking\u2019s customer (and admins) only, and only for a booking that can still move', async () => {
    expect((await stranger.get(`/api/bookings/${ids.nine}/alternatives`)).status).toBe(404);
    expect((await stylist.get(`/api/bookings/${ids.nine}/alternatives`)).status).toBe(404);
    expect((await admin.get(`/api/bookings/${ids.nine}/alternatives`)).status).toBe(200);
    const cancelled = await customer.get(`/api/bookings/${ids.eleven}/alternatives`);
    expect([cancelled.status, cancelled.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
    expect((await customer.get(`/api/bookings/${ids.nine}/alternatives?x=1`)).status).toBe(400);
    expect((await customer.get('/api/bookings/not-a-uuid/alternatives')).status).toBe(400);
  });

  it('one tap: rescheduling to another stylist\u2019s alternative moves the booking and clears its flag', async () => {
    await admin.post('/api/admin/overrides', closure());
    const { alternatives } = (await customer.get(`/api/bookings/${ids.nine}/alternatives`)).body;
    const pick = alternatives.find((a: { stylistId: string }) => a.stylistId === other.id);
    const moved = await customer.post(`/api/bookings/${ids.nine}/reschedule`, { startUtc: pick.startUtc, stylistId: other.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: ids.nine, stylistId: other.id, startUtc: pick.startUtc, attention: null, priceCents: 5000 });
    expect((await views()).mine.nine).toBeNull();
    // The time is now the other stylist's: another customer's booking cannot be moved onto it.
    const theirs = await insertBooking(db.pool, {
      customerId: strangerId,
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: at('15:00', DATE),
    });
    const again = await stranger.post(`/api/bookings/${theirs}/reschedule`, { startUtc: pick.startUtc, stylistId: other.id });
    expect([again.status, again.body.error.code]).toEqual([409, 'SLOT_TAKEN']);
    // And the customer is in that chair then: her own other booking cannot overlap it.
    const mine = await customer.post(`/api/bookings/${ids.two}/reschedule`, { startUtc: pick.startUtc, stylistId: other.id });
    expect([mine.status, mine.body.error.code]).toEqual([409, 'CUSTOMER_BUSY']);
    expect(mine.body.error.details.booking.id).toBe(ids.nine);
  });

  it('rescheduling to a stylist refuses what booking with them would refuse', async () => {
    const loner = await createStylist(db.pool, { serviceIds: [(await createService(db.pool, {})).id] });
    const notOffered = await customer.post(`/api/bookings/${ids.nine}/reschedule`, { startUtc: at('10:00', DATE), stylistId: loner.id });
    expect([notOffered.status, notOffered.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const unknown = await customer.post(`/api/bookings/${ids.nine}/reschedule`, {
      startUtc: at('10:00', DATE),
      stylistId: '00000000-0000-4000-8000-000000000000',
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const closedDay = await admin.post('/api/admin/overrides', closure({ stylistId: other.id }));
    expect(closedDay.status).toBe(201);
    const outside = await customer.post(`/api/bookings/${ids.nine}/reschedule`, { startUtc: at('10:00', DATE), stylistId: other.id });
    expect([outside.status, outside.body.error.code]).toEqual([400, 'OUTSIDE_HOURS']);
    const r = await db.pool.query('select stylist_id from bookings where id = $1', [ids.nine]);
    expect(r.rows[0].stylist_id).toBe(salon.stylist.id);
  });
});
