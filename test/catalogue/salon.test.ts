// The salon's time zone: a setting of the salon kept in the database (server/salon.ts), given by
// SALON_TIMEZONE on first start only, answered by GET /api/salon, and the zone the demo is seeded in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { SALON_TIMEZONE_KEY } from '../../server/salon.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { startTestServer } from '../setup/server.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

const salonOf = async (base: string) => {
  const res = await fetch(`${base}/api/salon`);
  return { status: res.status, body: await res.json() };
};
const stored = async () =>
  (await db.pool.query('select value from settings where key = $1', [SALON_TIMEZONE_KEY])).rows.map((r) => r.value);

describe('the salon time zone', () => {
  it('is Asia/Kathmandu by default and refuses a zone that is not IANA', () => {
    expect(parseConfig({}).salonTimezone).toBe('Asia/Kathmandu');
    expect(parseConfig({ SALON_TIMEZONE: 'Europe/Berlin' }).salonTimezone).toBe('Europe/Berlin');
    for (const bad of ['Mars/Olympus', '+05:45', '']) expect(() => parseConfig({ SALON_TIMEZONE: bad }), bad).toThrow(/SALON_TIMEZONE/);
  });

  it('is stored on first start; later starts answer the stored setting whatever SALON_TIMEZONE says', async () => {
    await db.pool.query('delete from settings where key = $1', [SALON_TIMEZONE_KEY]);
    const first = await startTestServer(db.pool, { env: { SALON_TIMEZONE: 'America/New_York', CURRENCY: 'USD' } });
    try {
      expect(await stored()).toEqual(['America/New_York']);
      expect(await salonOf(first.baseUrl)).toEqual({ status: 200, body: { timezone: 'America/New_York', currency: 'USD' } });
      expect((await fetch(`${first.baseUrl}/api/salon?x=1`)).status).toBe(400);
    } finally {
      await first.close();
    }
    const second = await startTestServer(db.pool, { env: { SALON_TIMEZONE: 'Europe/London' } });
    try {
      expect((await salonOf(second.baseUrl)).body.timezone).toBe('America/New_York');
    } finally {
      await second.close();
    }
  });

  it('stops the start with the fix when the stored value is not a zone', async () => {
    await db.pool.query(
      `insert into settings (key, value) values ($1, '"Nowhere/Land"') on conflict (key) do update set value = excluded.value`,
      [SALON_TIMEZONE_KEY],
    );
    await expect(startTestServer(db.pool)).rejects.toThrow(
      /salon_timezone is "Nowhere\/Land", not an IANA time zone; set it: update settings/,
    );
    await db.pool.query('delete from settings where key = $1', [SALON_TIMEZONE_KEY]);
  });

  it('is the zone the demo salon is seeded in', async () => {
    const fresh = await freshDatabase();
    try {
      const client = await fresh.pool.connect();
      try {
        expect(await seedDemo(client, { password: 'kbstylish-demo', timezone: 'Europe/Lisbon' })).toBe(true);
      } finally {
        client.release();
      }
      const { rows } = await fresh.pool.query<{ timezone: string }>('select distinct timezone from stylists');
      expect(rows).toEqual([{ timezone: 'Europe/Lisbon' }]);
    } finally {
      await fresh.drop();
    }
  });
});
