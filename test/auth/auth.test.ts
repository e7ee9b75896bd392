import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { HttpClient, loginAs, NO_LIMITS } from './client.ts';

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

describe('register, login, me, logout', () => {
  it('registers a customer, logs them in, and me answers them', async () => {
    const c = new HttpClient(srv.baseUrl);
    const r = await c.post('/api/auth/register', {
      email: ' New.Person@Example.TEST ',
      password: 'long-enough-pw',
      displayName: 'New Person',
      phone: '+977 98000',
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: expect.any(String), email: 'new.person@example.test', displayName: 'New Person', role: 'customer' });
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(r.body);
    const { rows } = await db.pool.query('select password_hash, phone from users where id = $1', [r.body.id]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$/);
    expect(rows[0].phone).toBe('+977 98000');
  });

  it('refuses a second account for the same email with 409 and writes nothing', async () => {
    const u = await createUser(db.pool);
    const before = await count('users');
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: u.email.toUpperCase(),
      password: 'long-enough-pw',
      displayName: 'Dup',
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CONFLICT');
    expect(await count('users')).toBe(before);
  });

  it.each([
    ['a run of digits', 'mina.rai@example.test', '12345678'],
    ['the most common password', 'mina.rai@example.test', 'password'],
    ['the email itself', 'mina.rai@example.test', 'mina.rai@example.test'],
    ['the email in capitals', 'mina.rai@example.test', 'MINA.RAI@EXAMPLE.TEST'],
    ['the name and a year', 'mina.rai@example.test', 'Mina.Rai2024'],
  ])('refuses a weak password (%s) with 400 WEAK_PASSWORD and the reason, and writes nothing', async (_what, email, password) => {
    const [users, sessions] = [await count('users'), await count('session')];
    const c = new HttpClient(srv.baseUrl);
    const r = await c.post('/api/auth/register', { email, password, displayName: 'Mina Rai' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('WEAK_PASSWORD');
    expect(r.body.error.message).toMatch(/^Choose a stronger password: \S/);
    expect(r.body.error.details).toMatchObject({ field: 'password', score: expect.any(Number) });
    expect(r.body.error.details.score).toBeLessThan(3);
    expect([await count('users'), await count('session')]).toEqual([users, sessions]);
    expect(c.cookie).toBe('');
  });

  it('explains what is wrong with a weak password in the message', async () => {
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: 'mina.rai@example.test',
      password: 'mina.rai@example.test',
      displayName: 'Mina Rai',
    });
    expect(r.body.error.message).toMatch(/personal/i);
    const common = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: 'mina.rai@example.test',
      password: 'password',
      displayName: 'Mina Rai',
    });
    expect(common.body.error.message).toMatch(/commonly used|heavily used|frequently used/i);
  });

  it('refuses a weak first password when an admin onboards a stylist', async () => {
    const admin = await createUser(db.pool, { role: 'admin' });
    const c = await loginAs(srv.baseUrl, admin.email, admin.password);
    const before = await count('users');
    const r = await c.post('/api/admin/stylists', {
      displayName: 'Mina Lama',
      email: 'mina.lama@salon.test',
      password: 'minalama1',
      timezone: 'Asia/Kathmandu',
      services: [],
    });
    expect([r.status, r.body.error.code]).toEqual([400, 'WEAK_PASSWORD']);
    expect(await count('users')).toBe(before);
  });

  it('answers the same 401 for an unknown email and for a wrong password', async () => {
    const u = await createUser(db.pool);
    const c = new HttpClient(srv.baseUrl);
    const unknown = await c.post('/api/auth/login', { email: 'nobody@example.test', password: 'whatever-pw' });
    const wrong = await c.post('/api/auth/login', { email: u.email, password: 'not-the-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.error.code).toBe('UNAUTHENTICATED');
    expect(c.cookie).toBe('');
  });

  it('logs in with a new session id each time (no fixation) and a stylist sees their stylistId', async () => {
    const u = await createUser(db.pool, { role: 'stylist' });
    const { rows } = await db.pool.query(
      `insert into stylists (user_id, display_name, timezone) values ($1, 'S', 'Asia/Kathmandu') returning id`,
      [u.id],
    );
    const c = await loginAs(srv.baseUrl, u.email, u.password);
    const first = c.cookie;
    const again = await c.post('/api/auth/login', { email: u.email, password: u.password });
    expect(again.status).toBe(200);
    expect(again.body.user).toMatchObject({ id: u.id, role: 'stylist', stylistId: rows[0].id });
    expect(c.cookie).not.toBe(first);
    // The old session id no longer works.
    const stale = await new HttpClient(srv.baseUrl).get('/api/auth/me', { cookie: first });
    expect(stale.status).toBe(401);
  });

  it('sets an httpOnly, SameSite=Lax cookie kept in the session table, and logout ends it', async () => {
    const u = await createUser(db.pool);
    const c = new HttpClient(srv.baseUrl);
    const res = await fetch(`${srv.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password: u.password }),
    });
    const setCookie = res.headers.getSetCookie()[0];
    expect(setCookie).toMatch(/^kb\.sid=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    c.cookie = setCookie.split(';')[0];
    const { rows } = await db.pool.query(`select sess from session where sess->'user'->>'id' = $1`, [u.id]);
    expect(rows).toHaveLength(1);
    const out = await c.post('/api/auth/logout');
    expect(out.status).toBe(204);
    expect((await db.pool.query(`select 1 from session where sess->'user'->>'id' = $1`, [u.id])).rows).toHaveLength(0);
    expect((await new HttpClient(srv.baseUrl).get('/api/auth/me', { cookie: setCookie.split(';')[0] })).status).toBe(401);
  });

  it('me answers 401 without a session and anonymous requests store no session', async () => {
    const before = await count('session');
    const r = await new HttpClient(srv.baseUrl).get('/api/auth/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
    expect(await count('session')).toBe(before);
  });

  it('marks the cookie Secure with COOKIE_SECURE and works without a configured secret', async () => {
    const s = await startTestServer(db.pool, { env: { ...NO_LIMITS, COOKIE_SECURE: 'true', TRUST_PROXY: 'true' } });
    try {
      const u = await createUser(db.pool);
      const login = (headers: Record<string, string>) =>
        fetch(`${s.baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ email: u.email, password: u.password }),
        });
      const viaTls = await login({ 'x-forwarded-proto': 'https' });
      expect(viaTls.status).toBe(200);
      expect(viaTls.headers.getSetCookie()[0]).toMatch(/; Secure/i);
      // Over plain HTTP a Secure session cookie is not sent at all, never an insecure one.
      const plain = await login({});
      expect(plain.headers.getSetCookie()).toEqual([]);
    } finally {
      await s.close();
    }
    const { createApp } = await import('../../server/app.ts');
    const { parseConfig } = await import('../../server/config.ts');
    const { silentLog } = await import('../setup/db.ts');
    const config = parseConfig({ DATABASE_URL: 'postgres://unused' });
    expect(config.sessionSecret).toBeUndefined();
    const app = createApp({ config, pool: db.pool, log: silentLog });
    await app.close();
  });

  it('sends helmet headers', async () => {
    const r = await fetch(`${srv.baseUrl}/api/auth/me`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBeTruthy();
  });
});

