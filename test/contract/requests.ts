// Generated HTTP requests for one route of the table: a valid request built from the JSON Schema of
// its zod schemas, then maybe one mutation (garbage in a field, an unknown or prototype key, a
// missing field, a wholesale garbage or malformed body, a bad path segment, a repeated query
// parameter, a foreign Origin, a bad header). Each request is classified by what the server will
// see: the same decoding (path, query string, JSON body) fed to the route's own zod schemas.
import fc from 'fast-check';
import querystring from 'node:querystring';
import { z } from 'zod';
import type { RouteSpec } from '../../server/contract/routes-table.ts';
import { EXTREME_INSTANTS, fromJsonSchema, garbage, type FieldContext } from './arbitraries.ts';

export interface WireRequest {
  method: string;
  /** Path with its segments already encoded. */
  path: string;
  /** Query string, encoded, without `?` ('' for none). */
  query: string;
  body?: string;
  headers: Record<string, string>;
  /** What was done to the valid request ('valid' for nothing). */
  mutation: string;
}

type Json = Record<string, unknown>;

interface Parts {
  params?: Record<string, string>;
  query?: Json;
  body?: unknown;
  idempotencyKey?: string;
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'field'; part: 'body' | 'query'; key: string; value: unknown }
  | { kind: 'extraKey'; part: 'body' | 'query'; key: string; value: unknown }
  | { kind: 'dropKey'; part: 'body' | 'query'; key: string }
  | { kind: 'wholeBody'; value: unknown }
  | { kind: 'rawBody'; text: string; contentType: string }
  | { kind: 'pathSegment'; key: string; raw: string }
  | { kind: 'repeatQuery'; key: string }
  | { kind: 'origin'; origin: string }
  | { kind: 'idempotencyKey'; value: string };

const jsonSchemaOf = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as never;
const keysOf = (s: z.ZodType | undefined): string[] =>
  Object.keys((z.toJSONSchema(s!, { io: 'input', unrepresentable: 'any' }) as { properties?: object }).properties ?? {});

/** Path segments that have broken routers: bad percent-encoding, NUL, encoded slashes, huge, unicode. */
const BAD_SEGMENTS = [
  '%E0%A4%A',
  '%',
  '%00',
  'a%2Fb',
  '%C0%AF',
  'x'.repeat(3000),
  encodeURIComponent('😀'),
  '%ED%A0%80',
  '-1',
  '0',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '%20',
  encodeURIComponent('00000000-0000-0000-0000-000000000000 '),
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'extra'];

/** `shapedBody`: valid bodies of a route with cross-field rules (shapes.ts), mixed with the schema-built ones. */
export function requestArbitrary(
  route: RouteSpec,
  ctx: FieldContext,
  bodyLimitBytes: number,
  shapedBody?: fc.Arbitrary<unknown>,
): fc.Arbitrary<WireRequest> {
  const paramKeys = route.path.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? [];
  const bodyKeys = route.body ? keysOf(route.body) : [];
  const queryKeys = route.query ? keysOf(route.query) : [];
  const parts = partsArbitrary(route, ctx, shapedBody);
  const hasBody = route.method !== 'get';
  const api = route.path.startsWith('/api/');
  const value = garbage(bodyLimitBytes);
  const mutations: fc.Arbitrary<Mutation>[] = [fc.constant({ kind: 'none' } as const)];
  for (const [part, keys] of [
    ['body', bodyKeys],
    ['query', queryKeys],
  ] as const) {
    if ((part === 'body' && !route.body) || (part === 'query' && !route.query && api)) continue;
    const someKey = keys.length ? fc.constantFrom(...keys) : fc.constant('extra');
    mutations.push(
      fc.record({ kind: fc.constant('field' as const), part: fc.constant(part), key: someKey, value }),
      fc.record({
        kind: fc.constant('extraKey' as const),
        part: fc.constant(part),
        key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 10 })),
        value,
      }),
    );
    if (keys.length) mutations.push(fc.record({ kind: fc.constant('dropKey' as const), part: fc.constant(part), key: someKey }));
    if (part === 'query' && keys.length) mutations.push(fc.record({ kind: fc.constant('repeatQuery' as const), key: someKey }));
  }
  if (hasBody) {
    mutations.push(
      fc.record({ kind: fc.constant('wholeBody' as const), value }),
      fc.record({
        kind: fc.constant('rawBody' as const),
        text: fc.oneof(
          fc.constantFrom(
            '',
            '{',
            '{"a":',
            '[',
            'null',
            '"x"',
            '1',
            'true',
            '{"a":1,}',
            "{'a':1}",
            '{"a":1}{"b":2}',
            '\u0000',
            '{"a":"\\ud800"}',
            '{"__proto__":{"admin":true}}',
            '{"constructor":{"prototype":{"admin":true}}}',
          ),
          fc.integer({ min: 1, max: 9000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
          fc.integer({ min: 0, max: 64 }).map((extra) => `{"a":"${'x'.repeat(bodyLimitBytes - 8 + extra)}"}`),
          fc.string({ unit: 'binary', maxLength: 200 }),
        ),
        contentType: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
        ),
      }),
    );
  }
  for (const key of paramKeys)
    mutations.push(fc.record({ kind: fc.constant('pathSegment' as const), key: fc.constant(key), raw: fc.constantFrom(...BAD_SEGMENTS) }));
  if (api && hasBody)
    mutations.push(
      fc.record({
        kind: fc.constant('origin' as const),
        origin: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1.evil.example'),
      }),
    );
  if (route.headers)
    mutations.push(
      fc.record({
        kind: fc.constant('idempotencyKey' as const),
        value: fc.constantFrom('a b', 'é', 'x'.repeat(201), 'k\u00ff', '"quoted key"'),
      }),
    );
  return fc
    .tuple(parts, fc.oneof({ weight: mutations.length, arbitrary: mutations[0] }, ...mutations.slice(1)))
    .map(([p, m]) => toWire(route, p, m));
}

