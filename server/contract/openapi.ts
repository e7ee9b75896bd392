// The OpenAPI 3.1 document of the HTTP contract, generated from the route table (routes-table.ts)
// and the zod schemas the routes validate with: zod 4 emits JSON Schema 2020-12, the dialect of
// OpenAPI 3.1. Request schemas describe what is accepted (`io: 'input'`). Checks that JSON Schema
// cannot express (a date that exists on the calendar, cross-field rules) are enforced by the server
// and stated in docs/api.md. No Node imports.
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from './errors.ts';
import { ROUTES, type RouteSpec } from './routes-table.ts';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const SESSION_COOKIE = 'kb.sid';

/** A request schema as JSON Schema 2020-12, without its `$schema` (the document's dialect applies). */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function outputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** `/api/holds/:id` → `/api/holds/{id}`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** One OpenAPI parameter per property of a strict object schema (path, query) or per header. */
function parameters(where: 'path' | 'query', schema: z.ZodType | undefined): Operation[] {
  if (!schema) return [];
  const json = inputSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

/** The error codes a route can answer, besides those of its action. */
export function routeErrorCodes(r: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(r.errors ?? []);
  const api = r.path.startsWith('/api/');
  if (r.params || r.query || r.body || r.headers) codes.add('INVALID_INPUT');
  if (!r.roles.includes('anonymous')) codes.add('UNAUTHENTICATED');
  if (r.roles.length < 3 && !r.roles.includes('anonymous')) codes.add('FORBIDDEN');
  if (api && r.method !== 'get') {
    codes.add('FORBIDDEN'); // cross-origin request
    codes.add('INVALID_INPUT'); // body not JSON
    codes.add('PAYLOAD_TOO_LARGE');
  }
  if (r.limiter) codes.add('RATE_LIMITED');
  if (api && r.path !== '/api/openapi.json') codes.add('NOT_READY');
  return [...codes];
}

const errorSchema = (codes: readonly ErrorCode[]): JsonSchema => ({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...codes] },
        message: { type: 'string' },
        details: { description: 'Present only where docs/api.md lists it' },
      },
    },
  },
});

function operation(r: RouteSpec): Operation {
  const responses: Record<string, unknown> = {};
  const ok = r.ok;
  const okContent =
    ok.status === 204
      ? undefined
      : ok.contentType === 'text/plain' || ok.contentType === 'text/calendar'
        ? { [ok.contentType]: { schema: { type: 'string' } } }
        : { 'application/json': { schema: ok.schema ? outputSchema(ok.schema) : {} } };
  responses[String(ok.status)] = { description: ok.description, ...(okContent ? { content: okContent } : {}) };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrorCodes(r)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
  }
  const headers = Object.entries(r.headers ?? {}).map(([name, s]) => ({ name, in: 'header', required: false, schema: inputSchema(s) }));
  const params = [...parameters('path', r.params), ...parameters('query', r.query), ...headers];
  const op: Operation = {
    operationId: `${r.method}${openApiPath(r.path)
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: r.summary,
    tags: [r.tag],
    'x-roles': [...r.roles],
    ...(params.length ? { parameters: params } : {}),
    responses,
  };
  if (r.body) {
    op.requestBody = { required: !r.bodyOptional, content: { 'application/json': { schema: inputSchema(r.body) } } };
  }
  if (!r.roles.includes('anonymous')) op.security = [{ session: [] }];
  else if (r.path === '/metrics') op.security = [{}, { metricsToken: [] }];
  if (r.limiter) op['x-rate-limiter'] = r.limiter;
  return op;
}

/** The whole document. Pure: build it once and serve the same bytes. */
export function buildOpenApiDocument(routes: readonly RouteSpec[] = ROUTES, version = '1'): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const r of routes) (paths[openApiPath(r.path)] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'KB Stylish Live',
      version,
      description:
        'The HTTP contract of KB Stylish Live, generated from the schemas the server validates with. ' +
        '`x-roles` lists the callers a route serves (`anonymous` = no session); others get 401 without a login, else 403. ' +
        'Every error has the body `{error: {code, message, details?}}`; switch on `code`. ' +
        'State-changing `/api` requests from another origin are refused (403). Live updates use Socket.IO (see docs/api.md).',
    },
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /api/auth/login or /register' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the server sets one' },
      },
    },
  };
}
