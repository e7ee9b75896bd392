// Contract fuzz of the Socket.IO side: every client → server event (server/contract/socket.ts),
// sent by anonymous and logged-in real socket.io-client sockets with generated valid payloads and
// garbage (wrong types, unknown and prototype keys, huge and deep values, extra arguments, no ack,
// unknown event names), and handshakes with generated `auth`. Asserted: every ack is the contract's
// envelope, with a contract error code when it refuses and a refusal for every payload the schema
// refuses; a socket keeps answering after whatever it sent (or is closed, for a message over the
// transport limit); nothing is written to the database; /healthz answers after each batch.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../server/contract/errors.ts';
import { CALLERS, type Caller } from '../../server/contract/routes-table.ts';
import { daysWatchPayload, handshakeAuth, slotsUnwatchPayload, slotsWatchPayload, type Ack } from '../../server/contract/socket.ts';
import { z } from 'zod';
import { connect, type ClientSocket } from '../realtime/helpers.ts';
import { BAD_DATES, BOUNDARY_DATES, fromJsonSchema, garbage, nest, NASTY_STRINGS, ZONES, type FieldContext } from './arbitraries.ts';
import { preview } from './requests.ts';
import { startWorld, type World } from './world.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = 40;
const ACK_TIMEOUT_MS = 5_000;
/** Every client → server event of the contract, with its payload schema. */
const EVENTS = {
  'slots:watch': slotsWatchPayload,
  'slots:unwatch': slotsUnwatchPayload,
  'days:watch': daysWatchPayload,
  'days:unwatch': daysWatchPayload,
} as const;
type EventName = keyof typeof EVENTS;

let world: World;
/** What the runs saw, per event: valid payloads acked ok, refusals, connections closed for size. */
const seen = { ok: 0, refused: 0, closed: 0 };
const sockets = {} as Record<Caller, ClientSocket>;

async function open(caller: Caller): Promise<ClientSocket> {
  sockets[caller]?.close();
  sockets[caller] = await connect(world.srv.baseUrl, { cookie: world.clients[caller].cookie || undefined });
  return sockets[caller];
}

beforeAll(async () => {
  // Watch-rate limits out of the way, so payloads reach validation (limits.test.ts covers them).
  world = await startWorld({ SOCKET_WATCH_BURST: '1000000', SOCKET_WATCH_PER_MINUTE: '100000000' });
  for (const c of CALLERS) await open(c);
});
afterAll(async () => {
  for (const s of Object.values(sockets)) s.close();
  await world?.close();
});

interface Message {
  event: string;
  args: unknown[];
  withAck: boolean;
  what: string;
}

function messageArbitrary(event: EventName, ctx: FieldContext): fc.Arbitrary<Message> {
  const schema = EVENTS[event];
  const js = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, unknown> };
  const keys = Object.keys(js.properties);
  const valid = fromJsonSchema(js as never, 'payload', ctx) as fc.Arbitrary<Record<string, unknown>>;
  const junk = garbage(20_000);
  const arbs: fc.Arbitrary<Message>[] = [
    // Valid payloads four times as often as each kind of garbage.
    ...Array.from({ length: 4 }, () => valid.map((p): Message => ({ event, args: [p], withAck: true, what: 'valid' }))),
    fc
      .tuple(valid, fc.constantFrom(...keys), junk)
      .map(([p, k, v]) => ({ event, args: [{ ...p, [k]: v }], withAck: true, what: `${k} := ${preview(v, 80)}` })),
    fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra'), junk).map(([p, k, v]) => {
      const q = { ...p };
      Object.defineProperty(q, k, { value: v, enumerable: true, configurable: true, writable: true });
      return { event, args: [q], withAck: true, what: `+ ${k}` };
    }),
    fc.tuple(valid, fc.constantFrom(...keys)).map(([p, k]) => {
      const q = { ...p };
      delete q[k];
      return { event, args: [q], withAck: true, what: `- ${k}` };
    }),
    junk.map((v) => ({ event, args: [v], withAck: true, what: `payload := ${preview(v, 80)}` })),
    fc
      .tuple(valid, fc.array(junk, { minLength: 1, maxLength: 3 }))
      .map(([p, extra]) => ({ event, args: [p, ...extra], withAck: true, what: `${extra.length} extra args` })),
    fc.constant({ event, args: [], withAck: true, what: 'no payload' }),
    fc.constant({ event, args: [new Uint8Array([0, 1, 2, 255])], withAck: true, what: 'binary payload' }),
    fc.oneof(valid, junk).map((p) => ({ event, args: [p], withAck: false, what: 'no ack' })),
    fc
      .constantFrom(
        'slots:update',
        'booking:created',
        'toString',
        '__proto__',
        'hasOwnProperty',
        'slots:watch ',
        '',
        'x'.repeat(500),
        ...NASTY_STRINGS,
      )
      .chain((name) => valid.map((p) => ({ event: name, args: [p], withAck: true, what: `unknown event ${preview(name, 40)}` }))),
    fc.integer({ min: 1, max: 3000 }).map((d) => ({ event, args: [nest(d)], withAck: true, what: `nested ${d} deep` })),
  ];
  return fc.oneof(...arbs);
}

