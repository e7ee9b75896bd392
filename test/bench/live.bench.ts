// `npm run bench:live` — the live-pipeline benchmark of issue 4, item 7. The server (server/main.ts)
// runs in its own process, the socket clients in 4 more (this file forked with KB_LIVE_ROLE=clients),
// and this process writes to Postgres and keeps the clock. Timestamps are process.hrtime (the
// machine's monotonic clock, the same in every process), so "commit to client" is measured from
// just before the writing statement is sent to the moment a client process receives the push.
//
//   floor       a bare NOTIFY round trip: pg client here → pg-listen subscriber in a client process
//   latency     a booking change (its status toggled, one statement) → slots:update at each of
//               1, 1,000 and 5,000 sockets watching that stylist's day
//   fan-out     first to last delivery of one change to 1,000 watchers of one key
//   memory      server heap and RSS per idle socket at 5,000 sockets (after GC, via live.preload.ts)
//   hit ratio   100 REST slot reads (20 keys) per booking written
//   stale       a socket or a reader that saw version v never later gets an older answer
// Options: --help.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import pg from 'pg';
import pgListen from 'pg-listen';
import { io as connectIo, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket.ts';
import { createBenchSalon } from './lib/bulk.ts';
import { cleanup, install, onCleanup } from './lib/lifecycle.ts';
import { startBenchPostgres } from './lib/pg.ts';
import { startServer, type ServerProcess } from './lib/proc.ts';
import { heading, machine, machineLine, ms, pct, ratio, table, verdict, verdictTable, type Verdict } from './lib/report.ts';
import { Samples, summarize, type Summary } from './lib/stats.ts';

const SELF = fileURLToPath(import.meta.url);
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const FLOOR_CHANNEL = 'kb_bench_floor';

interface Key { stylistId: string; serviceId: string; date: string }

// ── messages between this process and the client processes ──────────────────────────────────────
type Command =
  | { t: 'connect'; baseUrl: string; count: number; watch: Key | null }
  | { t: 'arm' }
  | { t: 'disconnect' }
  | { t: 'listen'; url: string }
  | { t: 'reads'; baseUrl: string; keys: Key[]; count: number; seed: number }
  | { t: 'stats' };
type Reply =
  | { t: 'ok'; id: number; data?: unknown }
  | { t: 'round'; times: number[] }
  | { t: 'notify'; payload: string; at: number };


// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Client process: sockets, a pg-listen subscriber for the floor, REST readers.

async function clientProcess(): Promise<void> {
  type S = Socket<ServerToClientEvents, ClientToServerEvents>;
  let sockets: S[] = [];
  let watching = 0;
  let round: number[] | null = null;
  let stale = 0;
  const send = (r: Reply) => process.send!(r);
  process.on('disconnect', () => process.exit(0));

  const connectOne = (baseUrl: string, watch: Key | null) =>
    new Promise<S>((resolve, reject) => {
      const s: S = connectIo(baseUrl, { transports: ['websocket'], reconnection: false, forceNew: true });
      let last = -1;
      s.on('slots:update', (u) => {
        const at = hr();
        if (u.version < last) stale++;
        last = Math.max(last, u.version);
        if (round) {
          round.push(at);
          if (round.length === watching) {
            send({ t: 'round', times: round });
            round = null;
          }
        }
      });
      s.once('connect_error', reject);
      s.once('connect', () => {
        if (!watch) return resolve(s);
        s.emit('slots:watch', watch, (ack) => {
          if (!ack.ok) return reject(new Error(`watch refused: ${ack.error.code}`));
          last = ack.data.version;
          resolve(s);
        });
      });
    });

  process.on('message', async (msg: Command & { id: number }) => {
    const ok = (data?: unknown) => send({ t: 'ok', id: msg.id, data });
    switch (msg.t) {
      case 'connect': {
        for (let done = 0; done < msg.count; ) {
          const n = Math.min(100, msg.count - done);
          sockets.push(...(await Promise.all(Array.from({ length: n }, () => connectOne(msg.baseUrl, msg.watch)))));
          done += n;
        }
        if (msg.watch) watching += msg.count;
        return ok();
      }
      case 'arm':
        round = watching > 0 ? [] : null;
        return ok();
      case 'disconnect':
        for (const s of sockets) s.close();
        sockets = [];
        watching = 0;
        return ok();
      case 'listen': {
        const sub = pgListen.default({ connectionString: msg.url });
        sub.notifications.on(FLOOR_CHANNEL, (payload: unknown) => send({ t: 'notify', payload: String(payload), at: hr() }));
        await sub.connect();
        await sub.listenTo(FLOOR_CHANNEL);
        return ok();
      }
      case 'reads': {
        // Sequential REST reads of random keys; each reader keeps the highest version seen per key.
        let seed = msg.seed >>> 0;
        const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        let hits = 0;
        let readStale = 0;
        const seen = new Map<string, number>();
        for (let i = 0; i < msg.count; i++) {
          const k = msg.keys[Math.floor(rand() * msg.keys.length)];
          const res = await fetch(`${msg.baseUrl}/api/bookings/available-slots?stylistId=${k.stylistId}&serviceId=${k.serviceId}&targetDate=${k.date}`);
          await res.arrayBuffer();
          if (res.headers.get('x-cache-hit') === 'true') hits++;
          const v = Number(res.headers.get('x-availability-version'));
          const ks = `${k.stylistId}|${k.date}`;
          if (v < (seen.get(ks) ?? -1)) readStale++;
          seen.set(ks, Math.max(v, seen.get(ks) ?? -1));
        }
        return ok({ hits, n: msg.count, stale: readStale });
      }
      case 'stats':
        return ok({ stale });
    }
  });
  send({ t: 'ok', id: 0 });
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Orchestrator.

class Clients {
  #procs: ChildProcess[] = [];
  #next = 1;
  #pending = new Map<number, (data: unknown) => void>();
  #rounds: ((times: number[]) => void)[] = [];
  onNotify: ((at: number, payload: string) => void) | null = null;

  async start(n: number): Promise<void> {
    await Promise.all(Array.from({ length: n }, async () => {
      const child = fork(SELF, [], { env: { ...process.env, KB_LIVE_ROLE: 'clients' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.#procs.push(child);
      onCleanup(async () => {
        child.kill('SIGKILL');
      });
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`client process exited (${code})`)));
        child.on('message', (m: Reply) => {
          if (m.t === 'ok') {
            if (m.id === 0) return resolve();
            this.#pending.get(m.id)?.(m.data);
            this.#pending.delete(m.id);
          } else if (m.t === 'round') this.#rounds.shift()?.(m.times);
          else if (m.t === 'notify') this.onNotify?.(m.at, m.payload);
        });
      });
    }));
  }

  get size(): number {
    return this.#procs.length;
  }

  call(i: number, cmd: Command): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#procs[i].send({ ...cmd, id });
    });
  }

  all(cmd: Command): Promise<unknown[]> {
    return Promise.all(this.#procs.map((_, i) => this.call(i, cmd)));
  }

  /** Connects `total` sockets spread over the processes. */
  async connect(baseUrl: string, total: number, watch: Key | null): Promise<number> {
    const per = Math.ceil(total / this.size);
    let left = total;
    const used: Promise<unknown>[] = [];
    let procs = 0;
    for (let i = 0; i < this.size && left > 0; i++) {
      const n = Math.min(per, left);
      left -= n;
      procs++;
      used.push(this.call(i, { t: 'connect', baseUrl, count: n, watch }));
    }
    await Promise.all(used);
    return procs;
  }

  /** Arms the watching processes, runs `write`, resolves with every delivery time of the round. */
  async round(watchingProcs: number, write: () => Promise<void>, timeoutMs = 15_000): Promise<number[] | null> {
    await this.all({ t: 'arm' });
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

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      rounds: { type: 'string', default: '40' },
      watchers: { type: 'string', default: '1,1000,5000' },
      bookings: { type: 'string', default: '50' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(`npm run bench:live [-- options]
  --rounds <n>      changes per watcher count (default 40)
  --watchers <list> watcher counts (default 1,1000,5000)
  --bookings <n>    bookings in the hit-ratio run, each followed by 100 reads (default 50)
  --quick           a smoke run: 10 rounds, watchers 1,1000, 10 bookings`);
    return;
  }
  const rounds = args.quick ? 10 : Number(args.rounds);
  const watcherCounts = (args.quick ? '1,1000' : args.watchers).split(',').map(Number);
  const bookings = args.quick ? 10 : Number(args.bookings);
  install();
  const m = machine();
  console.log(`# Live pipeline benchmark\n\n${machineLine(m)}\n`);

  try {
    const db = await startBenchPostgres();
    const pool = db.pool(4);
    const salon = await createBenchSalon(pool, { stylists: 21, customers: 20, prefix: 'live', services: [{ name: 'Live Cut', durationMinutes: 45, priceCents: 100_000 }] });
    const zone = salon.stylists[0].timezone;
    const date = DateTime.now().setZone(zone).plus({ days: 7 }).toISODate()!;
    const at = (hhmm: string) => DateTime.fromISO(`${date}T${hhmm}`, { zone }).toUTC().toISO()!;
    const service = salon.services[0];
    const key: Key = { stylistId: salon.stylists[0].id, serviceId: service.id, date };
    const toggled = (await pool.query<{ id: string }>(
      `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
       values ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '45 minutes', $4::timestamptz + interval '60 minutes', 100000) returning id`,
      [salon.customers[0], key.stylistId, service.id, at('09:00')])).rows[0].id;

    const memFile = path.join(db.root, 'server-memory.json');
    const server: ServerProcess = await startServer({
      name: 'server',
      entry: 'server/main.ts',
      nodeArgs: ['--expose-gc', '--import', path.join(path.dirname(SELF), 'live.preload.ts')],
      env: { DATABASE_URL: db.url, LOG_LEVEL: 'warn', SEED_DEMO: '0', SESSION_SECRET: 'bench-secret-bench-secret', SOCKET_MAX_PER_IP: '100000', SOCKET_MAX_WATCHED_KEYS: '100000', RATE_LIMIT_SLOT_MISSES: '1000000000', KB_BENCH_MEM_FILE: memFile },
      readyPath: '/readyz',
    });
    const clients = new Clients();
    await clients.start(Math.max(1, Math.min(4, os.availableParallelism() * 2)));

    // Writer: one connection, one statement per change.
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    onCleanup(() => writer.end());

    // ── floor: bare NOTIFY round trip ─────────────────────────────────────────────────────────
    await clients.call(0, { t: 'listen', url: db.url });
    const floor = new Samples();
    for (let i = 0; i < 300; i++) {
      const got = new Promise<number>((r) => (clients.onNotify = (recv) => r(recv)));
      const t0 = hr();
      await writer.query(`select pg_notify('${FLOOR_CHANNEL}', $1)`, [String(i)]);
      const recv = await got;
      if (i >= 20) floor.add(recv - t0);
    }
    clients.onNotify = null;
    const floorS = floor.summary();

    // ── memory per idle socket (before the latency runs: RSS never shrinks back) ───────────────
    const memory = async () => {
      let before = -1;
      try {
        before = JSON.parse(readFileSync(memFile, 'utf8')).seq;
      } catch {
        // first sample
      }
      process.kill(server.pid, 'SIGUSR2');
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        try {
          const m = JSON.parse(readFileSync(memFile, 'utf8'));
          if (m.seq > before) return m as { heapUsed: number; rss: number; gc: boolean };
        } catch {
          // not written yet
        }
      }
      throw new Error('the server did not report its memory');
    };
    const IDLE = 5000;
    // Warm the connection path first, so the baseline includes compiled code and pools.
    await clients.connect(server.baseUrl, 200, null);
    await clients.all({ t: 'disconnect' });
    await new Promise((r) => setTimeout(r, 500));
    const m0 = await memory();
    await clients.connect(server.baseUrl, IDLE, null);
    await new Promise((r) => setTimeout(r, 1000));
    const m1 = await memory();
    await clients.all({ t: 'disconnect' });
    const heapPer = (m1.heapUsed - m0.heapUsed) / IDLE;
    const rssPer = (m1.rss - m0.rss) / IDLE;

    // ── commit to client, by watcher count; fan-out at 1,000 ──────────────────────────────────
    const toggle = async () => {
      await writer.query(`update bookings set status = case when status = 'confirmed' then 'cancelled' else 'confirmed' end where id = $1`, [toggled]);
    };
    const latency = new Map<number, { s: Summary; afterAck: Summary; missing: number; fanout: Summary }>();
    const writes = new Samples();
    for (const n of watcherCounts) {
      const procs = await clients.connect(server.baseUrl, n, key);
      const all = new Samples();
      const afterAck = new Samples();
      const spans: number[] = [];
      let missing = 0;
      for (let r = 0; r < rounds + 3; r++) {
        let t0 = 0;
        let t1 = 0;
        const times = await clients.round(procs, async () => {
          t0 = hr();
          await toggle();
          t1 = hr();
        });
        if (!times) {
          missing++;
          continue;
        }
        if (r < 3) continue; // warm-up
        writes.add(t1 - t0);
        for (const t of times) {
          all.add(t - t0);
          afterAck.add(t - t1);
        }
        spans.push(Math.max(...times) - Math.min(...times));
        await new Promise((res) => setTimeout(res, 20));
      }
      latency.set(n, { s: all.summary(), afterAck: afterAck.summary(), missing, fanout: summarize(spans) });
      await clients.all({ t: 'disconnect' });
      console.log(`  ${n} watcher(s): p50 ${ms(all.summary().p50)} ms, p99 ${ms(all.summary().p99)} ms`);
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
        [salon.customers[b % salon.customers.length], k.stylistId, service.id, at(cell)]);
      const res = (await clients.call(b % clients.size, { t: 'reads', baseUrl: server.baseUrl, keys, count: 100, seed: b + 1 })) as { hits: number; n: number; stale: number };
      hits += res.hits;
      reads += res.n;
      readStale += res.stale;
    }
    const hitRatio = hits / reads;
    const socketStale = ((await clients.all({ t: 'stats' })) as { stale: number }[]).reduce((a, s) => a + s.stale, 0);

    // ── report ────────────────────────────────────────────────────────────────────────────────
    const ws = writes.summary();
    const rows: (string | number)[][] = [['bare NOTIFY round trip (floor)', floorS.n, ms(floorS.p50), ms(floorS.p99), '1.00×', '1.00×', '–', '–']];
    for (const [n, l] of latency) {
      rows.push([`commit → slots:update, ${n.toLocaleString('en-US')} watcher${n === 1 ? '' : 's'}`, l.s.n, ms(l.s.p50), ms(l.s.p99), ratio(l.s.p50 / floorS.p50), ratio(l.s.p99 / floorS.p99), ms(l.afterAck.p50), l.missing]);
    }
    console.log(heading('Commit to client (ms; ratios against the floor measured in this run)'));
    console.log('From the moment the writing statement is sent (for the floor: `select pg_notify(…)`; for the rest: one');
    console.log(`UPDATE of a booking's status, whose outbox triggers and commit took p50 ${ms(ws.p50)} ms, p99 ${ms(ws.p99)} ms of it)`);
    console.log('to the moment a client process receives the message. "after ack": from the writer\'s commit acknowledgement.\n');
    console.log(table(['path', 'deliveries', 'p50', 'p99', 'p50 / floor', 'p99 / floor', 'p50 after ack', 'rounds lost'], rows));
    console.log(heading('Fan-out: first to last delivery of one change (ms)'));
    console.log(table(['watchers of one key', 'changes', 'p50', 'p99', 'max'],
      [...latency].filter(([n]) => n > 1).map(([n, l]) => [n.toLocaleString('en-US'), l.fanout.n, ms(l.fanout.p50), ms(l.fanout.p99), ms(l.fanout.max)])));
    console.log(heading(`Memory per idle socket (${IDLE.toLocaleString('en-US')} sockets, server process, after GC${m1.gc ? '' : ' — GC unavailable!'})`));
    console.log(table(['measure', 'before', `with ${IDLE}`, 'per socket'], [
      ['heap used', mb(m0.heapUsed), mb(m1.heapUsed), kb(heapPer)],
      ['RSS', mb(m0.rss), mb(m1.rss), kb(rssPer)],
    ]));
    console.log(heading('Cache hit ratio and staleness'));
    console.log(table(['measure', 'value'], [
      [`REST reads (100 per booking, ${keys.length} keys, ${bookings} bookings)`, reads],
      ['cache hit ratio', pct(hitRatio)],
      ['stale answers (version lower than one already seen): sockets', socketStale],
      ['stale answers: REST readers', readStale],
    ]));

    const at1000 = latency.get(1000);
    const verdicts: Verdict[] = [];
    if (at1000) {
      verdicts.push(verdict('p50 commit → client, 1,000 watchers', at1000.s.p50, 5, false, (v) => `${ms(v)} ms`));
      verdicts.push(verdict('p99 commit → client, 1,000 watchers', at1000.s.p99, 25, false, (v) => `${ms(v)} ms`));
      verdicts.push(verdict('fan-out to 1,000 (p50 of changes)', at1000.fanout.p50, 50, false, (v) => `${ms(v)} ms`));
    }
    verdicts.push(verdict('heap per idle socket', heapPer / 1024, 15, false, (v) => `${v.toFixed(1)} KB`));
    verdicts.push(verdict('cache hit ratio', hitRatio * 100, 95, true, (v) => `${v.toFixed(1)}%`));
    verdicts.push(verdict('stale answers', socketStale + readStale, 0, false, (v) => String(v)));
    console.log(heading('Targets (issue 4)'));
    console.log(verdictTable(verdicts));

    clients.stop();
    await server.stop();
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
