// Helpers for the live-pipeline tests: a real app on a real HTTP server, real socket.io-client
// connections, and an inbox that awaits pushed events (no sleeps).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connectIo, type Socket } from 'socket.io-client';
import type { Logger } from 'pino';
import { createApp, type App } from '../../server/app.ts';
import { parseConfig, type Config } from '../../server/config.ts';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket.ts';
import type { Pool } from '../../server/db/pool.ts';
import { silentLog } from '../setup/db.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** 2027-03-01T00:00Z: every slot of 2027-03-10 is in the future and bookable. */
export const NOW = Date.parse('2027-03-01T00:00:00Z');
export const DAY = '2027-03-10';

export interface LiveServer {
  app: App;
  server: http.Server;
  baseUrl: string;
  config: Config;
  close(): Promise<void>;
}

export async function startLive(
  pool: Pool,
  opts: { env?: Record<string, string>; now?: () => number; log?: Logger } = {},
): Promise<LiveServer> {
  const config = parseConfig({
    SESSION_SECRET: 'test-secret-test-secret',
    DATABASE_URL: 'postgres://unused',
    RATE_LIMIT_LOGIN: '100000',
    RATE_LIMIT_REGISTER: '100000',
    RATE_LIMIT_BOOKING: '100000',
    ...opts.env,
  });
  const app = createApp({ config, pool, log: opts.log ?? silentLog, now: opts.now ?? (() => NOW) });
  const server = http.createServer(app.express);
  await app.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    app,
    server,
    baseUrl,
    config,
    close: () =>
      (closing ??= (async () => {
        server.closeAllConnections();
        await Promise.all([new Promise<void>((r) => server.close(() => r())), app.close()]);
      })()),
  };
}

export interface ConnectOptions {
  cookie?: string;
  lastEventId?: number | (() => number | undefined);
  origin?: string;
  auth?: Record<string, unknown>;
  transports?: ('polling' | 'websocket')[];
  reconnection?: boolean;
}

/** A connected socket.io client (rejects with the connect_error). */
export function connect(baseUrl: string, o: ConnectOptions = {}): Promise<ClientSocket> {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.origin) headers.origin = o.origin;
  const socket: ClientSocket = connectIo(baseUrl, {
    path: '/socket.io',
    transports: o.transports ?? ['websocket'],
    extraHeaders: headers,
    reconnection: o.reconnection ?? false,
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    forceNew: true,
    auth:
      o.auth ??
      ((cb: (data: object) => void) => {
        const id = typeof o.lastEventId === 'function' ? o.lastEventId() : o.lastEventId;
        cb(id === undefined ? {} : { lastEventId: id });
      }),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

type Name = keyof ServerToClientEvents;
type PayloadOf<N extends Name> = Parameters<ServerToClientEvents[N]>[0];

/** Records every server → client event of a socket, in arrival order, and awaits the ones a test expects. */
export class Inbox {
  readonly all: { name: Name; payload: any }[] = [];
  #waiters: { name: Name; pred: (p: any) => boolean; resolve: (p: any) => void }[] = [];

  constructor(socket: ClientSocket) {
    socket.onAny((name: Name, payload: unknown) => {
      this.all.push({ name, payload });
      for (const w of [...this.#waiters]) {
        if (w.name === name && w.pred(payload)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(payload);
        }
      }
    });
  }

  of<N extends Name>(name: N): PayloadOf<N>[] {
    return this.all.filter((e) => e.name === name).map((e) => e.payload);
  }

  /** The first event `name` matching `pred`, already received or still to come. */
  next<N extends Name>(name: N, pred: (p: PayloadOf<N>) => boolean = () => true, timeoutMs = 10_000): Promise<PayloadOf<N>> {
    const seen = this.all.find((e) => e.name === name && pred(e.payload));
    if (seen) return Promise.resolve(seen.payload);
    return new Promise((resolve, reject) => {
      const w = {
        name,
        pred: pred as (p: any) => boolean,
        resolve: (p: any) => {
          clearTimeout(t);
          resolve(p);
        },
      };
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`no ${name} matching within ${timeoutMs} ms; got: ${JSON.stringify(this.all.map((e) => e.name))}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  clear(): void {
    this.all.length = 0;
  }
}

/** Emits with an ack and resolves with the ack. */
export function request<E extends keyof ClientToServerEvents>(socket: ClientSocket, event: E, payload: unknown): Promise<Ack<any>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ack for ${event}`)), 10_000);
    (socket.emit as (...a: unknown[]) => void)(event, payload, (res: Ack<any>) => {
      clearTimeout(t);
      resolve(res);
    });
  });
}

/** Resolves when `fn` returns true; polls (for states that emit no event, like /readyz). */
export async function until(fn: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Slot statuses by local HH:MM. */
export const byLocal = (slots: { startLocal: string; status: string }[]) =>
  Object.fromEntries(slots.map((s) => [s.startLocal.slice(11, 16), s.status]));

/** An announcement inserted with SQL: a barrier event (everything relayed before it has arrived once it has). */
export async function announce(pool: Pool, audience: 'all' | 'stylists' | 'customers' = 'all', message = 'barrier'): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into announcements (message, audience, level) values ($1, $2, 'info') returning id`,
    [message, audience],
  );
  return rows[0].id;
}

/** Starts in Kathmandu (UTC+05:45) on DAY at local HH:MM. */
export const kathmandu = (hhmm: string, day = DAY) => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(Date.parse(`${day}T00:00:00Z`) + (h * 60 + m - 345) * 60_000).toISOString();
};

/** The sockets a test file opens, closed together in its afterAll. */
export class SocketJar {
  readonly #all: ClientSocket[] = [];

  async open(baseUrl: string, o: Parameters<typeof connect>[1] = {}): Promise<ClientSocket> {
    return this.add(await connect(baseUrl, o));
  }

  add<S extends ClientSocket | ClientSocket[]>(s: S): S {
    this.#all.push(...(Array.isArray(s) ? s : [s]));
    return s;
  }

  closeAll(): void {
    for (const s of this.#all.splice(0)) s.close();
  }
}
