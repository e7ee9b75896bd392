// POST /api/desk/bookings: the front desk books an existing customer or a walk-in, under the same
// engine checks, locks and constraints as online, inside the notice, and outside the hours only
// when forced with a reason. Walk-ins have no password: they cannot log in until they register.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, countRows, fakeClock, loggedInUsers, overlappingPairs, type LoggedIn } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let bina: Awaited<ReturnType<typeof createStylist>>;
let reception: HttpClient;
let receptionId: string;
let admin: HttpClient;
let stylist: HttpClient;
let customers: LoggedIn[];
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { minNoticeMinutes: 60 });
  bina = await createStylist(db.pool, { serviceIds: [salon.service.id] });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const r = await createUser(db.pool, { role: 'reception' });
  receptionId = r.id;
  reception = await loginAs(srv.baseUrl, r.email, r.password);
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
  customers = await loggedInUsers(db.pool, srv.baseUrl, 3);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const slot = (hhmm: string, date: string, stylistId = salon.stylist.id) => ({
  stylistId,
  serviceId: salon.service.id,
  startUtc: at(hhmm, date),
});
/** Rows of every table a desk booking writes, to show a refused request wrote nothing. */
const written = async () =>
  Promise.all(['users', 'bookings', 'audit_log', 'holds', 'events'].map((t) => countRows(db.pool, t))).then((n) => n.join(','));

