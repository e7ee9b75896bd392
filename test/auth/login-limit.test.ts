// The failed-login budget per client IP counts failures only, also when attempts run concurrently:
// successes in flight never use it up, and failures in flight never get past it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { HttpClient } from './client.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function withServer(env: Record<string, string>, fn: (s: TestServer) => Promise<void>): Promise<void> {
  const s = await startTestServer(db.pool, { env: { RATE_LIMIT_LOGIN: '10', RATE_LIMIT_WINDOW_SECONDS: '600', ...env } });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const statuses = (answers: { status: number }[]) => answers.map((a) => a.status).sort((a, b) => a - b);
const login = (s: TestServer, email: string, password: string, headers: Record<string, string> = {}) =>
  new HttpClient(s.baseUrl).post('/api/auth/login', { email, password }, headers);
const times = <T>(n: number, fn: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => fn(i));

describe('failed-login budget under concurrency', () => {
  it('lets 15 simultaneous correct logins from one IP through (none refused 429)', async () => {
    await withServer({}, async (s) => {
      const u = await createUser(db.pool);
      const answers = await Promise.all(times(15, () => login(s, u.email, u.password)));
      expect(statuses(answers)).toEqual(times(15, () => 200));
    });
  });

  it('lets simultaneous correct logins through after some failures, while the budget lasts', async () => {
    await withServer({}, async (s) => {
      const u = await createUser(db.pool);
      for (let i = 0; i < 6; i++) expect((await login(s, u.email, 'wrong-password')).status).toBe(401);
      const answers = await Promise.all(times(12, () => login(s, u.email, u.password)));
      expect(statuses(answers)).toEqual(times(12, () => 200));
      // The successes used none of it: four more failures, then 429.
      for (let i = 0; i < 4; i++) expect((await login(s, u.email, 'wrong-password')).status).toBe(401);
      expect((await login(s, u.email, 'wrong-password')).status).toBe(429);
    });
  });

  it('still refuses the 11th failure with 429 and Retry-After, then even a correct password', async () => {
    await withServer({}, async (s) => {
      const u = await createUser(db.pool);
      for (let i = 0; i < 10; i++) expect((await login(s, u.email, 'wrong-password')).status).toBe(401);
      const limited = await login(s, u.email, 'wrong-password');
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(600);
      expect((await login(s, u.email, u.password)).status).toBe(429);
    });
  });

  it('lets no more than the budget of simultaneous wrong passwords be checked', async () => {
    await withServer({}, async (s) => {
      const u = await createUser(db.pool);
      const answers = await Promise.all(times(30, () => login(s, u.email, 'wrong-password')));
      expect(statuses(answers)).toEqual([...times(10, () => 401), ...times(20, () => 429)]);
      for (const a of answers.filter((x) => x.status === 429)) expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  it('keeps the budget per client IP (IPv6 grouped by /56) behind TRUST_PROXY', async () => {
    await withServer({ TRUST_PROXY: 'true', RATE_LIMIT_LOGIN: '2' }, async (s) => {
      const u = await createUser(db.pool);
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      for (let i = 0; i < 2; i++) expect((await login(s, u.email, 'wrong-password', from(`2001:db8:0:${i}::1`))).status).toBe(401);
      // Another address of the same /56: the same budget.
      expect((await login(s, u.email, 'wrong-password', from('2001:db8:0:ff::2'))).status).toBe(429);
      // Another client: its own budget.
      expect((await login(s, u.email, u.password, from('2001:db8:1::1'))).status).toBe(200);
      expect((await login(s, u.email, 'wrong-password', from('203.0.113.9'))).status).toBe(401);
    });
  });
});