describe('bad input to auth routes', () => {
  it.each([
    ['register: missing fields', '/api/auth/register', {}],
    ['register: extra field', '/api/auth/register', { email: 'a@b.test', password: 'long-enough', displayName: 'A', role: 'admin' }],
    ['register: malformed email', '/api/auth/register', { email: 'not-an-email', password: 'long-enough', displayName: 'A' }],
    ['register: short password', '/api/auth/register', { email: 'a@b.test', password: 'short', displayName: 'A' }],
    ['register: wrong types', '/api/auth/register', { email: 1, password: ['x'], displayName: null }],
    // A long name answers its own code, NAME_TOO_LONG (test/auth/session-probe.test.ts).
    ['register: blank name', '/api/auth/register', { email: 'a@b.test', password: 'long-enough', displayName: '   ' }],
    ['register: bad phone', '/api/auth/register', { email: 'a@b.test', password: 'long-enough', displayName: 'A', phone: '<script>' }],
    ['login: missing password', '/api/auth/login', { email: 'a@b.test' }],
    ['login: extra field', '/api/auth/login', { email: 'a@b.test', password: 'x', remember: true }],
    ['login: array body', '/api/auth/login', [1, 2]],
    ['login: string body', '/api/auth/login', '"just a string"'],
    ['login: broken JSON', '/api/auth/login', '{"email":'],
  ])('%s → 400 INVALID_INPUT, nothing written', async (_name, path, body) => {
    const [users, sessions] = [await count('users'), await count('session')];
    const r = await new HttpClient(srv.baseUrl).post(path, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect([await count('users'), await count('session')]).toEqual([users, sessions]);
  });

  it('refuses a body that is not JSON', async () => {
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/login', 'email=a@b.test', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(400);
  });

  it('answers 413 to a huge body and writes nothing', async () => {
    const before = await count('users');
    const r = await new HttpClient(srv.baseUrl).post('/api/auth/register', {
      email: 'big@b.test',
      password: 'long-enough',
      displayName: 'x'.repeat(200_000),
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await count('users')).toBe(before);
  });
});

describe('cross-origin protection', () => {
  it('refuses a state-changing request from another origin with 403', async () => {
    const u = await createUser(db.pool);
    const c = await loginAs(srv.baseUrl, u.email, u.password);
    const evil = await c.post('/api/auth/logout', undefined, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('FORBIDDEN');
    const viaReferer = await c.post('/api/auth/logout', undefined, { referer: 'https://evil.example/page' });
    expect(viaReferer.status).toBe(403);
    const nullOrigin = await c.post('/api/auth/login', { email: u.email, password: u.password }, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    // Still logged in: nothing happened.
    expect((await c.get('/api/auth/me')).status).toBe(200);
  });

  it('accepts the same host and configured origins, and GETs from anywhere', async () => {
    const s = await startTestServer(db.pool, { env: { ...NO_LIMITS, ALLOWED_ORIGINS: 'https://app.example, http://localhost:5173' } });
    try {
      const u = await createUser(db.pool);
      const c = await loginAs(s.baseUrl, u.email, u.password);
      expect((await c.get('/api/auth/me', { origin: 'https://evil.example' })).status).toBe(200);
      expect((await c.post('/api/auth/login', { email: u.email, password: u.password }, { origin: s.baseUrl })).status).toBe(200);
      expect((await c.post('/api/auth/login', { email: u.email, password: u.password }, { origin: 'http://localhost:5173' })).status).toBe(
        200,
      );
      expect((await c.post('/api/auth/login', { email: u.email, password: u.password }, { origin: 'https://app.example' })).status).toBe(
        200,
      );
      expect(
        (await c.post('/api/auth/login', { email: u.email, password: u.password }, { origin: 'https://app.example.evil' })).status,
      ).toBe(403);
    } finally {
      await s.close();
    }
  });
});

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once the failed-login budget is used up', async () => {
    const s = await startTestServer(db.pool, { env: { RATE_LIMIT_LOGIN: '3', RATE_LIMIT_WINDOW_SECONDS: '600' } });
    try {
      const c = new HttpClient(s.baseUrl);
      // Successful logins do not use up the budget: only failures count.
      const u = await createUser(db.pool);
      for (let i = 0; i < 5; i++) expect((await c.post('/api/auth/login', { email: u.email, password: u.password })).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await c.post('/api/auth/login', { email: 'x@y.test', password: 'nope-nope' })).status).toBe(401);
      const limited = await c.post('/api/auth/login', { email: 'x@y.test', password: 'nope-nope' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Registration shares the login budget.
      expect((await c.post('/api/auth/register', { email: 'r@y.test', password: 'long-enough', displayName: 'R' })).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('answers a taken e-mail 409 only within the failed-attempt budget, and never a weak password 409', async () => {
    // docs/decisions.md: registration says that an e-mail is taken (no mail to confirm addresses
    // with); the failed-attempt budget bounds probing to the pace of password guessing.
    const s = await startTestServer(db.pool, {
      env: { RATE_LIMIT_LOGIN: '3', RATE_LIMIT_REGISTER: '100', RATE_LIMIT_WINDOW_SECONDS: '600' },
    });
    try {
      const owner = await createUser(db.pool);
      const account = async () => (await db.pool.query('select password_hash, display_name from users where id = $1', [owner.id])).rows[0];
      const before = await account();
      const c = new HttpClient(s.baseUrl);
      const probe = (email: string, password = 'long-enough-pw') => c.post('/api/auth/register', { email, password, displayName: 'Probe' });
      // A weak password is refused before the e-mail is looked at.
      expect((await probe(owner.email, 'password')).body.error.code).toBe('WEAK_PASSWORD');
      const taken = await probe(owner.email);
      expect([taken.status, taken.body.error.code]).toEqual([409, 'CONFLICT']);
      expect(c.cookie).toBe('');
      expect((await probe(owner.email)).status).toBe(409);
      // Budget spent: taken or not, the answer no longer tells.
      const [again, fresh] = [await probe(owner.email), await probe('never-seen@y.test')];
      expect([again.status, fresh.status]).toEqual([429, 429]);
      // The owner's account is untouched.
      expect(await account()).toEqual(before);
    } finally {
      await s.close();
    }
  });

  it('counts every registration from one address, successful or not', async () => {
    const s = await startTestServer(db.pool, { env: { RATE_LIMIT_REGISTER: '2', RATE_LIMIT_WINDOW_SECONDS: '600' } });
    try {
      const c = new HttpClient(s.baseUrl);
      const reg = (n: number) =>
        c.post('/api/auth/register', { email: `bulk-${n}-${Date.now()}@y.test`, password: 'long-enough-pw', displayName: `Bulk ${n}` });
      expect((await reg(1)).status).toBe(201);
      expect((await reg(2)).status).toBe(201);
      const third = await reg(3);
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
    } finally {
      await s.close();
    }
  });

  it('limits holds and bookings per user: 429 with Retry-After, other users unaffected, nothing written', async () => {
    const s = await startTestServer(db.pool, { env: { RATE_LIMIT_BOOKING: '2', RATE_LIMIT_WINDOW_SECONDS: '600' } });
    try {
      const [u1, u2] = [await createUser(db.pool), await createUser(db.pool)];
      const [c1, c2] = [await loginAs(s.baseUrl, u1.email, u1.password), await loginAs(s.baseUrl, u2.email, u2.password)];
      const body = {
        stylistId: '00000000-0000-4000-8000-000000000000',
        serviceId: '00000000-0000-4000-8000-000000000000',
        startUtc: '2027-03-10T05:15:00Z',
      };
      expect((await c1.post('/api/holds', body)).status).toBe(404);
      expect((await c1.post('/api/bookings', body)).status).toBe(404);
      const before = [await count('holds'), await count('bookings')];
      const limited = await c1.post('/api/bookings', body);
      expect([limited.status, limited.body.error.code]).toEqual([429, 'RATE_LIMITED']);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await c1.post('/api/holds', body)).status).toBe(429);
      expect((await c2.post('/api/holds', body)).status).toBe(404);
      expect([await count('holds'), await count('bookings')]).toEqual(before);
    } finally {
      await s.close();
    }
  });
});
