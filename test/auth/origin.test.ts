// The origin policy compares the whole origin (scheme, host and port) of the page with the one the
// request was sent to, for HTTP writes and Socket.IO handshakes alike.
import { io as connectIo, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { NO_LIMITS } from './client.ts';

let db: TestDb;
let direct: TestServer;
let proxied: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  direct = await startTestServer(db.pool, { env: NO_LIMITS });
  proxied = await startTestServer(db.pool, { env: { ...NO_LIMITS, TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await direct?.close();
  await proxied?.close();
  await db?.drop();
});

/** The status of an anonymous logout (204 when the origin check lets it through). */
const post = async (s: TestServer, headers: Record<string, string>) =>
  (await fetch(`${s.baseUrl}/api/auth/logout`, { method: 'POST', headers })).status;

/** Whether a Socket.IO handshake with these headers connects. */
function handshake(s: TestServer, headers: Record<string, string>, transport: 'websocket' | 'polling'): Promise<boolean> {
  const socket = connectIo(s.baseUrl, {
    path: '/socket.io',
    transports: [transport],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve(true);
    });
    socket.once('connect_error', () => {
      socket.close();
      resolve(false);
    });
  });
}

const hostOf = (s: TestServer) => new URL(s.baseUrl).host;
const portOf = (s: TestServer) => Number(new URL(s.baseUrl).port);

// [what, server, headers, allowed]
const cases: [string, () => TestServer, () => Record<string, string>, boolean][] = [
  ['same scheme, host and port', () => direct, () => ({ origin: `http://${hostOf(direct)}` }), true],
  ['https page for an http server', () => direct, () => ({ origin: `https://${hostOf(direct)}` }), false],
  ['another port', () => direct, () => ({ origin: `http://127.0.0.1:${portOf(direct) === 65535 ? 65534 : portOf(direct) + 1}` }), false],
  [
    'X-Forwarded-Proto without TRUST_PROXY',
    () => direct,
    () => ({ origin: `https://${hostOf(direct)}`, 'x-forwarded-proto': 'https' }),
    false,
  ],
  [
    'behind TRUST_PROXY: the forwarded https origin',
    () => proxied,
    () => ({ origin: 'https://kb.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'kb.example' }),
    true,
  ],
  [
    'behind TRUST_PROXY: an http page on the https site',
    () => proxied,
    () => ({ origin: 'http://kb.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'kb.example' }),
    false,
  ],
  [
    'behind TRUST_PROXY: an https page when the proxy says http',
    () => proxied,
    () => ({ origin: 'https://kb.example', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'kb.example' }),
    false,
  ],
  [
    'behind TRUST_PROXY: the explicit default port',
    () => proxied,
    () => ({ origin: 'https://kb.example:443', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'kb.example' }),
    true,
  ],
  [
    'behind TRUST_PROXY: another port of the forwarded host',
    () => proxied,
    () => ({ origin: 'https://kb.example:8443', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'kb.example' }),
    false,
  ],
  [
    'behind TRUST_PROXY without X-Forwarded-Proto: the connection is http',
    () => proxied,
    () => ({ origin: `https://${hostOf(proxied)}` }),
    false,
  ],
];

describe('origin check compares scheme, host and port', () => {
  it.each(cases)('HTTP POST: %s', async (_what, server, headers, allowed) => {
    expect(await post(server(), headers())).toBe(allowed ? 204 : 403);
  });

  it.each(cases)('Socket.IO handshake over WebSocket: %s', async (_what, server, headers, allowed) => {
    expect(await handshake(server(), headers(), 'websocket')).toBe(allowed);
  });

  it.each(cases)('Socket.IO handshake over polling: %s', async (_what, server, headers, allowed) => {
    expect(await handshake(server(), headers(), 'polling')).toBe(allowed);
  });
});
