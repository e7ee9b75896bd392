// Manage links over HTTP on a real server and database: see, cancel and move one booking without a
// session, through the booking rules; a used, expired, tampered, foreign or narrower link explains
// itself with its own code and changes nothing.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manageToken, manageUrl, type ManageLinkKeys } from '../../server/manage/links.ts';
import { signLink } from '../../server/manage/token.ts';
import { randomBytes } from 'node:crypto';
import { at, countRows, DAY, fakeClock, slotStatuses } from '../bookings/fixture.ts';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { parseIcs } from '../calendar/parse.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let customer: HttpClient;
let keys: ManageLinkKeys;
const anon = () => new HttpClient(srv.baseUrl);
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { horizonDays: 365 });
  srv = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, PUBLIC_URL: 'https://salon.example/' } });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  keys = await srv.app.manageKeys();
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

/** A fresh booking of the customer at 10:00 on a day of its own, made over HTTP. */
async function booking(date = nextDay()): Promise<{ id: string; startUtc: string }> {
  const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('10:00', date) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.id, startUtc: r.body.startUtc };
}
let dayNo = 0;
/** Each call a new local date, from DAY on. */
const nextDay = () => DateTime.fromISO(DAY).plus({ days: dayNo++ }).toISODate()!;

const status = async (id: string) => (await db.pool.query('select status from bookings where id = $1', [id])).rows[0].status as string;

