// A customer's own booking events: every socket of a logged-in customer is in a room of their own and
// gets `booking:created` / `booking:updated` for their own bookings, in their own view (what GET
// /api/bookings/mine answers), live and replayed with lastEventId. Nobody else's, and nothing for
// anonymous sockets; staff feeds are unchanged. Real HTTP and Socket.IO clients on a real Postgres.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { Inbox, SocketJar, announce, kathmandu, startLive, type ClientSocket, type LiveServer } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let other: Awaited<ReturnType<typeof createStylist>>;
const c = {} as Record<'owner' | 'otherCustomer' | 'stylist' | 'otherStylist' | 'admin', HttpClient>;
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  const otherCustomer = await createUser(db.pool, { safetyNotes: 'allergic to ammonia' });
  const admin = await createUser(db.pool, { role: 'admin' });
  srv = await startLive(db.pool);
  c.owner = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  c.otherCustomer = await loginAs(srv.baseUrl, otherCustomer.email, otherCustomer.password);
  c.stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  c.otherStylist = await loginAs(srv.baseUrl, other.email, other.password);
  c.admin = await loginAs(srv.baseUrl, admin.email, admin.password);
});
afterEach(() => jar.closeAll());
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const open = async (client?: HttpClient, lastEventId?: number): Promise<{ socket: ClientSocket; inbox: Inbox }> => {
  const socket = await jar.open(srv.baseUrl, { cookie: client?.cookie, lastEventId });
  return { socket, inbox: new Inbox(socket) };
};

/** A barrier to everyone: whatever was meant for a socket has arrived once this has. */
async function barrier(inboxes: Inbox[]): Promise<void> {
  const id = await announce(db.pool, 'all');
  await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.id === id)));
}

const bookingEvents = (i: Inbox) => i.all.filter((e) => e.name === 'booking:created' || e.name === 'booking:updated');

/** The owner's booking as GET /api/bookings/mine lists it. */
async function mineView(client: HttpClient, id: string) {
  const r = await client.get('/api/bookings/mine');
  expect(r.status).toBe(200);
  return (r.body as { id: string }[]).find((b) => b.id === id);
}