/** The valid shape of a request: path parameters, query, body and idempotency key. */
function partsArbitrary(route: RouteSpec, ctx: FieldContext, shapedBody?: fc.Arbitrary<unknown>): fc.Arbitrary<Parts> {
  return fc.record({
    params: route.params
      ? (fromJsonSchema(jsonSchemaOf(route.params), 'params', ctx) as fc.Arbitrary<Record<string, string>>)
      : fc.constant(undefined),
    query: route.query ? (fromJsonSchema(jsonSchemaOf(route.query), 'query', ctx) as fc.Arbitrary<Json>) : fc.constant(undefined),
    body: !route.body
      ? fc.constant(undefined)
      : shapedBody
        ? fc.oneof({ weight: 3, arbitrary: shapedBody }, { weight: 1, arbitrary: fromJsonSchema(jsonSchemaOf(route.body), 'body', ctx) })
        : fromJsonSchema(jsonSchemaOf(route.body), 'body', ctx),
    idempotencyKey: route.headers
      ? fc.option(fc.oneof(fc.uuid(), fc.stringMatching(/^[\x21-\x7e]{1,60}$/)), { nil: undefined })
      : fc.constant(undefined),
  });
}

/** Strings the sweep puts in every free-text field (padded to its minimum length). */
const SWEEP_STRINGS = ['a\u0000b', 'x\uDFFFy', '\u202Eevil 👩‍👩‍👧‍👦', "'; drop table users; --"];
const SWEEP_BAD_INSTANTS = ['+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '2027-02-29T09:00:00Z'];
const SWEEP_BAD_DATES = ['10000-01-01', '2027-02-29'];

/**
 * The boundary sweep of a route: one valid request that names seeded rows (`ctx.realOnly`), then
 * that request with each top-level field set in turn to each boundary of its kind (dates at the
 * calendar's ends, instants whose UTC value leaves four-digit years, NUL and lone surrogates in
 * text, lengths at and past the maximum, integers past their range), and each bad path segment.
 * Deterministic, so the known edges are tried on every run, not only when sampling finds them.
 */
export function boundarySweep(
  route: RouteSpec,
  ctx: FieldContext,
  bodyLimitBytes: number,
  seed: number,
  shapedBody?: fc.Arbitrary<unknown>,
): WireRequest[] {
  const none: Mutation = { kind: 'none' };
  const candidates = fc.sample(partsArbitrary(route, ctx, shapedBody), { seed, numRuns: 60 });
  // No Idempotency-Key: each variant is a different request, which a reused key would refuse as CONFLICT.
  const base = {
    ...(candidates.find((p) => inputIsValid(route, toWire(route, p, none), bodyLimitBytes)) ?? candidates[0]),
    idempotencyKey: undefined,
  };
  const out: WireRequest[] = [toWire(route, base, none)];
  for (const part of ['body', 'query'] as const) {
    const schema = part === 'body' ? route.body : route.query;
    if (!schema) continue;
    const props =
      (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, SweepSchema> }).properties ?? {};
    const dateKeys = Object.keys(props).filter((k) => props[k].pattern === '^\\d{4}-\\d{2}-\\d{2}$');
    for (const [key, js] of Object.entries(props)) {
      for (const value of sweepValues(js, ctx)) out.push(toWire(route, base, { kind: 'field', part, key, value }));
    }
    // Every date of the request on the same boundary (a range from it to itself).
    if (dateKeys.length > 1) {
      for (const d of [...ctx.boundaryDates, ...SWEEP_BAD_DATES]) {
        const p = structuredClone(base);
        const target = part === 'body' ? (p.body as Json) : (p.query ??= {});
        for (const k of dateKeys) target[k] = d;
        out.push({ ...toWire(route, p, none), mutation: `${part}.{${dateKeys.join(',')}} := ${d}` });
      }
    }
  }
  for (const key of route.path.match(/:(\w+)/g)?.map((p) => p.slice(1)) ?? []) {
    for (const raw of BAD_SEGMENTS) out.push(toWire(route, base, { kind: 'pathSegment', key, raw }));
  }
  return out;
}

