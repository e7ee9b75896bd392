// The OpenAPI document: generated from the route table, valid OpenAPI 3.1, served at
// GET /api/openapi.json; and the table itself cannot drift from the routes Express registered.
import { Validator } from '@seriousme/openapi-schema-validator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { SESSION_COOKIE } from '../../server/auth/session.ts';
import { parseConfig } from '../../server/config.ts';
import { ERROR_STATUS } from '../../server/contract/errors.ts';
import { buildOpenApiDocument, openApiPath } from '../../server/contract/openapi.ts';
import { ROUTES, routeName } from '../../server/contract/routes-table.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { registeredRoutes } from './express-routes.ts';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { content?: Record<string, { schema: any }> }>;
        security?: unknown;
        'x-roles': string[];
        parameters?: { name: string; in: string }[];
        requestBody?: unknown;
      }
    >
  >;
  components: { securitySchemes: Record<string, { name?: string }> };
};

describe('the route table', () => {
  it('lists exactly the routes Express registers, each once', () => {
    // A pool that is never connected: building the app runs no query.
    const app = createApp({
      config: parseConfig({ SESSION_SECRET: 'test-secret-test-secret', DATABASE_URL: 'postgres://unused' }),
      pool: new pg.Pool(),
      log: silentLog,
    });
    const registered = registeredRoutes(app.express);
    const table = ROUTES.map(routeName);
    expect(new Set(table).size).toBe(table.length);
    expect([...registered].sort()).toEqual([...table].sort());
  });

  it('notices a route that is not in the table', () => {
    const app = createApp({
      config: parseConfig({ SESSION_SECRET: 'test-secret-test-secret', DATABASE_URL: 'postgres://unused' }),
      pool: new pg.Pool(),
      log: silentLog,
    });
    app.express.post('/api/not-in-the-table', (_req, res) => res.end());
    expect(registeredRoutes(app.express)).toContain('POST /api/not-in-the-table');
    expect(ROUTES.map(routeName)).not.toContain('POST /api/not-in-the-table');
  });
});

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument() as unknown as Doc;

  it('is valid OpenAPI 3.1', async () => {
    const v = new Validator();
    const res = await v.validate(structuredClone(doc));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toBe('3.1');
    // The validator does check: a broken copy fails.
    const broken = structuredClone<Doc>(doc);
    (broken.paths['/api/holds'].post as { responses: unknown }).responses = 'none';
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('has an operation per route, with its path parameters, body, roles and error codes', () => {
    for (const r of ROUTES) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method];
      expect(op, routeName(r)).toBeDefined();
      expect(op['x-roles']).toEqual([...r.roles]);
      for (const name of r.path.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? []) {
        expect(
          op.parameters?.some((p) => p.in === 'path' && p.name === name),
          `${routeName(r)} :${name}`,
        ).toBe(true);
      }
      expect(op.requestBody !== undefined).toBe(r.body !== undefined);
      expect(op.responses[String(r.ok.status)]).toBeDefined();
      if (!r.roles.includes('anonymous')) {
        expect(op.security).toEqual([{ session: [] }]);
        expect(op.responses['401']).toBeDefined();
      }
      for (const [status, resp] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const codes: string[] = resp.content!['application/json'].schema.properties.error.properties.code.enum;
        for (const c of codes) expect(ERROR_STATUS[c as keyof typeof ERROR_STATUS]).toBe(Number(status));
      }
    }
  });

  it('describes the request body with the route schema, as accepted input', () => {
    const op = doc.paths['/api/holds'].post as { requestBody: { content: Record<string, { schema: any }> } };
    const s = op.requestBody.content['application/json'].schema;
    expect(s).toMatchObject({ type: 'object', required: ['stylistId', 'serviceId', 'startUtc'], additionalProperties: false });
    expect(s.properties.startUtc.format).toBe('date-time');
    expect(s.$schema).toBeUndefined();
  });

  it('names the real session cookie', () => {
    expect(doc.components.securitySchemes.session.name).toBe(SESSION_COOKIE);
  });
});

describe('GET /api/openapi.json', () => {
  let db: TestDb;
  let srv: TestServer;
  beforeAll(async () => {
    db = await freshDatabase();
    srv = await startTestServer(db.pool);
  });
  afterAll(async () => {
    await srv?.close();
    await db?.drop();
  });

  it('serves the document to anyone, cacheable, without a session', async () => {
    const res = await fetch(`${srv.baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.json()).toEqual(buildOpenApiDocument());
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${srv.baseUrl}/api/openapi.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('refuses a query string like every route without parameters', async () => {
    const res = await fetch(`${srv.baseUrl}/api/openapi.json?x=1`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('INVALID_INPUT');
  });
});