describe("a customer's own booking events", () => {
  it('booking over HTTP: every socket of the owner gets booking:created in the own view; other customers and anonymous sockets get nothing; staff as before', async () => {
    const [tab1, tab2, otherCust, anon, stylist, otherStylist, admin] = await Promise.all([
      open(c.owner),
      open(c.owner),
      open(c.otherCustomer),
      open(),
      open(c.stylist),
      open(c.otherStylist),
      open(c.admin),
    ]);
    const res = await c.owner.post('/api/bookings', {
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('10:00'),
      notes: 'window seat',
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;

    const [p1, p2] = await Promise.all([tab1.inbox.next('booking:created'), tab2.inbox.next('booking:created')]);
    // Exactly the view GET /api/bookings/mine gives, with no customer context.
    expect(p1.booking).toEqual(await mineView(c.owner, id));
    expect(p1.booking).toEqual(res.body);
    expect(p1.booking).not.toHaveProperty('customer');
    expect(p2).toEqual(p1);
    expect(p1.eventId).toEqual(expect.any(Number));

    // Staff keep the staff view, with the customer context.
    expect((await stylist.inbox.next('booking:created')).booking).toMatchObject({ id, customer: { id: salon.customer.id } });
    expect((await admin.inbox.next('booking:created')).booking).toMatchObject({ id, customer: { id: salon.customer.id } });

    await barrier([tab1, tab2, otherCust, anon, stylist, otherStylist, admin].map((s) => s.inbox));
    for (const s of [otherCust, anon, otherStylist]) expect(bookingEvents(s.inbox)).toEqual([]);
    // One event each: the owner's tabs are not also sent the staff view.
    for (const s of [tab1, tab2, stylist, admin]) expect(bookingEvents(s.inbox)).toHaveLength(1);
  });

  it("another customer's booking reaches neither the owner nor anyone but its own customer and staff", async () => {
    const [owner, otherCust] = await Promise.all([open(c.owner), open(c.otherCustomer)]);
    const res = await c.otherCustomer.post('/api/bookings', {
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('11:00'),
    });
    expect(res.status).toBe(201);
    const mine = await otherCust.inbox.next('booking:created');
    expect(mine.booking).toEqual(res.body);
    // The other customer's own view has no safety notes or history of anyone.
    expect(JSON.stringify(mine)).not.toMatch(/ammonia|safety|visitCount/);
    await barrier([owner.inbox, otherCust.inbox]);
    expect(bookingEvents(owner.inbox)).toEqual([]);
  });

  it('cancel and reschedule by the customer, and a status change by the stylist, arrive as booking:updated', async () => {
    const created = await c.owner.post('/api/bookings', {
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('13:00'),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const { inbox } = await open(c.owner);

    const moved = await c.owner.post(`/api/bookings/${id}/reschedule`, { startUtc: kathmandu('15:00') });
    expect(moved.status).toBe(200);
    const up1 = await inbox.next('booking:updated', (p) => p.booking.startUtc === kathmandu('15:00'));
    expect(up1.booking).toEqual(moved.body);

    const cancelled = await c.owner.post(`/api/bookings/${id}/cancel`, { reason: 'travelling' });
    expect(cancelled.status).toBe(200);
    const up2 = await inbox.next('booking:updated', (p) => p.booking.status === 'cancelled');
    expect(up2.booking).toEqual(cancelled.body);
    expect(up2.eventId).toBeGreaterThan(up1.eventId);

    // The stylist's side of a booking tells the customer too.
    const second = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('09:00', '2027-03-11'),
    });
    await inbox.next('booking:created', (p) => p.booking.id === second);
    expect((await c.stylist.post(`/api/bookings/${second}/status`, { status: 'cancelled' })).status).toBe(200);
    const up3 = await inbox.next('booking:updated', (p) => p.booking.id === second);
    expect(up3.booking).toMatchObject({ id: second, status: 'cancelled', customerId: salon.customer.id });
    expect(up3.booking).not.toHaveProperty('customer');
  });

  it('disconnect, book, reconnect with lastEventId: the missed events are replayed exactly once, nobody else’s, then live', async () => {
    const first = await open(c.owner);
    const seed = await c.owner.post('/api/bookings', {
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('09:00', '2027-03-12'),
    });
    expect(seed.status).toBe(201);
    const seen = await first.inbox.next('booking:created', (p) => p.booking.id === seed.body.id);
    first.socket.close();

    // While away: a booking of theirs, another customer's, a cancellation of theirs.
    const missed = await c.owner.post('/api/bookings', {
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('11:00', '2027-03-12'),
    });
    expect(missed.status).toBe(201);
    const theirs = await c.otherCustomer.post('/api/bookings', {
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('13:00', '2027-03-12'),
    });
    expect(theirs.status).toBe(201);
    expect((await c.owner.post(`/api/bookings/${seed.body.id}/cancel`, {})).status).toBe(200);
    await srv.app.realtime.relay.drain();

    const back = await open(c.owner, seen.eventId);
    const live = await c.owner.post('/api/bookings', {
      stylistId: other.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('15:00', '2027-03-12'),
    });
    expect(live.status).toBe(201);
    await back.inbox.next('booking:created', (p) => p.booking.id === live.body.id);
    await barrier([back.inbox]);
    expect(bookingEvents(back.inbox).map((e) => [e.name, e.payload.booking.id, e.payload.booking.status])).toEqual([
      ['booking:created', missed.body.id, 'confirmed'],
      ['booking:updated', seed.body.id, 'cancelled'],
      ['booking:created', live.body.id, 'confirmed'],
    ]);
    const ids = bookingEvents(back.inbox).map((e) => e.payload.eventId as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(seen.eventId);
    for (const e of bookingEvents(back.inbox)) expect(e.payload.booking).not.toHaveProperty('customer');
  });

  it('an anonymous socket replaying from 0 gets no booking event; a customer replaying from 0 gets only their own', async () => {
    await srv.app.realtime.relay.drain();
    const [anon, owner, otherCust] = await Promise.all([open(undefined, 0), open(c.owner, 0), open(c.otherCustomer, 0)]);
    await barrier([anon.inbox, owner.inbox, otherCust.inbox]);
    expect(bookingEvents(anon.inbox)).toEqual([]);
    const ownerIds = new Set(bookingEvents(owner.inbox).map((e) => e.payload.booking.customerId));
    expect([...ownerIds]).toEqual([salon.customer.id]);
    const otherIds = new Set(bookingEvents(otherCust.inbox).map((e) => e.payload.booking.customerId));
    expect(otherIds.size).toBe(1);
    expect(otherIds.has(salon.customer.id)).toBe(false);
  });
});

describe('the outbox records whose booking an event is (sql/000011)', () => {
  it('booking events carry their customer; the event telling an old stylist of a move and a deleted booking’s do not', async () => {
    const id = await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('09:00', '2027-03-20'),
    });
    await db.pool.query(`update bookings set stylist_id = $2 where id = $1`, [id, other.id]);
    await db.pool.query(`delete from bookings where id = $1`, [id]);
    const { rows } = await db.pool.query<{ kind: string; stylist_id: string; moved: boolean; status: string; customer_id: string | null }>(
      `select kind, stylist_id, data ? 'movedAway' as moved, data->>'status' as status, customer_id from events where entity_id = $1 order by id`,
      [id],
    );
    expect(rows.map((r) => [r.kind, r.stylist_id === other.id ? 'new' : 'old', r.moved, r.status, r.customer_id])).toEqual([
      ['booking.created', 'old', false, 'confirmed', salon.customer.id],
      ['booking.updated', 'new', false, 'confirmed', salon.customer.id],
      ['booking.updated', 'old', true, 'confirmed', null],
      ['booking.updated', 'new', false, 'deleted', null],
    ]);
    // Other kinds carry none.
    await announce(db.pool, 'all');
    const { rows: others } = await db.pool.query(
      `select count(*)::int as n from events where kind not like 'booking.%' and customer_id is not null`,
    );
    expect(others[0].n).toBe(0);
  });

  it('a customer’s replay read is an index range scan on their own booking events', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      // The test tables are tiny: make the planner show which index it can use.
      await client.query('set local enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `explain select id from events
          where kind in ('booking.created', 'booking.updated') and customer_id is not null and customer_id = $1::uuid
            and id > 0 and id <= 1000000 order by id limit 100`,
        [salon.customer.id],
      );
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index (Only )?Scan using events_replay_customer_bookings_idx/);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
