// One presenter for an override (kb_override_json, server/overrides/present.ts): the create answer,
// the admin list, the stylist's day, the outbox events the socket pushes and replays, and the audit
// row of a delete all carry the very same object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const DATE = '2027-04-14';
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let admin: HttpClient;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
  srv = await startTestServer(db.pool, { env: NO_LIMITS });
  const a = await createUser(db.pool, { role: 'admin' });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const eventData = async (kind: string, id: string) =>
  (await db.pool.query('select data from events where kind = $1 and entity_id = $2', [kind, id])).rows.map((r) => r.data);

describe('the override presenter', () => {
  for (const body of [
    { scope: 'stylist', kind: 'hours', start: '10:00', end: '14:30', priority: 3, reason: 'Short day' },
    { scope: 'salon', kind: 'closed', reason: 'Festival' },
  ]) {
    it(`gives one shape everywhere (${body.scope} ${body.kind})`, async () => {
      const created = await admin.post('/api/admin/overrides', {
        ...body,
        ...(body.scope === 'stylist' ? { stylistId: salon.stylist.id } : {}),
        startDate: DATE,
        endDate: DATE,
      });
      expect(created.status).toBe(201);
      const dto = created.body.override;
      expect(dto).toMatchObject({ scope: body.scope, kind: body.kind, startDate: DATE, endDate: DATE, reason: body.reason });
      expect(dto.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const list = await admin.get(`/api/admin/overrides?from=${DATE}&to=${DATE}`);
      expect(list.body.find((o: { id: string }) => o.id === dto.id)).toEqual(dto);
      const day = await admin.get(`/api/stylist/day?stylistId=${salon.stylist.id}&date=${DATE}`);
      expect(day.body.overrides.find((o: { id: string }) => o.id === dto.id)).toEqual(dto);
      expect(await eventData('override.created', dto.id)).toEqual([dto]);

      expect((await admin.delete(`/api/admin/overrides/${dto.id}`)).status).toBe(204);
      expect(await eventData('override.deleted', dto.id)).toEqual([dto]);
      const { rows } = await db.pool.query(`select details from audit_log where action = 'override.delete' and target = $1`, [
        `override:${dto.id}`,
      ]);
      expect(rows.map((r) => r.details)).toEqual([dto]);
    });
  }
});