function isAck(a: unknown): a is Ack<unknown> {
  const x = a as { ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  if (!x || typeof x !== 'object') return false;
  if (x.ok === true) return 'data' in x;
  return x.ok === false && typeof x.error?.code === 'string' && x.error.code in ERROR_STATUS && typeof x.error.message === 'string';
}

/** The socket still answers: a valid unwatch of a key nobody watches is acked. */
async function answers(socket: ClientSocket): Promise<void> {
  const ack = await socket
    .timeout(ACK_TIMEOUT_MS)
    .emitWithAck('slots:unwatch', { stylistId: world.seeded.stylistIds[0], serviceId: world.seeded.serviceIds[0], date: '2030-01-01' });
  expect(ack.ok).toBe(true);
}

async function send(caller: Caller, m: Message): Promise<void> {
  const socket = sockets[caller];
  const valid = m.event in EVENTS && m.args.length === 1 && EVENTS[m.event as EventName].safeParse(m.args[0]).success;
  let size: number;
  try {
    size = JSON.stringify(m.args)?.length ?? 0;
  } catch {
    size = Infinity;
  }
  const describe = `${m.event} as ${caller}: ${m.what}`;
  if (size > world.srv.config.realtime.socket.maxBufferBytes) {
    // Over the transport limit: the server closes the connection (and stays up).
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    (socket.emit as (...a: unknown[]) => void)(m.event, ...m.args);
    expect(await closed, describe).toBe('transport close');
    seen.closed++;
    await open(caller);
    return;
  }
  if (!m.withAck) {
    (socket.emit as (...a: unknown[]) => void)(m.event, ...m.args);
  } else {
    let ack: unknown;
    try {
      ack = await (socket.timeout(ACK_TIMEOUT_MS).emitWithAck as (...a: unknown[]) => Promise<unknown>)(m.event, ...m.args);
    } catch (err) {
      throw new Error(`${describe}: no ack (${(err as Error).message})`, { cause: err });
    }
    if (!isAck(ack)) throw new Error(`${describe}: not an ack envelope: ${preview(ack)}`);
    if (!valid && ack.ok) throw new Error(`${describe}: a payload the schema refuses was accepted`);
    if (ack.ok) seen.ok++;
    else seen.refused++;
  }
  await answers(socket);
}

describe('Socket.IO contract fuzz', () => {
  it.each(Object.keys(EVENTS) as EventName[])('%s', async (event) => {
    const ctx: FieldContext = { seeded: world.seeded, boundaryDates: BOUNDARY_DATES };
    const before = await world.fingerprint();
    seen.ok = seen.refused = seen.closed = 0;
    // The boundary sweep: a real key on every boundary and malformed date, and in every zone.
    const base = { stylistId: world.seeded.stylistIds[0], serviceId: world.seeded.serviceIds[0], date: world.seeded.nearDates[0] };
    for (const date of [...BOUNDARY_DATES, ...BAD_DATES]) {
      for (const caller of CALLERS) await send(caller, { event, args: [{ ...base, date }], withAck: true, what: `date ${date}` });
    }
    if (event === 'slots:watch') {
      for (const customerTimezone of ZONES)
        await send('anonymous', { event, args: [{ ...base, customerTimezone }], withAck: true, what: `zone ${customerTimezone}` });
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CALLERS), messageArbitrary(event, ctx), (caller, m) => send(caller, m)),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(await world.fingerprint()).toBe(before);
    expect(seen.ok, 'valid payloads acked ok').toBeGreaterThan(0);
    expect(seen.refused, 'payloads refused').toBeGreaterThan(0);
    const health = await fetch(`${world.srv.baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(health.status).toBe(200);
  });

  it('handshake auth: refused with a contract code unless the schema accepts it', async () => {
    const auths = fc.oneof(
      fc.record({ lastEventId: fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER)) }, { requiredKeys: [] }),
      fc.record({ lastEventId: garbage(4000) }),
      fc.dictionary(fc.constantFrom('lastEventId', '__proto__', 'token', 'x'), garbage(2000), { maxKeys: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CALLERS), auths, async (caller, auth) => {
        const ok = handshakeAuth.safeParse(auth).success;
        try {
          const s = await connect(world.srv.baseUrl, { cookie: world.clients[caller].cookie || undefined, auth: auth });
          s.close();
          if (!ok) throw new Error(`auth ${preview(auth)} was accepted`);
        } catch (err) {
          const data = (err as { data?: { code?: string } }).data;
          if (ok) throw new Error(`auth ${preview(auth)} was refused: ${(err as Error).message}`, { cause: err });
          // Too big for the transport is closed without a body; everything else names the code.
          if (data !== undefined) expect(data.code! in ERROR_STATUS, preview(data)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 25, endOnFailure: true },
    );
    await answers(sockets.anonymous);
  });
});
