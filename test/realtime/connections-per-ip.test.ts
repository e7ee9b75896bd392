// ConnectionsPerIp counts each client's open Engine.IO connections from the handshake on. The count
// an open connection holds must not keep its handshake request (headers, the handshake's TCP
// socket) alive for the connection's whole life: only the client key.
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ConnectionsPerIp, clientKey } from '../../server/realtime/limits.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A handshake request as Node builds it, from a TCP socket that never connected. */
const handshake = () => {
  const req = new IncomingMessage(new Socket());
  req.headers = { 'user-agent': 'x'.repeat(1000) };
  return req;
};

describe('connections per IP', () => {
  it('counts from admission; the connection gives the count back when it closes, once', () => {
    const limit = new ConnectionsPerIp({ max: 2, trustProxy: false });
    const [a, b, c] = [handshake(), handshake(), handshake()];
    const key = clientKey(a, false);
    expect(limit.admit(a)).toBe(true);
    expect(limit.admit(b)).toBe(true);
    expect(limit.full(c)).toBe(true);
    expect(limit.admit(c)).toBe(false);
    const conn = new EventEmitter();
    limit.connected(a, conn);
    // The handshake's TCP connection closing no longer releases a connected handshake's count.
    a.socket.emit('close');
    expect(limit.count(key)).toBe(2);
    conn.emit('close');
    conn.emit('close');
    expect(limit.count(key)).toBe(1);
    // A handshake that fails, or whose TCP connection closes first, gives its count back.
    limit.failed(b);
    expect(limit.count(key)).toBe(0);
    expect(limit.admit(c)).toBe(true);
    c.socket.emit('close');
    limit.failed(c);
    expect(limit.count(key)).toBe(0);
  });

  it('an open connection keeps only the key: its handshake request can be collected', async () => {
    const limit = new ConnectionsPerIp({ max: 5, trustProxy: false });
    const conn = new EventEmitter();
    let key = '';
    const admitted = (() => {
      const req = handshake();
      key = clientKey(req, false);
      expect(limit.admit(req)).toBe(true);
      limit.connected(req, conn);
      return { req: new WeakRef(req), tcp: new WeakRef(req.socket) };
    })();
    for (let i = 0; i < 5 && (admitted.req.deref() || admitted.tcp.deref()); i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(admitted.req.deref()).toBeUndefined();
    expect(admitted.tcp.deref()).toBeUndefined();
    // …and the connection still gives its count back.
    expect(limit.count(key)).toBe(1);
    conn.emit('close');
    expect(limit.count(key)).toBe(0);
  });
});
