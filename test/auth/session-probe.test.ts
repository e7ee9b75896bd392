// The session probe a page makes on load (GET /api/auth/session: a visitor is an answer, not a 401)
// and the registration's name limit (400 NAME_TOO_LONG, never a silent cut).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISPLAY_NAME_MAX } from '../../server/contract/auth.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { HttpClient, NO_LIMITS } from './client.ts';

let db: TestDb;
let srv: TestServer;

beforeAll(async () => {
  db = await freshDatabase();
  srv = await startTestServer(db.pool, { env: NO_LIMITS });
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const count = async (table: string) => (await db.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

describe('GET /api/auth/session', () => {
  it('answers 200 {user: null} to a visitor, the user once signed in, and null again after logout', async () => {
    const c = new HttpClient(srv.baseUrl);
    const anon = await c.get('/api/auth/session');
    expect(anon.status).toBe(200);
    expect(anon.body).toEqual({ user: null });
    // No session row is created by asking.
    expect(c.cookie).toBe('');

    const reg = await c.post('/api/auth/register', {
      email: 'probe@example.test',
      password: 'long-enough-pw',
      displayName: 'Probe Person',
    });
    expect(reg.status).toBe(201);
    const signedIn = await c.get('/api/auth/session');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toEqual({ user: reg.body });

    expect((await c.post('/api/auth/logout')).status).toBe(204);
    expect((await c.get('/api/auth/session')).body).toEqual({ user: null });
    // GET /api/auth/me keeps its contract: 401 without a session.
    expect((await c.get('/api/auth/me')).status).toBe(401);
  });

  it('answers null for a cookie of no session, and refuses query parameters', async () => {
    const c = new HttpClient(srv.baseUrl);
    c.cookie = 'kb.sid=s%3Anot-a-session.bad';
    const r = await c.get('/api/auth/session');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ user: null });
    const q = await new HttpClient(srv.baseUrl).get('/api/auth/session?user=admin');
    expect(q.status).toBe(400);
    expect(q.body.error.code).toBe('INVALID_INPUT');
  });
});

describe('registration name limit', () => {
  it(`refuses a name over ${DISPLAY_NAME_MAX} characters with 400 NAME_TOO_LONG and writes nothing`, async () => {
    const [users, sessions] = [await count('users'), await count('session')];
    const c = new HttpClient(srv.baseUrl);
    const r = await c.post('/api/auth/register', {
      email: 'long.name@example.test',
      password: 'long-enough-pw',
      displayName: 'N'.repeat(DISPLAY_NAME_MAX + 1),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('NAME_TOO_LONG');
    expect(r.body.error.message).toMatch(new RegExp(`at most ${DISPLAY_NAME_MAX} characters`));
    expect(r.body.error.details).toEqual({ field: 'displayName', max: DISPLAY_NAME_MAX, length: DISPLAY_NAME_MAX + 1 });
    expect(await count('users')).toBe(users);
    expect(await count('session')).toBe(sessions);
    expect(c.cookie).toBe('');
  });

  it('names the name before any other problem of the body', async () => {
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: 'not-an-email',
      password: 'x',
      displayName: 'N'.repeat(500),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('NAME_TOO_LONG');
  });

  it(`keeps a name of exactly ${DISPLAY_NAME_MAX} characters whole (spaces around it trimmed)`, async () => {
    const name = 'Ananya '.repeat(20).slice(0, DISPLAY_NAME_MAX - 1) + 'X';
    expect(name).toHaveLength(DISPLAY_NAME_MAX);
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: 'exact.name@example.test',
      password: 'long-enough-pw',
      displayName: `  ${name}  `,
    });
    expect(r.status).toBe(201);
    expect(r.body.displayName).toBe(name);
    const { rows } = await db.pool.query('select display_name from users where email = $1', ['exact.name@example.test']);
    expect(rows[0].display_name).toBe(name);
  });
});