describe('a manage link', () => {
  it('manageUrl points at the web page on PUBLIC_URL; the secret is kept in settings', async () => {
    const b = await booking();
    const url = manageUrl(keys, b.id);
    expect(url).toMatch(/^https:\/\/salon\.example\/manage\/[A-Za-z0-9_-]{63}$/);
    expect(await countRows(db.pool, 'settings', "key = 'manage_link_secret'")).toBe(1);
  });

  it('shows its booking in the customer view, what it allows, and its calendar file', async () => {
    const b = await booking();
    const token = manageToken(keys, b.id);
    const r = await anon().get(`/api/manage/${token}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.booking).toMatchObject({ id: b.id, status: 'confirmed', startUtc: b.startUtc, customerId: salon.customer.id });
    expect(r.body.booking.customer).toBeUndefined();
    expect(r.body.actions).toEqual(['cancel', 'reschedule']);
    expect(r.body.used).toBe(false);
    expect(r.body.stylist.id).toBe(salon.stylist.id);
    expect(r.body.service).toMatchObject({ id: salon.service.id, durationMinutes: 60 });
    expect(r.body.salon.timezone).toBe('Asia/Kathmandu');
    expect(r.headers.get('cache-control')).toBe('private, no-store');
    const ics = await anon().get(r.body.calendarUrl);
    expect(ics.status).toBe(200);
    const ev = parseIcs(ics.body as string).events[0];
    expect(ev.uid).toBe(`booking-${b.id}@kb-stylish-live`);
    expect(ev.startUtc).toBe(new Date(b.startUtc).toISOString());
  });

  it('cancels its booking once, through the booking rules (the slot frees, an event is written); a second use is LINK_USED', async () => {
    const date = nextDay();
    const b = await booking(date);
    const hhmm = new Date(b.startUtc).toISOString();
    const token = manageToken(keys, b.id);
    const before = await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, date);
    const local = Object.entries(before).find(([, s]) => s !== 'available')?.[0];
    expect(local, `a taken slot on ${date} for ${hhmm}`).toBeDefined();
    const r = await anon().post(`/api/manage/${token}/cancel`, { reason: 'Cannot make it' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.booking.status).toBe('cancelled');
    expect(await status(b.id)).toBe('cancelled');
    const after = await slotStatuses(srv.baseUrl, salon.stylist.id, salon.service.id, date);
    expect(after[local!]).toBe('available');
    expect(
      await countRows(db.pool, 'events', "entity_id = $1 and kind = 'booking.updated' and data->>'status' = 'cancelled'", [b.id]),
    ).toBe(1);
    const again = await anon().post(`/api/manage/${token}/cancel`, {});
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('LINK_USED');
    const view = await anon().get(`/api/manage/${token}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ used: true, actions: [] });
    expect(view.body.booking.status).toBe('cancelled');
  });

  it('moves its booking once and answers a fresh link for the moved booking, expiring no later', async () => {
    const date = nextDay();
    const b = await booking(date);
    const exp = clock.now() + 5 * 86_400_000;
    const token = manageToken(keys, b.id, { expiresAtMs: exp });
    const r = await anon().post(`/api/manage/${token}/reschedule`, { startUtc: at('15:00', date) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(new Date(r.body.booking.startUtc).getTime()).toBe(Date.parse(at('15:00', date)));
    expect(r.body.token).toMatch(/^[A-Za-z0-9_-]{63}$/);
    const used = await anon().post(`/api/manage/${token}/reschedule`, { startUtc: at('16:00', date) });
    expect(used.body.error.code).toBe('LINK_USED');
    const cancelWithOld = await anon().post(`/api/manage/${token}/cancel`, {});
    expect(cancelWithOld.body.error.code).toBe('LINK_USED');
    const fresh = await anon().get(`/api/manage/${r.body.token}`);
    expect(fresh.body).toMatchObject({
      used: false,
      actions: ['cancel', 'reschedule'],
      expiresAt: new Date(Math.ceil(exp / 1000) * 1000).toISOString(),
    });
    const second = await anon().post(`/api/manage/${r.body.token}/reschedule`, { startUtc: at('16:00', date) });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(new Date(second.body.booking.startUtc).getTime()).toBe(Date.parse(at('16:00', date)));
  });

  it('a change the booking rules refuse leaves the link unused', async () => {
    const date = nextDay();
    const b = await booking(date);
    const token = manageToken(keys, b.id);
    const offGrid = await anon().post(`/api/manage/${token}/reschedule`, { startUtc: at('15:10', date) });
    expect(offGrid.status).toBe(400);
    expect(offGrid.body.error.code).toBe('NOT_ON_GRID');
    expect(await countRows(db.pool, 'manage_link_uses', 'booking_id = $1', [b.id])).toBe(0);
    const ok = await anon().post(`/api/manage/${token}/reschedule`, { startUtc: at('15:30', date) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('two uses at once: exactly one changes the booking, the other is LINK_USED', async () => {
    const date = nextDay();
    const b = await booking(date);
    const token = manageToken(keys, b.id);
    const answers = await Promise.all([
      anon().post(`/api/manage/${token}/reschedule`, { startUtc: at('14:00', date) }),
      anon().post(`/api/manage/${token}/cancel`, {}),
      anon().post(`/api/manage/${token}/reschedule`, { startUtc: at('16:00', date) }),
    ]);
    const ok = answers.filter((a) => a.status === 200);
    expect(ok, JSON.stringify(answers.map((a) => a.body))).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body.error.code).toBe('LINK_USED');
    expect(await countRows(db.pool, 'manage_link_uses', 'booking_id = $1', [b.id])).toBe(1);
  });

  it('expires at its expiry (fake clock) and once its appointment is over: LINK_EXPIRED, nothing changes', async () => {
    const date = nextDay();
    const b = await booking(date);
    const start = clock.now();
    const short = manageToken(keys, b.id, { expiresAtMs: start + 3_600_000 });
    const long = manageToken(keys, b.id);
    try {
      expect((await anon().get(`/api/manage/${short}`)).status).toBe(200);
      clock.advance(3_600_000);
      const r = await anon().get(`/api/manage/${short}`);
      expect(r.status).toBe(410);
      expect(r.body.error.code).toBe('LINK_EXPIRED');
      expect(r.body.error.details.expiresAt).toBe(new Date(start + 3_600_000).toISOString());
      const c = await anon().post(`/api/manage/${short}/cancel`, {});
      expect(c.body.error.code).toBe('LINK_EXPIRED');
      expect(await status(b.id)).toBe('confirmed');
      expect((await anon().get(`/api/manage/${long}`)).status).toBe(200);
      clock.t = Date.parse(b.startUtc) + 60 * 60_000;
      const over = await anon().get(`/api/manage/${long}`);
      expect(over.status).toBe(410);
      expect(over.body.error).toMatchObject({ code: 'LINK_EXPIRED', message: expect.stringMatching(/over/) });
    } finally {
      clock.t = start;
    }
  });

  it('allows only its actions: a view-only link shows the booking and refuses a change with LINK_NOT_ALLOWED', async () => {
    const b = await booking(nextDay());
    const token = manageToken(keys, b.id, { actions: ['view'] });
    const v = await anon().get(`/api/manage/${token}`);
    expect(v.body.actions).toEqual([]);
    const c = await anon().post(`/api/manage/${token}/cancel`, {});
    expect(c.status).toBe(403);
    expect(c.body.error).toMatchObject({ code: 'LINK_NOT_ALLOWED', details: { allowed: ['view'] } });
    const onlyCancel = manageToken(keys, b.id, { actions: ['view', 'cancel'] });
    const m = await anon().post(`/api/manage/${onlyCancel}/reschedule`, { startUtc: at('16:00', b.startUtc.slice(0, 10)) });
    expect(m.body.error.code).toBe('LINK_NOT_ALLOWED');
    expect(await status(b.id)).toBe('confirmed');
  });

  it('tampered, signed with another key, or for a booking that does not exist: LINK_INVALID, nothing written', async () => {
    const b = await booking(nextDay());
    const token = manageToken(keys, b.id);
    const tampered = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    const foreign = signLink(randomBytes(32), { bookingId: b.id, actions: ['view', 'cancel'], expiresAtMs: clock.now() + 86_400_000 });
    const ghost = manageToken(keys, '00000000-0000-4000-8000-000000000000');
    const usesBefore = await countRows(db.pool, 'manage_link_uses');
    for (const t of [tampered, foreign, ghost]) {
      const v = await anon().get(`/api/manage/${t}`);
      expect(v.status).toBe(404);
      expect(v.body.error.code).toBe('LINK_INVALID');
      const c = await anon().post(`/api/manage/${t}/cancel`, {});
      expect(c.body.error.code).toBe('LINK_INVALID');
    }
    const short = await anon().get('/api/manage/abc');
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('INVALID_INPUT');
    expect(await status(b.id)).toBe('confirmed');
    expect(await countRows(db.pool, 'manage_link_uses')).toBe(usesBefore);
  });

  it('cannot reach another booking: the link of one booking changes only that booking', async () => {
    const mine = await booking(nextDay());
    const other = await booking(nextDay());
    const token = manageToken(keys, mine.id);
    expect((await anon().post(`/api/manage/${token}/cancel`, {})).status).toBe(200);
    expect(await status(mine.id)).toBe('cancelled');
    expect(await status(other.id)).toBe('confirmed');
  });

  it('a cancelled booking or one already started offers no change; the booking rules answer a late attempt', async () => {
    const date = nextDay();
    const b = await booking(date);
    const token = manageToken(keys, b.id);
    const start = clock.now();
    try {
      clock.t = Date.parse(b.startUtc) + 60_000;
      const v = await anon().get(`/api/manage/${token}`);
      expect(v.body.actions).toEqual([]);
      const c = await anon().post(`/api/manage/${token}/cancel`, {});
      expect(c.status).toBe(409);
      expect(c.body.error.code).toBe('INVALID_TRANSITION');
      expect(await countRows(db.pool, 'manage_link_uses', 'booking_id = $1', [b.id])).toBe(0);
    } finally {
      clock.t = start;
    }
  });

  it('a write from another origin is refused like every other write', async () => {
    const b = await booking(nextDay());
    const token = manageToken(keys, b.id);
    const r = await anon().post(`/api/manage/${token}/cancel`, {}, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
    expect(await status(b.id)).toBe('confirmed');
  });
});

describe('rate limit', () => {
  it('cancel and reschedule count against the booking limit of the client', async () => {
    const limited = await startTestServer(db.pool, { now: clock.now, env: { RATE_LIMIT_BOOKING: '2' } });
    try {
      const k = await limited.app.manageKeys();
      const client = new HttpClient(limited.baseUrl);
      const other = await createUser(db.pool);
      expect(other.id).toBeDefined();
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = manageToken(k, '00000000-0000-4000-8000-000000000000');
        codes.push((await client.post(`/api/manage/${t}/cancel`, {})).status);
      }
      expect(codes).toEqual([404, 404, 429]);
    } finally {
      await limited.close();
    }
  });
});
