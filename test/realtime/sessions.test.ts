// A socket keeps the identity its handshake read from the session cookie: these tests prove it ends
// with the session (logout, a new login, expiry, a logout handled by another process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs } from '../auth/client.ts';
import { createPool } from '../../server/db/pool.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { createSalon, createUser, insertBooking } from '../setup/factories.ts';
import { Inbox, announce, connect, startLive, type ClientSocket, type LiveServer, SocketJar } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const jar = new SocketJar();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  // No periodic session check within a test's time: what ends a socket here is the logout or the expiry.
  srv = await startLive(db.pool, { env: { SOCKET_SESSION_CHECK_SECONDS: '3600' } });
});
afterAll(async () => {
  jar.closeAll();
  for (const c of closers.reverse()) await c();
  await srv?.close();
  await db?.drop();
});

const open = (baseUrl: string, o: Parameters<typeof connect>[1] = {}) => jar.open(baseUrl, o);
/** The reason of the socket's next disconnect. */
const disconnected = (s: ClientSocket, timeoutMs = 10_000) =>
  new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    s.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });

let slot = 0;
/** A booking of the salon's stylist at a fresh 2-hour slot, written with SQL. */
const book = () =>
  insertBooking(db.pool, {
    customerId: salon.customer.id,
    stylistId: salon.stylist.id,
    serviceId: salon.service.id,
    startUtc: new Date(Date.parse('2027-05-01T00:00:00Z') + slot++ * 2 * 3_600_000).toISOString(),
  });

/** The session id inside a `kb.sid=s%3A<sid>.<signature>` cookie. */
const sidOf = (cookie: string) => {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
};

/** Sets the session's expiry (the cookie's, inside `sess`, and the store's column) to `at`. */
const expireSessionAt = async (cookie: string, at: number) => {
  const { rowCount } = await db.pool.query(
    `update session set sess = jsonb_set(sess::jsonb, '{cookie,expires}', to_jsonb($2::text))::json, expire = $3 where sid = $1`,
    [sidOf(cookie), new Date(at).toISOString(), new Date(at)],
  );
  expect(rowCount).toBe(1);
};