type SweepSchema = {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

function sweepValues(js: SweepSchema, ctx: FieldContext): unknown[] {
  if (js.enum) return [];
  if (js.format === 'date-time') return [...EXTREME_INSTANTS, ...SWEEP_BAD_INSTANTS];
  if (js.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return [...ctx.boundaryDates, ...SWEEP_BAD_DATES];
  if (js.type === 'integer') {
    const min = js.minimum ?? -(2 ** 53);
    const max = js.maximum ?? 2 ** 53;
    return [min, max, min - 1, max + 1, 2 ** 53, 1e308, 1.5];
  }
  if (js.type !== 'string' || js.format || js.pattern) return [];
  const min = js.minLength ?? 0;
  const max = js.maxLength ?? 1000;
  return [
    ...SWEEP_STRINGS.map((x) => x.padEnd(min, 'x').slice(0, max)),
    'x'.repeat(max),
    'x'.repeat(max + 1),
    '😀'.repeat(Math.floor(max / 2)),
    ' '.repeat(Math.max(min, 1)),
  ];
}

function toWire(route: RouteSpec, p: Parts, m: Mutation): WireRequest {
  const headers: Record<string, string> = {};
  const params = { ...(p.params ?? {}) };
  const segments: Record<string, string> = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(String(v))]));
  let query: Json | undefined = p.query ? { ...p.query } : undefined;
  let body: unknown = p.body;
  let rawBody: string | undefined;
  let contentType = 'application/json';
  let repeat: string | undefined;
  const target = (part: 'body' | 'query'): Json | undefined => {
    if (part === 'query') return (query ??= {});
    if (body === null || typeof body !== 'object' || Array.isArray(body)) body = {};
    return body as Json;
  };
  switch (m.kind) {
    case 'field':
      target(m.part)![m.key] = m.value;
      break;
    case 'extraKey':
      Object.defineProperty(target(m.part)!, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      break;
    case 'dropKey':
      delete target(m.part)![m.key];
      break;
    case 'wholeBody':
      body = m.value;
      break;
    case 'rawBody':
      rawBody = m.text;
      contentType = m.contentType;
      break;
    case 'pathSegment':
      segments[m.key] = m.raw;
      break;
    case 'repeatQuery':
      repeat = m.key;
      break;
    case 'origin':
      headers.origin = m.origin;
      break;
    case 'idempotencyKey':
      headers['idempotency-key'] = m.value;
      break;
  }
  if (p.idempotencyKey !== undefined && headers['idempotency-key'] === undefined) headers['idempotency-key'] = p.idempotencyKey;
  const path = route.path.replace(/:(\w+)/g, (_all, k: string) => segments[k] ?? '');
  let qs = query ? encodeQuery(query) : '';
  if (repeat !== undefined) qs += `${qs ? '&' : ''}${encodeURIComponent(repeat)}=1&${encodeURIComponent(repeat)}=2`;
  let text: string | undefined;
  if (rawBody !== undefined) text = rawBody;
  else if (route.method !== 'get' && body !== undefined) text = JSON.stringify(body);
  if (text !== undefined) headers['content-type'] = contentType;
  return { method: route.method.toUpperCase(), path, query: qs, body: text, headers, mutation: describe(m) };
}

