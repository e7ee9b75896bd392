// Contract-wide HTTP fuzz: for every route of the route table and every caller (anonymous,
// customer, stylist, admin), generated valid and invalid requests against one real server on a
// fresh database. Asserted for each answer: never a 5xx; every 4xx carries one of the contract's
// error codes with its status; input the route's own schemas refuse is never accepted; a caller the
// route does not serve is never served; a refused request writes nothing (a fingerprint of every
// domain table before and after); and /healthz still answers after each route's batch.
// Bounded: a fixed seed (FUZZ_SEED to change it) and a few runs per route.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '../../server/contract/errors.ts';
import { CALLERS, ROUTES, routeName, type Caller, type RouteSpec } from '../../server/contract/routes-table.ts';
import { BOUNDARY_DATES, OVERRIDE_BOUNDARY_DATES } from './arbitraries.ts';
import { boundarySweep, inputIsValid, preview, requestArbitrary, type WireRequest } from './requests.ts';
import { shapedBodies } from './shapes.ts';
import { startWorld, type World } from './world.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
/** Runs per route (each run sends one request as each of the four callers). */
const RUNS = 10;
/** Login and registration cost an scrypt each: fewer runs. */
const RUNS_SCRYPT = 4;
const REQUEST_TIMEOUT_MS = 10_000;
const SESSION_ROUTES = new Set(['POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/logout']);
const OVERRIDE_ROUTES = new Set(['POST /api/admin/overrides', 'POST /api/admin/overrides/preview']);

let world: World;
/** Per route: how many valid requests of a caller it serves got past validation, and how many succeeded. */
const reached = new Map<string, { pastValidation: number; ok: number }>();

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  if (process.env.FUZZ_STATS) console.log(Object.fromEntries(reached));
  await world?.close();
});

interface Answer {
  status: number;
  text: string;
  json: any;
}

