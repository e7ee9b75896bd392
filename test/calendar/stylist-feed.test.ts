// The stylist's calendar subscription: a token from the dashboard (shown once, stored hashed), a
// feed without a session from 30 days back to the horizon, parsed with ical.js (UTC times across the
// 2027 DST changes of America/New_York, one UID per booking, cancellations), rotation and revocation.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactTokens } from '../../server/http/request-log.ts';
import { sha256Url } from '../../server/hash.ts';
import { fakeClock } from '../bookings/fixture.ts';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { parseIcs } from './parse.ts';

const NY = 'America/New_York';
const NOW = Date.parse('2027-03-10T12:00:00Z');
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let stylist: HttpClient;
let customerName: string;
const clock = fakeClock(NOW);
const ny = (local: string) => DateTime.fromISO(local, { zone: NY }).toUTC().toISO()!;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: NY, horizonDays: 250 });
  customerName = (await db.pool.query('select display_name from users where id = $1', [salon.customer.id])).rows[0].display_name;
  srv = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, PUBLIC_URL: 'https://salon.example' } });
  stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const book = (startUtc: string, o: { status?: string; stylistId?: string } = {}) =>
  insertBooking(db.pool, {
    customerId: salon.customer.id,
    stylistId: o.stylistId ?? salon.stylist.id,
    serviceId: salon.service.id,
    startUtc,
    ...o,
  });

const feed = (token: string) => new HttpClient(srv.baseUrl).get(`/api/stylist/calendar.ics?token=${encodeURIComponent(token)}`);

describe('the stylist calendar feed', () => {
  it('a token from the dashboard gives the feed without a session: the stylist’s bookings from 30 days back to the horizon, in UTC', async () => {
    const tooOld = await book(ny('2027-02-07T10:00')); // 31 days back
    const old = await book(ny('2027-02-09T10:00')); // 29 days back
    const beforeDst = await book(ny('2027-03-13T09:00'));
    const afterDst = await book(ny('2027-03-15T09:00'));
    const fallBack = await book(ny('2027-11-07T10:00'));
    const beyond = await book(ny('2027-11-20T10:00')); // past 250 days
    const cancelled = await book(ny('2027-03-16T11:00'), { status: 'cancelled' });
    const other = await createStylist(db.pool, { timezone: NY, serviceIds: [salon.service.id] });
    const notMine = await book(ny('2027-03-13T12:00'), { stylistId: other.id });

    const made = await stylist.post('/api/stylist/calendar-token');
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const token = made.body.token as string;
    expect(made.body.url).toBe(`https://salon.example/api/stylist/calendar.ics?token=${token}`);
    const r = await feed(token);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const cal = parseIcs(r.body as string);
    expect(cal.method).toBe('PUBLISH');
    const byUid = new Map(cal.events.map((e) => [e.uid, e]));
    const uid = (id: string) => `booking-${id}@kb-stylish-live`;
    expect([...byUid.keys()].sort()).toEqual([old, beforeDst, afterDst, fallBack, cancelled].map(uid).sort());
    for (const id of [tooOld, beyond, notMine]) expect(byUid.has(uid(id))).toBe(false);
    expect(byUid.get(uid(beforeDst))!.startUtc).toBe('2027-03-13T14:00:00.000Z');
    expect(byUid.get(uid(afterDst))!.startUtc).toBe('2027-03-15T13:00:00.000Z');
    expect(byUid.get(uid(fallBack))!.startUtc).toBe('2027-11-07T15:00:00.000Z');
    expect(byUid.get(uid(cancelled))!.status).toBe('CANCELLED');
    expect(byUid.get(uid(afterDst))!.status).toBe('CONFIRMED');
    for (const e of cal.events) expect(e.startZone).toBe('Z');
    // The stylist sees who is coming.
    expect(byUid.get(uid(afterDst))!.summary).toContain(customerName);
  });

  it('the token is stored only as its SHA-256; the dashboard sees whether the feed is on', async () => {
    const made = await stylist.post('/api/stylist/calendar-token');
    const { rows } = await db.pool.query('select token_hash from stylist_calendar_tokens where stylist_id = $1', [salon.stylist.id]);
    expect(rows).toEqual([{ token_hash: sha256Url(made.body.token) }]);
    const status = await stylist.get('/api/stylist/calendar-token');
    expect(status.body).toEqual({ feed: { createdAt: made.body.createdAt } });
    expect(JSON.stringify(status.body)).not.toContain(made.body.token);
  });

  it('rotating replaces the address (the old one 404s); revoking turns the feed off', async () => {
    const first = (await stylist.post('/api/stylist/calendar-token')).body.token as string;
    const second = (await stylist.post('/api/stylist/calendar-token')).body.token as string;
    expect(second).not.toBe(first);
    const gone = await feed(first);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NOT_FOUND');
    expect((await feed(second)).status).toBe(200);
    expect((await stylist.delete('/api/stylist/calendar-token')).status).toBe(204);
    expect((await feed(second)).status).toBe(404);
    expect((await stylist.get('/api/stylist/calendar-token')).body).toEqual({ feed: null });
    expect((await stylist.delete('/api/stylist/calendar-token')).status).toBe(204);
  });

  it('only a stylist has a feed token; a malformed token is INVALID_INPUT', async () => {
    const customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
    expect((await customer.post('/api/stylist/calendar-token')).status).toBe(403);
    expect((await new HttpClient(srv.baseUrl).post('/api/stylist/calendar-token')).status).toBe(401);
    const desk = await createUser(db.pool, { role: 'reception' });
    expect((await (await loginAs(srv.baseUrl, desk.email, desk.password)).post('/api/stylist/calendar-token')).status).toBe(403);
    const bad = await feed('short');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_INPUT');
  });

  it('the request log never holds a feed token or a manage link', () => {
    expect(redactTokens('/api/stylist/calendar.ics?token=abcDEF_-123')).toBe('/api/stylist/calendar.ics?token=[token]');
    expect(redactTokens('/api/manage/abcDEF_-123/cancel')).toBe('/api/manage/[token]/cancel');
    expect(redactTokens('/api/manage/abcDEF_-123')).toBe('/api/manage/[token]');
    expect(redactTokens('/api/bookings/mine?limit=5')).toBe('/api/bookings/mine?limit=5');
  });
});
