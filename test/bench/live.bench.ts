// `npm run bench:live` — the live-pipeline benchmark (issue 4, item 7; "live at scale", part 1). The
// server (server/main.ts) runs in its own process, the floor (live.floor.ts: a bare `ws` server
// that LISTENs on Postgres and sends the bytes of a real `slots:update` to every socket on a bare
// NOTIFY) in another, the socket clients in 4 more (this file forked with KB_LIVE_ROLE=clients,
// each speaking Socket.IO to the server and plain WebSocket to the floor), and this process writes
// to Postgres and keeps the clock. Timestamps are process.hrtime (the machine's monotonic clock,
// the same in every process), so "commit to client" runs from just before the writing statement is
// sent to the moment a client process has parsed the push.
//
//   pg round trip  a bare NOTIFY: pg client here → pg-listen subscriber in a client process
//   floor          bare NOTIFY → floor process → the same frame bytes to N plain WebSockets
//   ours           a booking change (its status toggled, one UPDATE) → slots:update at N sockets
//                  watching that stylist's day, for N in --watchers, rounds of floor and ours
//                  interleaved; fan-out (first to last delivery), server and client CPU per
//                  delivery, event-loop delay in both servers (live.preload.ts)
//   HTTP probe     a cached slots GET, sequential, during the largest fan-out and at rest
//   memory         heap and RSS per idle socket at --idle sockets (after GC), ours and the floor's;
//                  --idle-max sockets on ours: RSS, and connections dropped over --idle-hold s
//   WORKERS=2      --workers-watchers watchers spread over two worker processes (clients bind
//                  source addresses that the server's sticky hash sends to different workers),
//                  against one process at half as many
//   hit ratio      100 REST slot reads (20 keys) per booking written
//   stale          a socket or a reader that saw version v never later gets an older answer
// Options: --help. Environment: BENCH_QUICK=1, BENCH_WATCHERS=1,100, BENCH_ROUNDS=n.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import pg from 'pg';
import pgListen from 'pg-listen';
import { io as connectIo, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket.ts';
import { fnv1a } from '../../server/hash.ts';
import { createBenchSalon } from './lib/bulk.ts';
import { cleanup, install, onCleanup } from './lib/lifecycle.ts';
import { startBenchPostgres } from './lib/pg.ts';
import { cpuMs, serveNodeOptions, startServer, treeCpuMs, type ServerProcess } from './lib/proc.ts';
import { heading, machine, machineLine, ms, pct, ratio, table, verdict, verdictTable, type Verdict } from './lib/report.ts';
import { Samples, summarize, type Summary } from './lib/stats.ts';

const SELF = fileURLToPath(import.meta.url);
const HERE = path.dirname(SELF);

const hr = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
/** The pg round trip's channel (client processes listen) and the floor server's. */
const PG_CHANNEL = 'kb_bench_floor';
const WS_CHANNEL = 'kb_bench_ws_floor';

interface Key {
  stylistId: string;
  serviceId: string;
  date: string;
}
/** Socket groups in a client process: ours (Socket.IO, watching or idle) and the floor's (plain WebSocket). */
type Group = 'ours' | 'floor' | 'idle' | 'floor-idle';

// ── messages between this process and the client processes ──────────────────────────────────────
type Command =
  | { t: 'connect'; group: Group; baseUrl: string; count: number; watch: Key | null; localAddress?: string }
  | { t: 'connect-ws'; group: Group; url: string; count: number }
  | { t: 'arm'; group: Group }
  | { t: 'disconnect'; group?: Group }
  | { t: 'listen'; url: string }
  | { t: 'capture' }
  | { t: 'reads'; baseUrl: string; keys: Key[]; count: number; seed: number }
  | { t: 'stats' };
type Reply =
  | { t: 'ok'; id: number; data?: unknown }
  | { t: 'fail'; id: number; error: string }
  | { t: 'round'; group: Group; times: number[] }
  | { t: 'notify'; payload: string; at: number };
interface ClientStats {
  stale: number;
  dropped: number;
  open: Record<string, number>;
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Client process: Socket.IO sockets to the server, plain WebSockets to the floor, a pg-listen
// subscriber for the pg round trip, REST readers.

async function clientProcess(): Promise<void> {
  type S = Socket<ServerToClientEvents, ClientToServerEvents>;
  const sockets = new Map<Group, { close(): void }[]>();
  const watching = new Map<Group, number>();
  let armed: { group: Group; times: number[] } | null = null;
  let stale = 0;
  let dropped = 0;
  let closing = false;
  /** The first slots:update as it came off the wire: Engine.IO's "4" + Socket.IO's packet text. */
  let captured: string | null = null;
  const send = (r: Reply) => process.send!(r);
  process.on('disconnect', () => process.exit(0));

  const delivered = (group: Group, at: number) => {
    if (armed?.group !== group) return;
    armed.times.push(at);
    if (armed.times.length === watching.get(group)) {
      send({ t: 'round', group, times: armed.times });
      armed = null;
    }
  };

  const connectOne = (group: Group, baseUrl: string, watch: Key | null, localAddress?: string) =>
    new Promise<S>((resolve, reject) => {
      const s: S = connectIo(baseUrl, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(localAddress ? { localAddress } : {}),
      } as Parameters<typeof connectIo>[1]);
      let last = -1;
      s.on('slots:update', (u) => {
        const at = hr();
        if (u.version < last) stale++;
        last = Math.max(last, u.version);
        delivered(group, at);
      });
      if (captured === null) {
        s.io.on('open', () => {
          s.io.engine.on('message', (data: unknown) => {
            if (captured === null && typeof data === 'string' && data.startsWith('2["slots:update"')) captured = `4${data}`;
          });
        });
      }
      s.on('disconnect', (reason) => {
        if (!closing && reason !== 'io client disconnect') dropped++;
      });
      s.once('connect_error', reject);
      s.once('connect', () => {
        if (!watch) return resolve(s);
        // A worker whose relay is still catching up answers NOT_READY: ask again, for a while.
        const ask = (attempt: number) =>
          s.emit('slots:watch', watch, (ack) => {
            if (!ack.ok && ack.error.code === 'NOT_READY' && attempt < 100) return void setTimeout(() => ask(attempt + 1), 100);
            if (!ack.ok) return reject(new Error(`watch refused: ${ack.error.code}`));
            last = ack.data.version;
            resolve(s);
          });
        ask(0);
      });
    });

  // The floor's client: the same bytes, parsed as Socket.IO would (packet type, then JSON).
  const connectWs = (group: Group, url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let last = -1;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const text = data.toString();
        if (text.charCodeAt(0) !== 52 || text.charCodeAt(1) !== 50) return; // "42": an event
        const [name, u] = JSON.parse(text.slice(2)) as [string, { version: number }];
        if (name !== 'slots:update') return;
        const at = hr();
        if (u.version < last) stale++;
        last = Math.max(last, u.version);
        delivered(group, at);
      });
      ws.once('error', reject);
      ws.once('open', () => resolve(ws));
      ws.on('close', () => {
        if (!closing) dropped++;
      });
    });

  const connectMany = async <T extends { close(): void }>(group: Group, count: number, one: () => Promise<T>) => {
    const list = sockets.get(group) ?? [];
    sockets.set(group, list);
    for (let done = 0; done < count;) {
      const n = Math.min(100, count - done);
      list.push(...(await Promise.all(Array.from({ length: n }, one))));
      done += n;
    }
  };

  const handle = async (msg: Command): Promise<unknown> => {
    switch (msg.t) {
      case 'connect':
        await connectMany(msg.group, msg.count, () => connectOne(msg.group, msg.baseUrl, msg.watch, msg.localAddress));
        if (msg.watch) watching.set(msg.group, (watching.get(msg.group) ?? 0) + msg.count);
        return;
      case 'connect-ws':
        await connectMany(msg.group, msg.count, () => connectWs(msg.group, msg.url));
        watching.set(msg.group, (watching.get(msg.group) ?? 0) + msg.count);
        return;
      case 'arm':
        armed = (watching.get(msg.group) ?? 0) > 0 ? { group: msg.group, times: [] } : null;
        return;
      case 'disconnect': {
        closing = true;
        for (const [g, list] of sockets) {
          if (msg.group && g !== msg.group) continue;
          for (const s of list) s.close();
          sockets.delete(g);
          watching.delete(g);
        }
        await sleep(50);
        closing = false;
        return;
      }
      case 'listen': {
        const sub = pgListen.default({ connectionString: msg.url });
        sub.notifications.on(PG_CHANNEL, (payload: unknown) => send({ t: 'notify', payload: String(payload), at: hr() }));
        await sub.connect();
        await sub.listenTo(PG_CHANNEL);
        return;
      }
      case 'capture':
        return captured;
      case 'reads': {
        // Sequential REST reads of random keys; each reader keeps the highest version seen per key.
        let seed = msg.seed >>> 0;
        const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        let hits = 0;
        let readStale = 0;
        const seen = new Map<string, number>();
        for (let i = 0; i < msg.count; i++) {
          const k = msg.keys[Math.floor(rand() * msg.keys.length)];
          const res = await fetch(
            `${msg.baseUrl}/api/bookings/available-slots?stylistId=${k.stylistId}&serviceId=${k.serviceId}&targetDate=${k.date}`,
          );
          await res.arrayBuffer();
          if (res.headers.get('x-cache-hit') === 'true') hits++;
          const v = Number(res.headers.get('x-availability-version'));
          const ks = `${k.stylistId}|${k.date}`;
          if (v < (seen.get(ks) ?? -1)) readStale++;
          seen.set(ks, Math.max(v, seen.get(ks) ?? -1));
        }
        return { hits, n: msg.count, stale: readStale };
      }
      case 'stats':
        return { stale, dropped, open: Object.fromEntries([...sockets].map(([g, l]) => [g, l.length])) } satisfies ClientStats;
    }
  };

  process.on('message', (msg: Command & { id: number }) => {
    handle(msg).then(
      (data) => send({ t: 'ok', id: msg.id, data }),
      (err: Error) => send({ t: 'fail', id: msg.id, error: err.message }),
    );
  });
  send({ t: 'ok', id: 0 });
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Orchestrator.

