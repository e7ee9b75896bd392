// Session cookies survive restarts and work across processes without SESSION_SECRET: the secret is
// generated once and kept in the database. SESSION_SECRET, when set, wins; SESSION_SECRET_PREVIOUS
// keeps cookies signed with an older one valid (rotation).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../bench/lib/proc.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createUser } from '../setup/factories.ts';
import { startTestServer } from '../setup/server.ts';
import { HttpClient, NO_LIMITS, loginAs } from './client.ts';

let db: TestDb;
let user: Awaited<ReturnType<typeof createUser>>;
const running = new Set<ServerProcess>();

beforeAll(async () => {
  db = await freshDatabase();
  user = await createUser(db.pool);
});
afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop()));
  await db?.drop();
});

/** `node server/main.ts` on this test's database, as an operator runs it: no SESSION_SECRET. */
async function serve(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const s = await startServer({
    name,
    entry: 'server/main.ts',
    env: { DATABASE_URL: db.url, SEED_DEMO: '0', SESSION_SECRET: '', SESSION_SECRET_PREVIOUS: '', LOG_LEVEL: 'warn', ...NO_LIMITS, ...env },
    timeoutMs: 60_000,
  });
  running.add(s);
  return s;
}
async function stop(s: ServerProcess): Promise<void> {
  await s.stop();
  running.delete(s);
}
/** GET /api/auth/me on `baseUrl` with `cookie`: the email it answers, or the status. */
async function whoAmI(baseUrl: string, cookie: string): Promise<string | number> {
  const c = new HttpClient(baseUrl);
  c.cookie = cookie;
  const r = await c.get('/api/auth/me');
  return r.status === 200 ? r.body.user.email : r.status;
}
const storedSecrets = async () =>
  (await db.pool.query<{ value: string }>(`select value from settings where key = 'session_secret'`)).rows.map((r) => r.value);

describe('session secret kept in the database', () => {
  it("two processes started together share one generated secret and accept each other's cookies", async () => {
    expect(await storedSecrets()).toEqual([]);
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const secrets = await storedSecrets();
    expect(secrets).toHaveLength(1);
    expect(secrets[0].length).toBeGreaterThanOrEqual(32);
    const onA = await loginAs(a.baseUrl, user.email, user.password);
    const onB = await loginAs(b.baseUrl, user.email, user.password);
    expect(await whoAmI(b.baseUrl, onA.cookie)).toBe(user.email);
    expect(await whoAmI(a.baseUrl, onB.cookie)).toBe(user.email);
    await Promise.all([stop(a), stop(b)]);
  }, 120_000);

  it('keeps a login across a restart', async () => {
    const first = await serve('before-restart');
    const client = await loginAs(first.baseUrl, user.email, user.password);
    expect(await whoAmI(first.baseUrl, client.cookie)).toBe(user.email);
    await stop(first);
    const second = await serve('after-restart');
    expect(await whoAmI(second.baseUrl, client.cookie)).toBe(user.email);
    await stop(second);
  }, 120_000);
});

describe('SESSION_SECRET and rotation', () => {
  const OLD = 'old-secret-old-secret-old-secret';
  const NEW = 'new-secret-new-secret-new-secret';

  it('SESSION_SECRET wins over the stored secret', async () => {
    const stored = await startTestServer(db.pool, { env: { SESSION_SECRET: '', ...NO_LIMITS } });
    const configured = await startTestServer(db.pool, { env: { SESSION_SECRET: NEW, ...NO_LIMITS } });
    try {
      const client = await loginAs(stored.baseUrl, user.email, user.password);
      expect(await whoAmI(stored.baseUrl, client.cookie)).toBe(user.email);
      expect(await whoAmI(configured.baseUrl, client.cookie)).toBe(401);
    } finally {
      await Promise.all([stored.close(), configured.close()]);
    }
  });

  it('accepts cookies signed with SESSION_SECRET_PREVIOUS and signs new ones with SESSION_SECRET', async () => {
    const before = await startTestServer(db.pool, { env: { SESSION_SECRET: OLD, ...NO_LIMITS } });
    const rotated = await startTestServer(db.pool, { env: { SESSION_SECRET: NEW, SESSION_SECRET_PREVIOUS: OLD, ...NO_LIMITS } });
    const newOnly = await startTestServer(db.pool, { env: { SESSION_SECRET: NEW, ...NO_LIMITS } });
    try {
      const oldCookie = (await loginAs(before.baseUrl, user.email, user.password)).cookie;
      expect(await whoAmI(rotated.baseUrl, oldCookie)).toBe(user.email);
      // Without the previous secret listed, the old cookie is refused: the rotation setting is what keeps it.
      expect(await whoAmI(newOnly.baseUrl, oldCookie)).toBe(401);
      const newCookie = (await loginAs(rotated.baseUrl, user.email, user.password)).cookie;
      expect(await whoAmI(newOnly.baseUrl, newCookie)).toBe(user.email);
    } finally {
      await Promise.all([before.close(), rotated.close(), newOnly.close()]);
    }
  });

  it('refuses a previous secret shorter than 16 characters at start', async () => {
    const { parseConfig } = await import('../../server/config.ts');
    expect(() => parseConfig({ SESSION_SECRET_PREVIOUS: `${OLD},short` })).toThrow(/SESSION_SECRET_PREVIOUS/);
    expect(parseConfig({ SESSION_SECRET_PREVIOUS: ` ${OLD} , ${NEW} ` }).sessionSecretsPrevious).toEqual([OLD, NEW]);
  });
});
