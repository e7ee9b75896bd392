// GET /api/announcements/current: what a page opened after an announcement still shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createStylist, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const HOUR = 3_600_000;
let db: TestDb;
let srv: TestServer;
let admin: HttpClient;
let customer: HttpClient;
let stylist: HttpClient;
let anonymous: HttpClient;
const ids: Record<string, string> = {};
// The app's clock starts at the database's: announcements sent through the API are stamped by it.
const clock = fakeClock(Date.now());

beforeAll(async () => {
  db = await freshDatabase();
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const [a, c, st] = [await createUser(db.pool, { role: 'admin' }), await createUser(db.pool), await createStylist(db.pool)];
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  customer = await loginAs(srv.baseUrl, c.email, c.password);
  stylist = await loginAs(srv.baseUrl, st.email, st.password);
  anonymous = new HttpClient(srv.baseUrl);
  const insert = async (key: string, audience: string, hoursAgo: number, level = 'info') => {
    const { rows } = await db.pool.query<{ id: string }>(
      'insert into announcements (message, audience, level, created_at) values ($1, $2, $3, $4) returning id',
      [`${key} message`, audience, level, new Date(clock.t - hoursAgo * HOUR)],
    );
    ids[key] = rows[0].id;
  };
  await insert('stale', 'all', 25);
  await insert('staff', 'stylists', 3, 'warning');
  await insert('clients', 'customers', 2);
  await insert('everyone', 'all', 1);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const current = async (who: HttpClient) => {
  const r = await who.get<{ id: string }[]>('/api/announcements/current');
  expect(r.status).toBe(200);
  return r.body;
};
const keysOf = (list: { id: string }[]) => list.map((a) => Object.entries(ids).find(([, id]) => id === a.id)?.[0] ?? a.id);

describe('GET /api/announcements/current', () => {
  it('answers the last 24 hours newest first, as the socket event carries them', async () => {
    const list = await current(anonymous);
    expect(keysOf(list)).toEqual(['everyone', 'clients']);
    expect(list[0]).toEqual({
      id: ids.everyone,
      message: 'everyone message',
      audience: 'all',
      level: 'info',
      at: new Date(clock.t - HOUR).toISOString(),
    });
  });

  it('shows each role what its audience may see: anonymous as a customer, stylists theirs, admins everything', async () => {
    expect(keysOf(await current(customer))).toEqual(['everyone', 'clients']);
    expect(keysOf(await current(stylist))).toEqual(['everyone', 'staff']);
    expect(keysOf(await current(admin))).toEqual(['everyone', 'clients', 'staff']);
  });

  it('includes one just sent, until it is a day old', async () => {
    const sent = await admin.post('/api/admin/announcements', { message: 'Closing at 4 today', audience: 'customers', level: 'warning' });
    expect(sent.status).toBe(201);
    expect((await current(anonymous))[0]).toEqual({
      id: sent.body.id,
      message: 'Closing at 4 today',
      audience: 'customers',
      level: 'warning',
      at: sent.body.at,
    });
    expect((await current(stylist)).some((a) => a.id === sent.body.id)).toBe(false);
    const at = clock.t;
    clock.t = Date.parse(sent.body.at) + 24 * HOUR + 1000;
    try {
      expect(await current(anonymous)).toEqual([]);
    } finally {
      clock.t = at;
    }
  });

  it('refuses parameters', async () => {
    const r = await anonymous.get('/api/announcements/current?audience=stylists');
    expect([r.status, r.body.error.code]).toEqual([400, 'INVALID_INPUT']);
  });
});