class Clients {
  #procs: ChildProcess[] = [];
  #next = 1;
  #pending = new Map<number, { resolve: (data: unknown) => void; reject: (err: Error) => void }>();
  #rounds: ((times: number[]) => void)[] = [];
  onNotify: ((at: number, payload: string) => void) | null = null;

  async start(n: number): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, async () => {
        const child = fork(SELF, [], { env: { ...process.env, KB_LIVE_ROLE: 'clients' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        this.#procs.push(child);
        onCleanup(async () => {
          child.kill('SIGKILL');
        });
        await new Promise<void>((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`client process exited (${code})`)));
          child.on('message', (m: Reply) => {
            if (m.t === 'ok' || m.t === 'fail') {
              if (m.id === 0) return resolve();
              const p = this.#pending.get(m.id);
              this.#pending.delete(m.id);
              if (m.t === 'ok') p?.resolve(m.data);
              else p?.reject(new Error(`client process: ${m.error}`));
            } else if (m.t === 'round') this.#rounds.shift()?.(m.times);
            else if (m.t === 'notify') this.onNotify?.(m.at, m.payload);
          });
        });
      }),
    );
  }

  get size(): number {
    return this.#procs.length;
  }

  /** CPU time of the client processes so far, ms. */
  cpuMs(): number {
    return this.#procs.reduce((a, p) => a + cpuMs(p.pid!), 0);
  }

  call(i: number, cmd: Command): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#procs[i].send({ ...cmd, id });
    });
  }

  all(cmd: Command): Promise<unknown[]> {
    return Promise.all(this.#procs.map((_, i) => this.call(i, cmd)));
  }

  async stats(): Promise<ClientStats> {
    const all = (await this.all({ t: 'stats' })) as ClientStats[];
    const open: Record<string, number> = {};
    for (const s of all) for (const [g, n] of Object.entries(s.open)) open[g] = (open[g] ?? 0) + n;
    return { stale: all.reduce((a, s) => a + s.stale, 0), dropped: all.reduce((a, s) => a + s.dropped, 0), open };
  }

  /**
   * Connects `total` sockets spread over the processes (`make(i, n)` builds process i's command);
   * returns how many processes got some.
   */
  async spread(total: number, make: (i: number, n: number) => Command): Promise<number> {
    const per = Math.ceil(total / this.size);
    let left = total;
    const used: Promise<unknown>[] = [];
    for (let i = 0; i < this.size && left > 0; i++) {
      const n = Math.min(per, left);
      left -= n;
      used.push(this.call(i, make(i, n)));
    }
    await Promise.all(used);
    return used.length;
  }

  connect(group: Group, baseUrl: string, total: number, watch: Key | null, localAddress?: (i: number) => string): Promise<number> {
    return this.spread(total, (i, count) => ({ t: 'connect', group, baseUrl, count, watch, localAddress: localAddress?.(i) }));
  }

  connectWs(group: Group, url: string, total: number): Promise<number> {
    return this.spread(total, (_, count) => ({ t: 'connect-ws', group, url, count }));
  }

  /** Arms `group`, runs `write`, resolves with every delivery time of the round (null: lost). */
  async round(group: Group, watchingProcs: number, write: () => Promise<void>, timeoutMs = 15_000): Promise<number[] | null> {
    await this.all({ t: 'arm', group });
    const reports = Array.from({ length: watchingProcs }, () => new Promise<number[]>((r) => this.#rounds.push(r)));
    await write();
    const all = Promise.all(reports).then((parts) => parts.flat());
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), timeoutMs));
    const result = await Promise.race([all, timeout]);
    if (result === null) this.#rounds.length = 0;
    return result;
  }

  stop(): void {
    for (const p of this.#procs) p.kill('SIGTERM');
  }
}

