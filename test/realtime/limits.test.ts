// Per-process caps of the socket layer: connections per client IP (counted like the HTTP side's
// req.ip) and distinct watched keys.
import express from 'express';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { io as connectIo } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIp } from '../../server/realtime/limits.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { DAY, connect, request, startLive, until, type ClientSocket, type LiveServer, SocketJar } from './helpers.ts';

let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;
const jar = new SocketJar();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
});
afterAll(async () => {
  jar.closeAll();
  for (const c of closers.reverse()) await c();
  await db?.drop();
});

async function server(env: Record<string, string>): Promise<LiveServer> {
  const s = await startLive(db.pool, { env });
  closers.push(() => s.close());
  return s;
}
const open = (s: LiveServer, o: Parameters<typeof connect>[1] = {}) => jar.open(s.baseUrl, o);
const rejections = async (s: LiveServer, reason: string) =>
  (await s.app.metrics.socketRejections.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
const connections = (s: LiveServer) => s.app.realtime.io!.engine.clientsCount;
const openVia = (s: LiveServer, xff: string, transports: ('polling' | 'websocket')[] = ['websocket']) =>
  connectWithHeaders(s, { 'x-forwarded-for': xff }, transports);

/** connect() with arbitrary extra headers (the helper only knows cookie and origin). */
async function connectWithHeaders(
  s: LiveServer,
  headers: Record<string, string>,
  transports: ('polling' | 'websocket')[],
): Promise<ClientSocket> {
  const socket: ClientSocket = connectIo(s.baseUrl, {
    path: '/socket.io',
    transports,
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  jar.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

describe('connections per client IP (SOCKET_MAX_PER_IP)', () => {
  it('refuses handshakes beyond the cap on both transports, and a closed connection frees its place', async () => {
    const s = await server({ SOCKET_MAX_PER_IP: '3' });
    const first = await open(s);
    await open(s, { transports: ['polling'] });
    await open(s);
    await expect(connect(s.baseUrl)).rejects.toThrow();
    await expect(connect(s.baseUrl, { transports: ['polling'] })).rejects.toThrow();
    expect(await rejections(s, 'ip_limit')).toBe(2);
    expect(connections(s)).toBe(3);

    first.close();
    await until(() => connections(s) === 2, 10_000, 'the server to see the close');
    await expect(open(s)).resolves.toBeTruthy();
    await expect(connect(s.baseUrl)).rejects.toThrow();
  });

  it('gives back the place of a handshake that never became a connection (an aborted WebSocket upgrade)', async () => {
    const s = await server({ SOCKET_MAX_PER_IP: '1' });
    const { port } = new URL(s.baseUrl);
    // Admitted by allowRequest, then refused by the WebSocket layer (no Sec-WebSocket-Key).
    const raw = net.connect(Number(port), '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      raw.on('data', (d: Buffer) => (text += d.toString()));
      raw.on('close', () => resolve(text));
      raw.write(
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(await rejections(s, 'ip_limit')).toBe(0);
    // The server may see the TCP close a moment after the client: retry until the place is back.
    let socket: ClientSocket | undefined;
    await until(
      async () => {
        socket = await connect(s.baseUrl).catch(() => undefined);
        return socket !== undefined;
      },
      10_000,
      'a connection after the aborted upgrade',
    );
    jar.add(socket!);
    await expect(connect(s.baseUrl)).rejects.toThrow();
  });

  it('behind TRUST_PROXY counts the forwarded client (the last X-Forwarded-For hop), IPv6 by /56', async () => {
    const s = await server({ SOCKET_MAX_PER_IP: '2', TRUST_PROXY: 'true' });
    await openVia(s, '203.0.113.7');
    await openVia(s, '198.51.100.99, 203.0.113.7', ['polling']);
    // What the client wrote to the left of the proxy's entry changes nothing.
    await expect(openVia(s, '198.51.100.1, 203.0.113.7')).rejects.toThrow();
    await expect(openVia(s, '203.0.113.8')).resolves.toBeTruthy();
    // Without the header: the peer (the proxy itself), a client of its own.
    await expect(open(s)).resolves.toBeTruthy();
    // One /56 is one client, as for the HTTP rate limits.
    await openVia(s, '2001:db8:0:1::1');
    await openVia(s, '2001:db8:0:2::1');
    await expect(openVia(s, '2001:db8:0:3::1')).rejects.toThrow();
    await expect(openVia(s, '2001:db8:1:1::1')).resolves.toBeTruthy();
    expect(await rejections(s, 'ip_limit')).toBe(2);
  });

  it('without TRUST_PROXY ignores X-Forwarded-For', async () => {
    const s = await server({ SOCKET_MAX_PER_IP: '1' });
    await openVia(s, '203.0.113.1');
    await expect(openVia(s, '203.0.113.2')).rejects.toThrow();
  });

  it("takes the client IP exactly as express's req.ip does", async () => {
    for (const trust of [true, false]) {
      const app = express();
      if (trust) app.set('trust proxy', 1);
      app.get('/', (req, res) => res.json({ express: req.ip, ours: clientIp(req, trust) }));
      const httpServer = http.createServer(app);
      await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/`;
        for (const xff of [
          undefined,
          '',
          '203.0.113.7',
          '10.0.0.1, 203.0.113.7',
          ' 10.0.0.1 ,203.0.113.7 ',
          '203.0.113.7,',
          ',',
          '2001:db8::1',
          'not-an-ip, 198.51.100.2',
        ]) {
          const body = await (await fetch(url, { headers: xff === undefined ? {} : { 'x-forwarded-for': xff } })).json();
          expect(body.ours, `trust ${trust}, X-Forwarded-For ${JSON.stringify(xff)}`).toBe(body.express);
        }
      } finally {
        await new Promise<void>((r) => httpServer.close(() => r()));
      }
    }
  });
});

describe('distinct watched keys per process (SOCKET_MAX_WATCHED_KEYS)', () => {
  it('answers RATE_LIMITED for a new key beyond the cap, still allows keys already watched, and frees a key when unwatched', async () => {
    const s = await server({ SOCKET_MAX_WATCHED_KEYS: '2' });
    const key = (date: string) => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, date });
    const [a, b] = [await open(s), await open(s)];
    expect((await request(a, 'slots:watch', key(DAY))).ok).toBe(true);
    expect((await request(a, 'slots:watch', key('2027-03-11'))).ok).toBe(true);
    expect(await request(b, 'slots:watch', key('2027-03-12'))).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(s.app.realtime.watches.get(`${salon.stylist.id}|${salon.service.id}|2027-03-12`)).toBeUndefined();
    expect(await rejections(s, 'watched_keys')).toBe(1);
    // Watching a key this process already watches costs nothing.
    expect((await request(b, 'slots:watch', { ...key(DAY), customerTimezone: 'Europe/London' })).ok).toBe(true);
    // Once a key is no longer watched by anyone, there is room again.
    expect((await request(a, 'slots:unwatch', key('2027-03-11'))).ok).toBe(true);
    expect((await request(b, 'slots:watch', key('2027-03-12'))).ok).toBe(true);
    expect(s.app.realtime.watches.size).toBe(2);
  });
});