async function send(caller: Caller, w: WireRequest): Promise<Answer> {
  const headers: Record<string, string> = { ...w.headers };
  const cookie = world.clients[caller].cookie;
  if (cookie) headers.cookie = cookie;
  const res = await fetch(`${world.srv.baseUrl}${w.path}${w.query ? `?${w.query}` : ''}`, {
    method: w.method,
    headers,
    body: w.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

function explain(route: RouteSpec, caller: Caller, w: WireRequest, a: Answer | null, problem: string): string {
  return [
    `${problem}`,
    `  route: ${routeName(route)} as ${caller}; mutation: ${w.mutation}`,
    `  request: ${w.method} ${preview(w.path + (w.query ? `?${w.query}` : ''), 400)} headers=${preview(w.headers, 300)}`,
    `  body: ${w.body === undefined ? '(none)' : preview(w.body, 400)}`,
    a ? `  answer: ${a.status} ${preview(a.text, 400)}` : '',
  ].join('\n');
}

async function check(route: RouteSpec, w: WireRequest, callers: readonly Caller[] = CALLERS): Promise<void> {
  const valid = inputIsValid(route, w, world.srv.config.bodyLimitBytes);
  for (const caller of callers) {
    const before = await world.fingerprint();
    let a: Answer;
    try {
      a = await send(caller, w);
    } catch (err) {
      throw new Error(explain(route, caller, w, null, `no answer: ${(err as Error).message}`), { cause: err });
    }
    const fail = (problem: string) => new Error(explain(route, caller, w, a, problem));
    if (process.env.FUZZ_STATS === '2' && valid) console.log(explain(route, caller, w, a, 'valid'));
    if (a.status >= 500) throw fail('a 5xx');
    if (a.status >= 400) {
      const code = a.json?.error?.code as ErrorCode | undefined;
      if (!code || !(code in ERROR_STATUS)) throw fail('a 4xx without a contract error code');
      if (ERROR_STATUS[code] !== a.status) throw fail(`error code ${code} with status ${a.status}`);
      if ((await world.fingerprint()) !== before) throw fail('a refused request wrote to the database');
    } else {
      if (!valid) throw fail('input the route schema refuses was accepted');
      if (!route.roles.includes(caller)) throw fail('a caller the route does not serve was served');
    }
    if (valid && route.roles.includes(caller)) {
      const r = reached.get(routeName(route)) ?? { pastValidation: 0, ok: 0 };
      const fieldErrors = a.status === 400 && a.json?.error?.code === 'INVALID_INPUT';
      if (!fieldErrors) r.pastValidation++;
      if (a.status < 300) r.ok++;
      reached.set(routeName(route), r);
    }
    if (SESSION_ROUTES.has(routeName(route)) && a.status < 300) await world.restore(caller);
  }
}

/** The seeded rows the route's `:id` names. */
function pathIds(route: RouteSpec): string[] | undefined {
  const s = world.seeded;
  if (route.path.startsWith('/api/bookings/:id')) return s.ownBookingIds;
  if (route.path.startsWith('/api/holds/:id')) return s.holdIds;
  if (route.path.startsWith('/api/admin/overrides/:id')) return s.overrideIds;
  if (route.path.startsWith('/api/admin/stylists/:id')) return s.stylistIds;
  return undefined;
}

async function healthy(): Promise<void> {
  const res = await fetch(`${world.srv.baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
}

describe('HTTP contract fuzz', () => {
  it.each(ROUTES.map((r) => [routeName(r), r] as const))('%s', async (_name, route) => {
    const ctx = {
      seeded: world.seeded,
      boundaryDates: OVERRIDE_ROUTES.has(routeName(route)) ? OVERRIDE_BOUNDARY_DATES : BOUNDARY_DATES,
      pathIds: pathIds(route),
    };
    // The boundary sweep, as one caller the route serves (the random runs below try every caller).
    // Routes of one booking sweep a booking of their own, untouched by the routes fuzzed before.
    const own = route.path.startsWith('/api/bookings/:id') ? [await world.freshBooking(20 + (ROUTES.indexOf(route) % 40))] : undefined;
    const real = { ...ctx, realOnly: true, ...(own ? { pathIds: own } : {}) };
    const sweepCaller = (['customer', 'stylist', 'reception', 'admin', 'anonymous'] as const).find((c) => route.roles.includes(c))!;
    const failures: string[] = [];
    for (const w of boundarySweep(route, real, world.srv.config.bodyLimitBytes, SEED, shapedBodies(real)[routeName(route)])) {
      await check(route, w, [sweepCaller]).catch((err: Error) => failures.push(err.message));
    }
    expect(failures.length, `boundary sweep:\n${failures.slice(0, 12).join('\n')}`).toBe(0);
    const arb = requestArbitrary(route, ctx, world.srv.config.bodyLimitBytes, shapedBodies(ctx)[routeName(route)]);
    const numRuns = SESSION_ROUTES.has(routeName(route)) && route.body ? RUNS_SCRYPT : RUNS;
    await fc.assert(
      fc.asyncProperty(arb, (w) => check(route, w)),
      { seed: SEED, numRuns, endOnFailure: true },
    );
    await healthy();
    if (route.params || route.query || route.body) {
      // The generators do reach the domain: some valid request of a served caller got past validation.
      expect(reached.get(routeName(route))?.pastValidation ?? 0, 'valid requests that passed validation').toBeGreaterThan(0);
    }
  });
});

describe('inputs the fuzz found or that must stay refused', () => {
  it('a NUL character anywhere in a JSON body is INVALID_INPUT naming the field, and writes nothing', async () => {
    const before = await world.fingerprint();
    const res = await world.clients.admin.post('/api/admin/announcements', { message: 'a\u0000b', audience: 'all', level: 'info' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.details.fields).toEqual([
      { field: 'message', code: 'invalid_format', message: 'must not contain NUL characters' },
    ]);
    const nested = await world.clients.admin.put(`/api/admin/stylists/${world.seeded.stylistIds[0]}/schedule`, {
      days: [{ dayOfWeek: 1, windows: [{ start: '09:00', 'e\u0000': 'x' }] }],
    });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details.fields[0].field).toBe('days.0.windows.0.e\\u0000');
    expect(await world.fingerprint()).toBe(before);
  });

  it('registration refuses the most common passwords', async () => {
    const before = await world.fingerprint();
    try {
      for (const password of ['12345678', 'password', 'password1', '11111111']) {
        const res = await world.clients.anonymous.post('/api/auth/register', {
          email: `weak-${password}@example.test`,
          password,
          displayName: 'Weak',
        });
        expect(res.status, `password ${password}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.error.code).toBe('WEAK_PASSWORD');
      }
      expect(await world.fingerprint()).toBe(before);
    } finally {
      await world.restore('anonymous');
    }
  });
});