/** Talks to live.preload.ts in a server process (and its cluster workers): SIGUSR2 + a command file. */
class Probe {
  readonly prefix: string;
  readonly pid: () => number;

  constructor(prefix: string, pid: () => number) {
    this.prefix = prefix;
    this.pid = pid;
  }

  async ask<T>(cmd: 'mem' | 'eld-start' | 'eld'): Promise<T> {
    const pid = this.pid();
    const file = `${this.prefix}.${pid}.json`;
    const seq = () => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as { seq: number };
      } catch {
        return null;
      }
    };
    const before = seq()?.seq ?? -1;
    writeFileSync(`${this.prefix}.cmd`, cmd);
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 400; i++) {
      await sleep(i < 20 ? 5 : 50);
      const now = seq();
      if (now && now.seq > before) return now as T;
    }
    throw new Error(`process ${pid} did not answer "${cmd}" (is live.preload.ts loaded?)`);
  }
}
interface Mem {
  heapUsed: number;
  rss: number;
  gc: boolean;
}
interface Eld {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The worker server/main.ts picks for a client IP (FNV-1a of the address). */
function workerOf(ip: string, workers: number): number {
  return fnv1a(ip) % workers;
}

/** GET over a fresh connection from `localAddress`: the prometheus text of whichever worker it lands on. */
function getFrom(url: string, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { localAddress, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.once('end', () => resolve(body));
        res.once('error', reject);
      })
      .once('error', reject);
  });
}
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

interface Side {
  s: Summary;
  afterAck: Summary;
  fanout: Summary;
  missing: number;
  /** Server (tree) and client-process CPU over the measured rounds, ms; deliveries counted. */
  serverCpuMs: number;
  clientCpuMs: number;
  deliveries: number;
  /** Sum over rounds of write → last delivery, ms: the time the server CPU above was spent in. */
  busyMs: number;
  eld?: Eld;
}

