// Requests refused by Node's HTTP parser, before Express: they still get the contract's error body.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

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

/** Sends raw bytes and resolves with everything the server wrote before closing. */
function raw(text: string): Promise<string> {
  const { port } = new URL(srv.baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };

describe('requests Node refuses before routing', () => {
  it('headers over the limit answer 431 HEADERS_TOO_LARGE with a JSON body', async () => {
    const res = await raw(`GET /api/services HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.startsWith('HTTP/1.1 431 ')).toBe(true);
    expect(bodyOf(res).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('a malformed request answers 400 INVALID_INPUT with a JSON body', async () => {
    const res = await raw('GET /api/services HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(res.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(bodyOf(res).error.code).toBe('INVALID_INPUT');
  });

  it('the server keeps answering afterwards', async () => {
    const res = await fetch(`${srv.baseUrl}/healthz`);
    expect(res.status).toBe(200);
  });
});