describe('booking an existing customer', () => {
  it('201 with the staff view and contact details; confirmed at the service price; audited as via the desk', async () => {
    const c = customers[0];
    const r = await reception.post('/api/desk/bookings', { customerId: c.id, ...slot('11:00', '2027-03-10'), notes: 'Phoned in' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      customerId: c.id,
      stylistId: salon.stylist.id,
      startUtc: at('11:00', '2027-03-10'),
      status: 'confirmed',
      priceCents: salon.service.priceCents,
      notes: 'Phoned in',
      customer: { id: c.id, email: c.email, phone: null, walkIn: false, visitCount: 0 },
    });
    const audit = await db.pool.query('select actor_id, action, details from audit_log where target = $1', [`booking:${r.body.id}`]);
    expect(audit.rows).toEqual([
      {
        actor_id: receptionId,
        action: 'booking.create',
        details: { via: 'desk', stylistId: salon.stylist.id, customerId: c.id, startUtc: at('11:00', '2027-03-10') },
      },
    ]);
    // The customer sees it as their own booking.
    expect((await c.http.get('/api/bookings/mine')).body.map((b: { id: string }) => b.id)).toContain(r.body.id);
  });

  it('an admin may book at the desk too', async () => {
    const r = await admin.post('/api/desk/bookings', { customerId: customers[1].id, ...slot('09:00', '2027-03-10', bina.id) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('never over another booking: 409 SLOT_TAKEN with alternatives, nothing written', async () => {
    const before = await written();
    const r = await reception.post('/api/desk/bookings', { customerId: customers[1].id, ...slot('11:00', '2027-03-10') });
    expect([r.status, r.body.error.code]).toEqual([409, 'SLOT_TAKEN']);
    expect(r.body.error.details.alternatives.length).toBeGreaterThan(0);
    expect(await written()).toBe(before);
  });

  it('one chair at a time: the same customer with another stylist at that time is 409 CUSTOMER_BUSY', async () => {
    const before = await written();
    const r = await reception.post('/api/desk/bookings', { customerId: customers[0].id, ...slot('11:30', '2027-03-10', bina.id) });
    expect([r.status, r.body.error.code]).toEqual([409, 'CUSTOMER_BUSY']);
    expect(await written()).toBe(before);
  });

  it('consumes the customer’s own hold on that time (they were booking online while calling)', async () => {
    const c = customers[2];
    const hold = await c.http.post('/api/holds', slot('14:00', '2027-03-10'));
    expect(hold.status).toBe(201);
    const r = await reception.post('/api/desk/bookings', { customerId: c.id, ...slot('14:00', '2027-03-10') });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await countRows(db.pool, 'holds', 'customer_id = $1', [c.id])).toBe(0);
  });

  it('another customer’s live hold blocks it: 409 SLOT_HELD', async () => {
    const hold = await customers[2].http.post('/api/holds', slot('16:00', '2027-03-10'));
    expect(hold.status).toBe(201);
    const r = await reception.post('/api/desk/bookings', { customerId: customers[1].id, ...slot('16:00', '2027-03-10') });
    expect([r.status, r.body.error.code]).toEqual([409, 'SLOT_HELD']);
  });
});

describe('walk-ins', () => {
  it('creates a customer record without a password; the booking shows it as a walk-in', async () => {
    const r = await reception.post('/api/desk/bookings', {
      walkIn: { name: '  Maya Gurung ', phone: '+977 9841-222333' },
      ...slot('10:00', '2027-03-11'),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.customer).toMatchObject({ displayName: 'Maya Gurung', phone: '+977 9841-222333', email: null, walkIn: true });
    const { rows } = await db.pool.query('select role, password_hash, walk_in, email from users where id = $1', [r.body.customerId]);
    expect(rows).toEqual([{ role: 'customer', password_hash: null, walk_in: true, email: null }]);
    const audit = await db.pool.query(`select details from audit_log where target = $1`, [`booking:${r.body.id}`]);
    expect(audit.rows[0].details).toMatchObject({ via: 'desk', walkIn: true, customerId: r.body.customerId });
  });

  it('cannot log in (answered exactly like a wrong password); registering with the e-mail claims the record and its bookings', async () => {
    const email = 'hari.walkin@example.test';
    const made = await reception.post('/api/desk/bookings', {
      walkIn: { name: 'Hari', email: 'Hari.Walkin@Example.test' },
      ...slot('12:00', '2027-03-11'),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.customer.email).toBe(email);
    const asWalkIn = await new HttpClient(srv.baseUrl).post('/api/auth/login', { email, password: 'anything-at-all' });
    const wrongPassword = await new HttpClient(srv.baseUrl).post('/api/auth/login', {
      email: customers[0].email,
      password: 'anything-at-all',
    });
    expect(asWalkIn.status).toBe(401);
    expect(asWalkIn.body).toEqual(wrongPassword.body);

    const me = new HttpClient(srv.baseUrl);
    const reg = await me.post('/api/auth/register', { email, password: 'a-long-new-password-1', displayName: 'Hari Prasad' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    expect(reg.body).toMatchObject({ id: made.body.customerId, email, displayName: 'Hari Prasad', role: 'customer' });
    const mine = await me.get('/api/bookings/mine');
    expect(mine.body.map((b: { id: string }) => b.id)).toEqual([made.body.id]);
    const { rows } = await db.pool.query('select walk_in, password_hash is not null as has_password from users where id = $1', [
      made.body.customerId,
    ]);
    expect(rows).toEqual([{ walk_in: false, has_password: true }]);
    // Claimed once: registering again is a conflict, and the claimed account logs in normally.
    const again = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email,
      password: 'another-long-password-2',
      displayName: 'X',
    });
    expect([again.status, again.body.error.code]).toEqual([409, 'CONFLICT']);
    await loginAs(srv.baseUrl, email, 'a-long-new-password-1');
  });

  it('registering with the e-mail of a real account is still a conflict, and changes nothing', async () => {
    const before = await db.pool.query('select password_hash, display_name from users where id = $1', [customers[1].id]);
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: customers[1].email,
      password: 'a-long-new-password-1',
      displayName: 'Taken',
    });
    expect([r.status, r.body.error.code]).toEqual([409, 'CONFLICT']);
    expect((await db.pool.query('select password_hash, display_name from users where id = $1', [customers[1].id])).rows).toEqual(
      before.rows,
    );
  });

  it('a walk-in with the e-mail of an existing customer is refused (409 naming them), nothing written', async () => {
    const before = await written();
    const r = await reception.post('/api/desk/bookings', {
      walkIn: { name: 'Dup', email: customers[1].email },
      ...slot('15:00', '2027-03-11'),
    });
    expect([r.status, r.body.error.code]).toEqual([409, 'CONFLICT']);
    expect(r.body.error.details).toEqual({ customerId: customers[1].id });
    expect(await written()).toBe(before);
  });

  it('a walk-in whose booking is refused leaves no customer record behind', async () => {
    const before = await written();
    const r = await reception.post('/api/desk/bookings', { walkIn: { name: 'Late' }, ...slot('10:00', '2027-03-11') });
    expect([r.status, r.body.error.code]).toEqual([409, 'SLOT_TAKEN']);
    expect(await written()).toBe(before);
  });
});

describe('timing rules of the desk', () => {
  // 2027-03-12 10:40 in Kathmandu; the stylist's notice is 60 minutes, the grid 30.
  const date = '2027-03-12';
  const atTime = () => clock.set(at('10:40', date));

  it('books inside the minimum notice, where a customer online may not', async () => {
    atTime();
    const online = await customers[1].http.post('/api/bookings', slot('11:30', date, bina.id));
    expect([online.status, online.body.error.code]).toEqual([400, 'IN_PAST']);
    const desk = await reception.post('/api/desk/bookings', { customerId: customers[1].id, ...slot('11:30', date, bina.id) });
    expect(desk.status, JSON.stringify(desk.body)).toBe(201);
  });

  it('books a walk-in into the current slot, but not a slot that has already ended', async () => {
    atTime();
    const now = await reception.post('/api/desk/bookings', { walkIn: { name: 'Right Now' }, ...slot('10:30', date) });
    expect(now.status, JSON.stringify(now.body)).toBe(201);
    const before = await written();
    const past = await reception.post('/api/desk/bookings', { walkIn: { name: 'Too Late' }, ...slot('10:00', date) });
    expect([past.status, past.body.error.code]).toEqual([400, 'IN_PAST']);
    expect(await written()).toBe(before);
  });

  it('outside the working hours: 400 OUTSIDE_HOURS unless forced with a reason (audited), still never over a booking', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const day = '2027-03-13';
    const before = await written();
    const plain = await reception.post('/api/desk/bookings', { customerId: customers[1].id, ...slot('17:30', day) });
    expect([plain.status, plain.body.error.code]).toEqual([400, 'OUTSIDE_HOURS']);
    expect(await written()).toBe(before);
    const forced = await reception.post('/api/desk/bookings', {
      customerId: customers[1].id,
      ...slot('17:30', day),
      force: true,
      forceReason: 'Bride, agreed with the stylist',
    });
    expect(forced.status, JSON.stringify(forced.body)).toBe(201);
    expect(forced.body.endUtc).toBe(at('18:30', day));
    const audit = await db.pool.query('select details from audit_log where target = $1', [`booking:${forced.body.id}`]);
    expect(audit.rows[0].details).toMatchObject({
      via: 'desk',
      force: true,
      forceReason: 'Bride, agreed with the stylist',
      outsideHours: true,
    });
    // Overlapping the forced booking (with its buffer), forced or not: refused.
    const over = await reception.post('/api/desk/bookings', {
      walkIn: { name: 'Over' },
      ...slot('18:40', day),
      force: true,
      forceReason: 'Trying to overlap',
    });
    expect([over.status, over.body.error.code]).toEqual([409, 'SLOT_TAKEN']);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });

  it('beyond the horizon stays refused, forced or not', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const r = await reception.post('/api/desk/bookings', {
      customerId: customers[1].id,
      ...slot('11:00', '2027-06-01'),
      force: true,
      forceReason: 'Far ahead',
    });
    expect([r.status, r.body.error.code]).toEqual([400, 'OUTSIDE_HOURS']);
  });
});

describe('who and what', () => {
  it('only the front desk: 401 without a login, 403 for customers and stylists, nothing written', async () => {
    const before = await written();
    const body = { walkIn: { name: 'Nobody' }, ...slot('13:00', '2027-03-14') };
    expect((await new HttpClient(srv.baseUrl).post('/api/desk/bookings', body)).status).toBe(401);
    for (const c of [customers[0].http, stylist]) {
      const r = await c.post('/api/desk/bookings', body);
      expect([r.status, r.body.error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(await written()).toBe(before);
  });

  const good = () => ({ customerId: customers[1].id, ...slot('13:00', '2027-03-14') });
  /** [what, status, code, body, the message when it tells apart causes of one code] */
  const cases: [string, number, string, () => unknown, string | undefined][] = [
    ['an empty body', 400, 'INVALID_INPUT', () => ({}), undefined],
    ['both customerId and walkIn', 400, 'INVALID_INPUT', () => ({ ...good(), walkIn: { name: 'Both' } }), undefined],
    ['neither customerId nor walkIn', 400, 'INVALID_INPUT', () => ({ ...good(), customerId: undefined }), undefined],
    ['force without a reason', 400, 'INVALID_INPUT', () => ({ ...good(), force: true }), undefined],
    ['a reason without force', 400, 'INVALID_INPUT', () => ({ ...good(), forceReason: 'Because I can' }), undefined],
    ['a too short reason', 400, 'INVALID_INPUT', () => ({ ...good(), force: true, forceReason: 'ok' }), undefined],
    ['an unknown field', 400, 'INVALID_INPUT', () => ({ ...good(), price: 0 }), undefined],
    ['a blank walk-in name', 400, 'INVALID_INPUT', () => ({ ...good(), customerId: undefined, walkIn: { name: '   ' } }), undefined],
    [
      'a walk-in phone with letters',
      400,
      'INVALID_INPUT',
      () => ({ ...good(), customerId: undefined, walkIn: { name: 'A', phone: 'call me' } }),
      undefined,
    ],
    [
      'a walk-in with a bad e-mail',
      400,
      'INVALID_INPUT',
      () => ({ ...good(), customerId: undefined, walkIn: { name: 'A', email: 'not-an-email' } }),
      undefined,
    ],
    ['notes over 2000 characters', 400, 'INVALID_INPUT', () => ({ ...good(), notes: 'x'.repeat(2001) }), undefined],
    ['a start without an offset', 400, 'INVALID_INPUT', () => ({ ...good(), startUtc: '2027-03-14T07:15:00' }), undefined],
    ['a start off the grid', 400, 'NOT_ON_GRID', () => ({ ...good(), startUtc: at('13:10', '2027-03-14') }), undefined],
    ['an unknown stylist', 404, 'NOT_FOUND', () => ({ ...good(), stylistId: '00000000-0000-4000-8000-000000000000' }), 'Unknown stylist'],
    [
      'an unknown service',
      404,
      'NOT_FOUND',
      () => ({ ...good(), serviceId: '00000000-0000-4000-8000-000000000000' }),
      'Unknown service, or the stylist does not offer it',
    ],
    [
      'an unknown customer',
      404,
      'NOT_FOUND',
      () => ({ ...good(), customerId: '00000000-0000-4000-8000-000000000000' }),
      'No such customer',
    ],
    ['a staff account as the customer', 404, 'NOT_FOUND', () => ({ ...good(), customerId: receptionId }), 'No such customer'],
    ['a stylist as the customer', 404, 'NOT_FOUND', () => ({ ...good(), customerId: salon.stylist.userId }), 'No such customer'],
  ];
  it.each(cases)('refuses %s (%i %s), nothing written', async (_name, status, code, body, message) => {
    clock.set('2027-03-01T00:00:00Z');
    const before = await written();
    const r = await reception.post('/api/desk/bookings', body());
    expect([r.status, r.body.error?.code], JSON.stringify(r.body)).toEqual([status, code]);
    if (message !== undefined) expect(r.body.error.message).toBe(message);
    expect(await written()).toBe(before);
  });

  it('is rate-limited like bookings (per user)', async () => {
    const limited = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, RATE_LIMIT_BOOKING: '2' } });
    try {
      const r = await createUser(db.pool, { role: 'reception' });
      const c = await loginAs(limited.baseUrl, r.email, r.password);
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push((await c.post('/api/desk/bookings', {})).status);
      expect(answers).toEqual([400, 400, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('with existing bookings', () => {
  it('a desk booking never overlaps a booking written straight into Postgres', async () => {
    const date = '2027-03-15';
    await insertBooking(db.pool, {
      customerId: customers[0].id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: at('09:00', date),
    });
    srv.app.slots.invalidateAll();
    const r = await reception.post('/api/desk/bookings', { walkIn: { name: 'Overlap' }, ...slot('09:30', date) });
    expect([r.status, r.body.error.code]).toEqual([409, 'SLOT_TAKEN']);
    expect(await overlappingPairs(db.pool)).toBe(0);
  });
});