const rejections = async (s: LiveServer, reason: string) =>
  (await s.app.metrics.socketRejections.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

/** Whether a socket gets the salon stylist's booking events: books, then waits for a barrier to all. */
async function seesBookings(inbox: Inbox): Promise<boolean> {
  const id = await book();
  const message = `barrier-${id}`;
  await announce(db.pool, 'all', message);
  await inbox.next('announcement', (a) => a.message === message);
  return inbox.of('booking:created').some((p) => p.booking.id === id);
}

describe("logout ends the session's sockets", () => {
  it("disconnects every socket of the logged-out session at once (both transports), and no other session's", async () => {
    const frontDesk = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const phone = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const tab = await open(srv.baseUrl, { cookie: frontDesk.cookie });
    const pollingTab = await open(srv.baseUrl, { cookie: frontDesk.cookie, transports: ['polling'] });
    const onPhone = await open(srv.baseUrl, { cookie: phone.cookie });
    const [tabInbox, phoneInbox] = [new Inbox(tab), new Inbox(onPhone)];
    expect(await seesBookings(tabInbox)).toBe(true);
    const before = await rejections(srv, 'session_ended');

    const ends = [disconnected(tab), disconnected(pollingTab)];
    expect((await frontDesk.post('/api/auth/logout')).status).toBe(204);
    // Server-side disconnects: socket.io-client does not reconnect by itself after these.
    expect(await Promise.all(ends)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await rejections(srv, 'session_ended')).toBe(before + 2);

    // The other session of the same stylist carries on.
    expect(onPhone.connected).toBe(true);
    expect(await seesBookings(phoneInbox)).toBe(true);
    const seenByTab = tabInbox.of('booking:created').length;
    expect(seenByTab).toBe(1);
  });

  it('a socket reconnecting with the logged-out cookie is anonymous', async () => {
    const c = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const stale = c.cookie;
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    const again = await open(srv.baseUrl, { cookie: stale });
    expect(await seesBookings(new Inbox(again))).toBe(false);
  });

  it('a new login in the same browser ends the sockets of the session it replaces', async () => {
    const browser = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const tab = await open(srv.baseUrl, { cookie: browser.cookie });
    const ended = disconnected(tab);
    const customer = await createUser(db.pool);
    expect((await browser.post('/api/auth/login', { email: customer.email, password: customer.password })).status).toBe(200);
    expect(await ended).toBe('io server disconnect');
    // The new session's socket is the customer's: no booking events.
    const next = await open(srv.baseUrl, { cookie: browser.cookie });
    expect(await seesBookings(new Inbox(next))).toBe(false);
  });

  it('a handshake that read its session just before the logout gets an anonymous socket', async () => {
    const c = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    // What the store's destroy reports at logout, landing after this handshake has read the
    // (still stored) session and before its socket connects.
    srv.app.realtime.sessions.end(sidOf(c.cookie));
    const before = await rejections(srv, 'session_ended');
    const s = await open(srv.baseUrl, { cookie: c.cookie });
    expect(await rejections(srv, 'session_ended')).toBe(before + 1);
    expect(await seesBookings(new Inbox(s))).toBe(false);
  });

  it('logout of a session without sockets, or without a session, still answers 204', async () => {
    const tracked = srv.app.realtime.sessions.size;
    const c = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    expect((await new HttpClient(srv.baseUrl).post('/api/auth/logout')).status).toBe(204);
    expect(srv.app.realtime.sessions.size).toBe(tracked);
  });
});

describe('session expiry', () => {
  it('a handshake with an expired session gets an anonymous socket', async () => {
    const c = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    // The cookie's expiry has passed but the store still answers the row (not pruned yet, and its
    // `expire` column says later): the socket must not be the stylist's.
    await db.pool.query(`update session set sess = jsonb_set(sess::jsonb, '{cookie,expires}', to_jsonb($2::text))::json where sid = $1`, [
      sidOf(c.cookie),
      new Date(Date.now() - 60_000).toISOString(),
    ]);
    const before = await rejections(srv, 'session_expired');
    const s = await open(srv.baseUrl, { cookie: c.cookie });
    expect(await rejections(srv, 'session_expired')).toBe(before + 1);
    expect(await seesBookings(new Inbox(s))).toBe(false);
  });

  it('disconnects a socket when its session expires', async () => {
    const c = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    await expireSessionAt(c.cookie, Date.now() + 2500);
    const s = await open(srv.baseUrl, { cookie: c.cookie });
    const [before, tracked] = [await rejections(srv, 'session_expired'), srv.app.realtime.sessions.size];
    // Only a socket that was logged in is disconnected (an anonymous one has no session to end).
    expect(await disconnected(s)).toBe('io server disconnect');
    expect(await rejections(srv, 'session_expired')).toBe(before + 1);
    expect(srv.app.realtime.sessions.size).toBe(tracked - 1);
    // Reconnecting with the expired cookie gives an anonymous socket.
    const again = await open(srv.baseUrl, { cookie: c.cookie });
    expect(await seesBookings(new Inbox(again))).toBe(false);
  });
});

describe('several processes', () => {
  it("a logout handled by another process ends the sockets at this process's next session check", async () => {
    const poolB = createPool(db.url, 3, silentLog);
    closers.push(() => poolB.end());
    const b = await startLive(poolB, { env: { SOCKET_SESSION_CHECK_SECONDS: '0.1' } });
    closers.push(() => b.close());
    // Both processes share the session table and secret: a login on one is valid on the other.
    const leaving = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const staying = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    const onB = await open(b.baseUrl, { cookie: leaving.cookie });
    const stayingOnB = await open(b.baseUrl, { cookie: staying.cookie });
    const stayingInbox = new Inbox(stayingOnB);
    await b.app.realtime.sessions.check();
    expect(onB.connected).toBe(true);

    const ended = disconnected(onB);
    expect((await leaving.post('/api/auth/logout')).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    expect(await rejections(b, 'session_ended')).toBe(1);
    expect(stayingOnB.connected).toBe(true);
    expect(await seesBookings(stayingInbox)).toBe(true);
  });
});