/** A query object as a browser would send it: each value as a string (objects as JSON). */
function encodeQuery(q: Json): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    sp.append(k, typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  }
  return sp.toString();
}

function describe(m: Mutation): string {
  switch (m.kind) {
    case 'none':
      return 'valid';
    case 'field':
      return `${m.part}.${m.key} := ${preview(m.value)}`;
    case 'extraKey':
      return `${m.part} + ${JSON.stringify(m.key)}`;
    case 'dropKey':
      return `${m.part} - ${m.key}`;
    case 'wholeBody':
      return `body := ${preview(m.value)}`;
    case 'rawBody':
      return `raw body (${m.contentType}) ${preview(m.text)}`;
    case 'pathSegment':
      return `:${m.key} := ${preview(m.raw)}`;
    case 'repeatQuery':
      return `query ${m.key} repeated`;
    case 'origin':
      return `Origin: ${m.origin}`;
    case 'idempotencyKey':
      return `Idempotency-Key: ${preview(m.value)}`;
  }
}

/** A NUL character in any string or key of a parsed body (the server refuses those: http/no-nul.ts). */
function hasNul(v: unknown): boolean {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string' && x.includes('\u0000')) return true;
    if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) {
        if (k.includes('\u0000')) return true;
        stack.push(y);
      }
    }
  }
  return false;
}

export function preview(v: unknown, max = 160): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/**
 * Whether the server should accept the request's input: the route's zod schemas applied to what
 * Express will decode (path segments, the query string with the simple parser, the JSON body with
 * body-parser's strict rules and size limit), the origin check and the idempotency header.
 */
export function inputIsValid(route: RouteSpec, w: WireRequest, bodyLimitBytes: number): boolean {
  const api = route.path.startsWith('/api/');
  if (api && w.method !== 'GET' && w.headers.origin !== undefined) return false;
  if (w.body !== undefined && api) {
    if (Buffer.byteLength(w.body) > bodyLimitBytes) return false;
    const isJson = /^application\/json/.test(w.headers['content-type'] ?? '');
    if (isJson && /charset=(?!utf-8)/i.test(w.headers['content-type'] ?? '')) return false;
  }
  // Path parameters, as Express decodes them.
  if (route.params) {
    const names = route.path.match(/:(\w+)/g)!.map((p) => p.slice(1));
    const pattern = new RegExp(`^${route.path.replace(/:(\w+)/g, '([^/]*)')}$`);
    const match = w.path.match(pattern);
    if (!match) return false;
    const decoded: Record<string, string> = {};
    for (const [i, n] of names.entries()) {
      try {
        decoded[n] = decodeURIComponent(match[i + 1]);
      } catch {
        return false;
      }
    }
    if (!route.params.safeParse(decoded).success) return false;
  }
  if (route.query && !route.query.safeParse(querystring.parse(w.query)).success) return false;
  if (api && w.body !== undefined) {
    const isJson = /^application\/json/.test(w.headers['content-type'] ?? '');
    let parsed: unknown;
    if (isJson) {
      // body-parser: an empty body is {}; strict mode wants an object or array first.
      const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(w.body)?.[1];
      if (w.body.length === 0) parsed = {};
      else {
        if (first !== '{' && first !== '[') return false;
        try {
          parsed = JSON.parse(w.body);
        } catch {
          return false;
        }
        if (hasNul(parsed)) return false;
      }
    }
    if (route.body && !route.body.safeParse(parsed ?? (route.bodyOptional ? {} : undefined)).success) return false;
  } else if (route.body && !route.body.safeParse(route.bodyOptional ? {} : undefined).success) return false;
  const key = w.headers['idempotency-key'];
  if (route.headers?.['Idempotency-Key'] && key !== undefined && !route.headers['Idempotency-Key'].safeParse(key.trim()).success)
    return false;
  return true;
}