function envList(name: string): string | undefined {
  const v = process.env[name];
  return v && v.trim() !== '' ? v.trim() : undefined;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      rounds: { type: 'string' },
      watchers: { type: 'string' },
      bookings: { type: 'string' },
      idle: { type: 'string' },
      'idle-max': { type: 'string' },
      'idle-hold': { type: 'string' },
      'workers-watchers': { type: 'string' },
      'probe-rounds': { type: 'string' },
      'cpu-prof': { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(`npm run bench:live [-- options]
  --rounds <n>             changes per watcher count, for ours and for the floor each (default 40)
  --watchers <list>        watcher counts (default 1,1000,5000)
  --bookings <n>           bookings in the hit-ratio run, each followed by 100 reads (default 50)
  --idle <n>               idle sockets for memory per socket, ours and the floor's (default 5000)
  --idle-max <n>           idle sockets on one process for RSS and dropped connections (default 10000; 0 skips)
  --idle-hold <s>          how long those stay connected; over 25 s covers a heartbeat (default 30)
  --workers-watchers <n>   watchers over WORKERS=2, against one process at half (default 5000; 0 skips)
  --probe-rounds <n>       changes with an HTTP GET loop running, at the largest watcher count (default 10)
  --cpu-prof <dir>         write a V8 CPU profile of our server and of the floor into <dir> (slows them down)
  --quick                  a smoke run (under 2 minutes): 8 rounds, watchers 1,200, 500 / 1,000 idle
                           sockets held 3 s, WORKERS=2 with 200, 5 bookings
Environment (for scripts): BENCH_QUICK=1 is --quick; BENCH_WATCHERS and BENCH_ROUNDS set the defaults.`);
    return;
  }
  const quick = args.quick || process.env.BENCH_QUICK === '1';
  const num = (v: string | undefined, full: number, small: number) => (v !== undefined ? Number(v) : quick ? small : full);
  const rounds = num(args.rounds ?? envList('BENCH_ROUNDS'), 40, 8);
  const bookings = num(args.bookings, 50, 5);
  const idle = num(args.idle, 5000, 500);
  const idleMax = num(args['idle-max'], 10_000, 1000);
  const idleHoldS = num(args['idle-hold'], 30, 3);
  const workersWatchers = num(args['workers-watchers'], 5000, 200);
  const probeRounds = num(args['probe-rounds'], 10, 4);
  const watcherCounts = (args.watchers ?? envList('BENCH_WATCHERS') ?? (quick ? '1,200' : '1,1000,5000')).split(',').map(Number);
  const requested = new Set(watcherCounts);
  // The WORKERS=2 comparison needs one process at half its watchers.
  const half = Math.round(workersWatchers / 2);
  if (workersWatchers > 0 && !watcherCounts.includes(half)) watcherCounts.push(half);
  watcherCounts.sort((a, b) => a - b);
  for (const v of [rounds, bookings, idle, idleMax, idleHoldS, workersWatchers, probeRounds, ...watcherCounts]) {
    if (!Number.isInteger(v) || v < 0) throw new Error('every count must be a non-negative integer');
  }
  const maxWatchers = Math.max(...watcherCounts);
  install();
  const m = machine();
  const started = performance.now();
  console.log(`# Live pipeline benchmark\n\n${machineLine(m)}\n`);
  console.log(
    `settings: ${rounds} rounds per watcher count (${watcherCounts.join(', ')}), ours and the floor interleaved; ` +
      `${idle} idle sockets for memory, ${idleMax} held ${idleHoldS} s; WORKERS=2 with ${workersWatchers}; ${bookings} bookings for the hit ratio`,
  );
  const load1 = Number(m.loadavg.split(' ')[0]);
  if (load1 > m.cpus * 0.5)
    console.log(
      `WARNING: the machine is busy (1-minute load ${load1.toFixed(2)} on ${m.cpus} CPUs): latencies are inflated; do not record these figures.`,
    );

  try {
    const db = await startBenchPostgres();
    const pool = db.pool(4);
    const salon = await createBenchSalon(pool, {
      stylists: 21,
      // 20 for the hit-ratio bookings and one of its own for the toggled booking (one chair per customer).
      customers: 21,
      prefix: 'live',
      services: [{ name: 'Live Cut', durationMinutes: 45, priceCents: 100_000 }],
    });
    const zone = salon.stylists[0].timezone;
    const date = DateTime.now().setZone(zone).plus({ days: 7 }).toISODate()!;
    const at = (hhmm: string) => DateTime.fromISO(`${date}T${hhmm}`, { zone }).toUTC().toISO()!;
    const service = salon.services[0];
    const key: Key = { stylistId: salon.stylists[0].id, serviceId: service.id, date };
    const toggled = (
      await pool.query<{ id: string }>(
        `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
       values ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '45 minutes', $4::timestamptz + interval '60 minutes', 100000) returning id`,
        [salon.customers[20], key.stylistId, service.id, at('09:00')],
      )
    ).rows[0].id;
    // The HTTP probe reads another stylist's day: a cache hit, untouched by the changes.
    const probePath = `/api/bookings/available-slots?stylistId=${salon.stylists[20].id}&serviceId=${service.id}&targetDate=${date}`;

    const serverEnv = (extra: Record<string, string>) => ({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      SEED_DEMO: '0',
      SESSION_SECRET: 'bench-secret-bench-secret',
      SOCKET_MAX_PER_IP: '100000',
      SOCKET_MAX_WATCHED_KEYS: '100000',
      RATE_LIMIT_SLOT_MISSES: '1000000000',
      ...extra,
    });
    const cpuProf = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof'])] : [];
    const preload = ['--expose-gc', ...cpuProf, '--import', path.join(HERE, 'live.preload.ts')];
    const serveOptions = serveNodeOptions();
    console.log(`our server runs with the Node options of npm run serve: ${serveOptions.join(' ') || '(none)'}`);
    const oursPrefix = path.join(db.root, 'ours-probe');
    const server: ServerProcess = await startServer({
      name: 'server',
      entry: 'server/main.ts',
      nodeArgs: [...serveOptions, ...preload],
      readyPath: '/readyz',
      env: serverEnv({ KB_BENCH_MEM_FILE: oursPrefix }),
    });
    const oursProbe = new Probe(oursPrefix, () => server.pid);
    const clients = new Clients();
    await clients.start(Math.max(1, Math.min(4, os.availableParallelism() * 2)));

    // Writer: one connection, one statement per change.
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    onCleanup(() => writer.end());
    const toggle = async () => {
      await writer.query(
        `update bookings set status = case when status = 'confirmed' then 'cancelled' else 'confirmed' end where id = $1`,
        [toggled],
      );
    };
    const notifyFloor = async () => {
      await writer.query(`notify ${WS_CHANNEL}`);
    };

    // ── pg round trip: bare NOTIFY, no WebSocket at all ───────────────────────────────────────
    await clients.call(0, { t: 'listen', url: db.url });
    const pgTrip = new Samples();
    for (let i = 0; i < 300; i++) {
      const got = new Promise<number>((r) => (clients.onNotify = (recv) => r(recv)));
      const t0 = hr();
      await writer.query(`select pg_notify('${PG_CHANNEL}', $1)`, [String(i)]);
      const recv = await got;
      if (i >= 20) pgTrip.add(recv - t0);
    }
    clients.onNotify = null;
    const pgTripS = pgTrip.summary();

    // ── the floor: started with the bytes of a real slots:update, captured off the wire ────────
    await clients.connect('ours', server.baseUrl, 1, key);
    if (!(await clients.round('ours', 1, toggle))) throw new Error('no slots:update arrived to capture');
    const frame = ((await clients.all({ t: 'capture' })) as (string | null)[]).find((f) => f !== null);
    if (!frame) throw new Error('the client processes captured no slots:update frame');
    await clients.all({ t: 'disconnect' });
    const frameFile = path.join(db.root, 'floor-frame.txt');
    writeFileSync(frameFile, frame);
    const floorPrefix = path.join(db.root, 'floor-probe');
    const floor = await startServer({
      name: 'floor',
      entry: 'test/bench/live.floor.ts',
      nodeArgs: preload,
      env: { DATABASE_URL: db.url, FLOOR_CHANNEL: WS_CHANNEL, FRAME_FILE: frameFile, KB_BENCH_MEM_FILE: floorPrefix },
    });
    const floorProbe = new Probe(floorPrefix, () => floor.pid);
    const floorWs = floor.baseUrl.replace(/^http/, 'ws');
    console.log(
      `slots:update on the wire: ${Buffer.byteLength(frame)} bytes (Engine.IO + Socket.IO framing + JSON); ` +
        `server pid ${server.pid}, floor pid ${floor.pid}, ${clients.size} client processes`,
    );

    // ── memory per idle socket, ours and the floor's (before the latency runs: RSS never shrinks back)
    const idleRun = async (
      probe: Probe,
      connect: (n: number) => Promise<unknown>,
      group: Group,
      n: number,
    ): Promise<{ m0: Mem; m1: Mem }> => {
      // Warm the connection path first, so the baseline includes compiled code and pools.
      await connect(Math.min(200, n));
      await clients.all({ t: 'disconnect', group });
      await sleep(500);
      const m0 = await probe.ask<Mem>('mem');
      await connect(n);
      await sleep(1000);
      return { m0, m1: await probe.ask<Mem>('mem') };
    };
    const oursIdle = await idleRun(oursProbe, (n) => clients.connect('idle', server.baseUrl, n, null), 'idle', idle);
    // Up to --idle-max on the same process: RSS, and whether any connection drops while idle.
    let big: { sockets: number; mem: Mem; dropped: number; serverCount: number; connectS: number } | null = null;
    if (idleMax > idle) {
      const t = performance.now();
      await clients.connect('idle', server.baseUrl, idleMax - idle, null);
      const connectS = (performance.now() - t) / 1000;
      const before = await clients.stats();
      await sleep(idleHoldS * 1000);
      const mem = await oursProbe.ask<Mem>('mem');
      const after = await clients.stats();
      const serverCount = metric(await (await fetch(`${server.baseUrl}/metrics`)).text(), 'kb_sockets_connected');
      big = { sockets: after.open.idle ?? 0, mem, dropped: after.dropped - before.dropped, serverCount, connectS };
      console.log(`  ${idleMax} idle sockets: RSS ${mb(mem.rss)}, ${big.dropped} dropped in ${idleHoldS} s, server counts ${serverCount}`);
    }
    await clients.all({ t: 'disconnect' });
    const floorIdle = await idleRun(floorProbe, (n) => clients.connectWs('floor-idle', floorWs, n), 'floor-idle', idle);
    await clients.all({ t: 'disconnect' });
    const perSocket = (r: { m0: Mem; m1: Mem }) => ({ heap: (r.m1.heapUsed - r.m0.heapUsed) / idle, rss: (r.m1.rss - r.m0.rss) / idle });
    const oursPer = perSocket(oursIdle);
    const floorPer = perSocket(floorIdle);

    // ── commit to client, by watcher count: ours and the floor, rounds interleaved ─────────────
    const results = new Map<number, { ours: Side; floor: Side }>();
    const writes = new Samples();
    let probe: { idle: Summary; during: Summary; rounds: number } | null = null;
    for (const n of watcherCounts) {
      const oursProcs = await clients.connect('ours', server.baseUrl, n, key);
      const floorProcs = await clients.connectWs('floor', floorWs, n);
      type Acc = {
        all: Samples;
        afterAck: Samples;
        spans: number[];
        missing: number;
        server: number;
        client: number;
        deliveries: number;
        busy: number;
      };
      const acc = (): Acc => ({
        all: new Samples(),
        afterAck: new Samples(),
        spans: [],
        missing: 0,
        server: 0,
        client: 0,
        deliveries: 0,
        busy: 0,
      });
      const a = { ours: acc(), floor: acc() };
      await Promise.all([oursProbe.ask('eld-start'), floorProbe.ask('eld-start')]);
      for (let r = 0; r < rounds + 3; r++) {
        for (const side of r % 2 === 0 ? (['ours', 'floor'] as const) : (['floor', 'ours'] as const)) {
          const srv = side === 'ours' ? server : floor;
          let t0 = 0;
          let t1 = 0;
          const c0 = treeCpuMs(srv.pid);
          const k0 = clients.cpuMs();
          const times = await clients.round(side, side === 'ours' ? oursProcs : floorProcs, async () => {
            t0 = hr();
            await (side === 'ours' ? toggle() : notifyFloor());
            t1 = hr();
          });
          // The server's share of the round ends a little after the last delivery (ours reads the event row after pushing).
          await sleep(20);
          const x = a[side];
          if (!times) {
            x.missing++;
            continue;
          }
          if (r < 3) continue; // warm-up
          if (side === 'ours') writes.add(t1 - t0);
          let last = 0;
          let first = Infinity;
          for (const t of times) {
            x.all.add(t - t0);
            x.afterAck.add(t - t1);
            if (t > last) last = t;
            if (t < first) first = t;
          }
          x.spans.push(last - first);
          x.server += treeCpuMs(srv.pid) - c0;
          x.client += clients.cpuMs() - k0;
          x.deliveries += times.length;
          x.busy += last - t0;
        }
      }
      const [oursEld, floorEld] = await Promise.all([oursProbe.ask<Eld>('eld'), floorProbe.ask<Eld>('eld')]);
      const side = (x: Acc, eld: Eld): Side => ({
        s: x.all.summary(),
        afterAck: x.afterAck.summary(),
        fanout: summarize(x.spans),
        missing: x.missing,
        serverCpuMs: x.server,
        clientCpuMs: x.client,
        deliveries: x.deliveries,
        busyMs: x.busy,
        eld,
      });
      results.set(n, { ours: side(a.ours, oursEld), floor: side(a.floor, floorEld) });
      const o = results.get(n)!;
      console.log(
        `  ${n} watcher(s): ours p50 ${ms(o.ours.s.p50)} / p99 ${ms(o.ours.s.p99)} ms, floor p50 ${ms(o.floor.s.p50)} / p99 ${ms(o.floor.s.p99)} ms`,
      );

      // An HTTP request during the largest fan-out: a sequential GET loop while changes fan out.
      if (n === maxWatchers && probeRounds > 0) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const get = () =>
          new Promise<number>((resolve, reject) => {
            const t = hr();
            http
              .get(server.baseUrl + probePath, { agent }, (res) => {
                res.resume();
                res.once('end', () => resolve(hr() - t));
              })
              .once('error', reject);
          });
        for (let i = 0; i < 50; i++) await get();
        const rest = new Samples();
        for (let i = 0; i < 300; i++) rest.add(await get());
        const during = new Samples();
        let done = false;
        const loop = (async () => {
          while (!done) during.add(await get());
        })();
        let lost = 0;
        for (let r = 0; r < probeRounds; r++) {
          if (!(await clients.round('ours', oursProcs, toggle))) lost++;
          await sleep(20);
        }
        done = true;
        await loop;
        agent.destroy();
        probe = { idle: rest.summary(), during: during.summary(), rounds: probeRounds - lost };
      }
      await clients.all({ t: 'disconnect' });
    }

    // ── hit ratio: 100 reads per booking, over 20 keys ────────────────────────────────────────
    const keys: Key[] = salon.stylists.slice(1, 21).map((s) => ({ stylistId: s.id, serviceId: service.id, date }));
    const cells = ['09:00', '10:00', '11:00', '12:00', '14:00', '15:00', '16:00', '17:00'];
    let hits = 0;
    let reads = 0;
    let readStale = 0;
    for (let b = 0; b < bookings; b++) {
      const k = keys[b % keys.length];
      const cell = cells[Math.floor(b / keys.length) % cells.length];
      await writer.query(
        `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
         values ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '45 minutes', $4::timestamptz + interval '60 minutes', 100000)`,
        [salon.customers[b % 20], k.stylistId, service.id, at(cell)],
      );
      const res = (await clients.call(b % clients.size, { t: 'reads', baseUrl: server.baseUrl, keys, count: 100, seed: b + 1 })) as {
        hits: number;
        n: number;
        stale: number;
      };
      hits += res.hits;
      reads += res.n;
      readStale += res.stale;
    }
    const hitRatio = reads ? hits / reads : NaN;
    const socketStale = (await clients.stats()).stale;
    await Promise.all([server.stop(), floor.stop()]);

    // ── WORKERS=2: watchers spread over two processes by source address ────────────────────────
    let workers: { n: number; side: Side; perWorker: number[]; addresses: string[] } | null = null;
    if (workersWatchers > 0) {
      const addrs: string[] = [];
      for (let i = 1; i < 255 && addrs.length < 2; i++) {
        const ip = `127.0.0.${i}`;
        if (addrs.length === 0 || workerOf(ip, 2) !== workerOf(addrs[0], 2)) addrs.push(ip);
      }
      const cluster = await startServer({
        name: 'workers',
        entry: 'server/main.ts',
        nodeArgs: [...serveOptions, ...preload],
        readyPath: '/readyz',
        env: serverEnv({ WORKERS: '2' }),
      });
      // Every other client process binds the other address: half the watchers on each worker.
      const procs = await clients.connect('ours', cluster.baseUrl, workersWatchers, key, (i) => addrs[i % 2]);
      const perWorker = await Promise.all(
        addrs.map(async (ip) => metric(await getFrom(`${cluster.baseUrl}/metrics`, ip), 'kb_sockets_connected')),
      );
      const all = new Samples();
      const afterAck = new Samples();
      const spans: number[] = [];
      let missing = 0;
      let cpu = 0;
      let clientCpu = 0;
      let deliveries = 0;
      let busy = 0;
      for (let r = 0; r < rounds + 3; r++) {
        let t0 = 0;
        let t1 = 0;
        const c0 = treeCpuMs(cluster.pid);
        const k0 = clients.cpuMs();
        const times = await clients.round('ours', procs, async () => {
          t0 = hr();
          await toggle();
          t1 = hr();
        });
        await sleep(20);
        if (!times) {
          missing++;
          continue;
        }
        if (r < 3) continue;
        for (const t of times) {
          all.add(t - t0);
          afterAck.add(t - t1);
        }
        spans.push(Math.max(...times) - Math.min(...times));
        cpu += treeCpuMs(cluster.pid) - c0;
        clientCpu += clients.cpuMs() - k0;
        deliveries += times.length;
        busy += Math.max(...times) - t0;
      }
      await clients.all({ t: 'disconnect' });
      await cluster.stop();
      workers = {
        n: workersWatchers,
        perWorker,
        addresses: addrs,
        side: {
          s: all.summary(),
          afterAck: afterAck.summary(),
          fanout: summarize(spans),
          missing,
          serverCpuMs: cpu,
          clientCpuMs: clientCpu,
          deliveries,
          busyMs: busy,
        },
      };
      console.log(
        `  WORKERS=2, ${workersWatchers} watchers (${perWorker.join(' + ')} sockets): p50 ${ms(workers.side.s.p50)} ms, p99 ${ms(workers.side.s.p99)} ms`,
      );
    }

    // ── report ────────────────────────────────────────────────────────────────────────────────
    const ws = writes.summary();
    const fmtN = (n: number) => n.toLocaleString('en-US');
    const usPer = (x: Side, cpu: number) => (x.deliveries ? ((cpu * 1000) / x.deliveries).toFixed(1) : '–');
    console.log(heading('Commit to client: ours against the floor, measured in this run (ms)'));
    console.log('From the moment the writing statement is sent to the moment a client process has parsed the message. Ours: one');
    console.log(
      `UPDATE of a booking's status (its outbox triggers and commit took p50 ${ms(ws.p50)} ms, p99 ${ms(ws.p99)} ms of it) → relay → Socket.IO.`,
    );
    console.log('Floor: a bare `NOTIFY` → a bare `ws` server → the same frame bytes to as many plain WebSockets, JSON-parsed by the same');
    console.log(
      'client processes. "after ack": from the writer\'s acknowledgement. The pg round trip (no WebSocket at all): ' +
        `p50 ${ms(pgTripS.p50)} ms, p99 ${ms(pgTripS.p99)} ms over ${pgTripS.n} NOTIFYs.\n`,
    );
    console.log(
      table(
        [
          'watchers',
          'deliveries',
          'floor p50',
          'floor p99',
          'ours p50',
          'ours p99',
          'p50 ours / floor',
          'p99 ours / floor',
          'after ack p50 floor / ours',
          'rounds lost floor / ours',
        ],
        [...results].map(([n, r]) => [
          fmtN(n),
          r.ours.s.n,
          ms(r.floor.s.p50),
          ms(r.floor.s.p99),
          ms(r.ours.s.p50),
          ms(r.ours.s.p99),
          ratio(r.ours.s.p50 / r.floor.s.p50),
          ratio(r.ours.s.p99 / r.floor.s.p99),
          `${ms(r.floor.afterAck.p50)} / ${ms(r.ours.afterAck.p50)}`,
          `${r.floor.missing} / ${r.ours.missing}`,
        ]),
      ),
    );
    console.log(heading('Fan-out: first to last delivery of one change (ms)'));
    console.log(
      table(
        ['watchers', 'changes', 'floor p50', 'floor p99', 'ours p50', 'ours p99', 'p50 ours / floor', 'ours max'],
        [...results]
          .filter(([n]) => n > 1)
          .map(([n, r]) => [
            fmtN(n),
            r.ours.fanout.n,
            ms(r.floor.fanout.p50),
            ms(r.floor.fanout.p99),
            ms(r.ours.fanout.p50),
            ms(r.ours.fanout.p99),
            ratio(r.ours.fanout.p50 / r.floor.fanout.p50),
            ms(r.ours.fanout.max),
          ]),
      ),
    );
    console.log(heading('CPU per delivery (µs) and where the time goes'));
    console.log('Server: CPU of the server process (with its children) over the measured rounds / deliveries; clients: the 4 client');
    console.log('processes, the same for both. "server cores": that CPU over the time from write to last delivery: near 1.00 the');
    console.log("server's one thread is the bottleneck; well below it, it waits (on Postgres, or on the clients for the CPU).");
    console.log('CPU time comes from /proc in 10 ms ticks, summed over the rounds: the 1-watcher row is coarse.\n');
    console.log(
      table(
        [
          'watchers',
          'floor server',
          'ours server',
          'ours / floor',
          'floor clients',
          'ours clients',
          'floor server cores',
          'ours server cores',
        ],
        [...results].map(([n, r]) => [
          fmtN(n),
          usPer(r.floor, r.floor.serverCpuMs),
          usPer(r.ours, r.ours.serverCpuMs),
          ratio(r.ours.serverCpuMs / r.ours.deliveries / (r.floor.serverCpuMs / r.floor.deliveries)),
          usPer(r.floor, r.floor.clientCpuMs),
          usPer(r.ours, r.ours.clientCpuMs),
          (r.floor.serverCpuMs / r.floor.busyMs).toFixed(2),
          (r.ours.serverCpuMs / r.ours.busyMs).toFixed(2),
        ]),
      ),
    );
    console.log(heading('Event-loop delay in the server during the rounds (ms; monitorEventLoopDelay, 1 ms resolution)'));
    console.log(
      table(
        ['watchers', 'floor p99', 'floor max', 'ours p50', 'ours p99', 'ours max'],
        [...results].map(([n, r]) => [
          fmtN(n),
          ms(r.floor.eld!.p99),
          ms(r.floor.eld!.max),
          ms(r.ours.eld!.p50),
          ms(r.ours.eld!.p99),
          ms(r.ours.eld!.max),
        ]),
      ),
    );
    if (probe) {
      console.log(
        heading(`An HTTP request during a ${fmtN(maxWatchers)}-watcher fan-out (cached slots GET, one keep-alive connection, ms)`),
      );
      console.log(
        table(
          ['when', 'requests', 'p50', 'p99', 'max'],
          [
            ['at rest', probe.idle.n, ms(probe.idle.p50), ms(probe.idle.p99), ms(probe.idle.max)],
            [
              `during ${probe.rounds} changes fanning out`,
              probe.during.n,
              ms(probe.during.p50),
              ms(probe.during.p99),
              ms(probe.during.max),
            ],
          ],
        ),
      );
    }
    console.log(heading(`Memory per idle socket (${fmtN(idle)} sockets, after GC${oursIdle.m1.gc ? '' : ' — GC unavailable!'})`));
    console.log(
      table(
        ['server', 'heap before', `heap with ${fmtN(idle)}`, 'heap per socket', 'RSS before', `RSS with ${fmtN(idle)}`, 'RSS per socket'],
        [
          [
            'ours (Socket.IO)',
            mb(oursIdle.m0.heapUsed),
            mb(oursIdle.m1.heapUsed),
            kb(oursPer.heap),
            mb(oursIdle.m0.rss),
            mb(oursIdle.m1.rss),
            kb(oursPer.rss),
          ],
          [
            'floor (bare ws)',
            mb(floorIdle.m0.heapUsed),
            mb(floorIdle.m1.heapUsed),
            kb(floorPer.heap),
            mb(floorIdle.m0.rss),
            mb(floorIdle.m1.rss),
            kb(floorPer.rss),
          ],
        ],
      ),
    );
    if (big) {
      console.log(
        `\n${fmtN(big.sockets)} idle sockets on one process (connected in ${big.connectS.toFixed(1)} s, held ${idleHoldS} s): ` +
          `RSS ${mb(big.mem.rss)}, heap ${mb(big.mem.heapUsed)} after GC; ${big.dropped} dropped; the server counted ${big.serverCount}.`,
      );
    }
    if (workers) {
      const single = results.get(half);
      console.log(heading(`WORKERS=2: ${fmtN(workers.n)} watchers over two processes, against one process at ${fmtN(half)} (ms)`));
      console.log(
        `Client processes bind ${workers.addresses.join(' and ')}, which the server's sticky hash sends to different workers; ` +
          `sockets per worker (its /metrics): ${workers.perWorker.join(' + ')}.\n`,
      );
      const row = (name: string, x: Side) => [name, x.s.n, ms(x.s.p50), ms(x.s.p99), ms(x.fanout.p50), usPer(x, x.serverCpuMs), x.missing];
      console.log(
        table(
          ['run', 'deliveries', 'p50', 'p99', 'fan-out p50', 'server µs / delivery', 'rounds lost'],
          [
            row(`WORKERS=2, ${fmtN(workers.n)} watchers`, workers.side),
            ...(single ? [row(`one process, ${fmtN(half)} watchers`, single.ours)] : []),
          ],
        ),
      );
    }
    console.log(heading('Cache hit ratio and staleness'));
    console.log(
      table(
        ['measure', 'value'],
        [
          [`REST reads (100 per booking, ${keys.length} keys, ${bookings} bookings)`, reads],
          ['cache hit ratio', pct(hitRatio)],
          ['stale answers (version lower than one already seen): sockets', socketStale],
          ['stale answers: REST readers', readStale],
        ],
      ),
    );

    // Targets of "live at scale", part 2: ratios to the floor of this run.
    const scale: Verdict[] = [];
    const x = (v: number) => `${v.toFixed(2)}×`;
    for (const [n, r] of results) {
      if (n <= 1 || !requested.has(n)) continue;
      scale.push(verdict(`p50 commit → client, ${fmtN(n)} watchers / floor`, r.ours.s.p50 / r.floor.s.p50, 1.5, false, x));
      scale.push(verdict(`p99 commit → client, ${fmtN(n)} watchers / floor`, r.ours.s.p99 / r.floor.s.p99, 2, false, x));
    }
    const top = results.get(maxWatchers);
    if (top && maxWatchers > 1)
      scale.push(
        verdict(`fan-out first → last, ${fmtN(maxWatchers)} watchers / floor`, top.ours.fanout.p50 / top.floor.fanout.p50, 1.5, false, x),
      );
    scale.push(
      verdict(`heap per idle socket (${fmtN(idle)} sockets, after GC)`, oursPer.heap / 1024, 8, false, (v) => `${v.toFixed(1)} KB`),
    );
    if (big) {
      scale.push(
        verdict(
          `RSS with ${fmtN(big.sockets)} idle sockets on one process`,
          big.mem.rss / 2 ** 20,
          250,
          false,
          (v) => `${v.toFixed(0)} MB`,
        ),
      );
      // Dropped: closed under a client, or missing from the server's own count.
      scale.push(
        verdict(
          `connections dropped (${fmtN(idleMax)} idle, ${idleHoldS} s)`,
          Math.max(big.dropped, idleMax - big.serverCount),
          0,
          false,
          (v) => String(v),
        ),
      );
    }
    if (workers && results.get(half)) {
      scale.push(
        verdict(
          `WORKERS=2 p50 at ${fmtN(workers.n)} / one process at ${fmtN(half)}`,
          workers.side.s.p50 / results.get(half)!.ours.s.p50,
          1,
          false,
          x,
        ),
      );
    }
    console.log(heading('Targets: live at scale (ratios to the floor of this run)'));
    console.log(verdictTable(scale));

    const at1000 = results.get(1000)?.ours;
    const verdicts: Verdict[] = [];
    if (at1000) {
      verdicts.push(verdict('p50 commit → client, 1,000 watchers', at1000.s.p50, 5, false, (v) => `${ms(v)} ms`));
      verdicts.push(verdict('p99 commit → client, 1,000 watchers', at1000.s.p99, 25, false, (v) => `${ms(v)} ms`));
      verdicts.push(verdict('fan-out to 1,000 (p50 of changes)', at1000.fanout.p50, 50, false, (v) => `${ms(v)} ms`));
    }
    verdicts.push(verdict('heap per idle socket', oursPer.heap / 1024, 15, false, (v) => `${v.toFixed(1)} KB`));
    verdicts.push(verdict('cache hit ratio', hitRatio * 100, 95, true, (v) => `${v.toFixed(1)}%`));
    verdicts.push(verdict('stale answers', socketStale + readStale, 0, false, (v) => String(v)));
    console.log(heading('Targets (issue 4)'));
    console.log(verdictTable(verdicts));
    console.log(
      `\nload average at start ${m.loadavg}, at end ${machine().loadavg}; total time ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    clients.stop();
  } finally {
    await cleanup();
  }
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

// Last, so the classes above are initialised before either role runs.
if (process.env.KB_LIVE_ROLE === 'clients') await clientProcess();
else await main();
