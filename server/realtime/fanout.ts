// Fan-out of live messages to rooms. A message is encoded once, and its WebSocket frame built once,
// when it is emitted; then it is written to each socket of its rooms. A socket on the WebSocket
// transport with nothing queued in Engine.IO gets the frame written straight to its connection (one
// write, no per-socket packet objects or events: socket-delivery.ts); any other socket (long
// polling, mid-upgrade, a backlog) gets it through Engine.IO as io.to().emit would, so nothing
// overtakes what Engine.IO holds for it.
// A target larger than the chunk size is written in chunks of sockets, with setImmediate between
// chunks, so an HTTP request arriving during a push to a room of thousands waits for one chunk, not
// all of it. Ordering is kept per socket: every emit goes through one FIFO queue, so nothing
// overtakes a chunked message (a later update of a key, or a later event's message to another room
// the socket is in). Recipients are fixed when the message is emitted, as with io.to().emit: a
// socket that joins a room afterwards (after a replay that already sent it the message) does not get
// it twice. Small targets with nothing queued go out at once.
import type { ServerToClientEvents } from '../contract/socket.ts';
import { encodeEvent, writeEncoded, type Encoded } from './socket-delivery.ts';
import type { IoServer } from './types.ts';

type Events = ServerToClientEvents;
type EventName = keyof Events;

interface Job {
  ids: string[];
  /** Next id to send. */
  at: number;
  message: Encoded;
}

/** What the relay emits through: `fanout.to(rooms).emit(event, payload)`, like io.to(rooms).emit. */
export interface Broadcast {
  emit<E extends EventName>(event: E, payload: Parameters<Events[E]>[0]): void;
}

/** Deliveries so far, by path (the benchmark and tests read them). */
export interface FanoutCounts {
  /** Messages encoded (one per emit that had anyone to reach). */
  encoded: number;
  /** Written straight to a WebSocket connection. */
  direct: number;
  /** Handed to Engine.IO (another transport, or something already queued for that socket). */
  engine: number;
}

export class Fanout {
  readonly #io: IoServer;
  readonly #chunk: number;
  readonly #queue: Job[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  #closed = false;
  readonly counts: FanoutCounts = { encoded: 0, direct: 0, engine: 0 };

  constructor(io: IoServer, opts: { chunkSize: number }) {
    this.#io = io;
    this.#chunk = Math.max(1, Math.floor(opts.chunkSize));
  }

  /** Sockets still to be sent a queued message (0: nothing queued). */
  get queued(): number {
    let n = 0;
    for (const j of this.#queue) n += j.ids.length - j.at;
    return n;
  }

  to(rooms: string | readonly string[]): Broadcast {
    return { emit: (event, payload) => this.#emit(typeof rooms === 'string' ? [rooms] : rooms, event, payload) };
  }

  /** Drops what is queued (the sockets are being disconnected). */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = null;
  }

  #emit(rooms: readonly string[], event: EventName, payload: unknown): void {
    if (this.#closed) return;
    const members = this.#io.of('/').adapter.rooms;
    // One room (the usual case) needs no union; several are merged so a socket in two gets it once.
    let ids: Iterable<string>;
    let n: number;
    if (rooms.length === 1) {
      const set = members.get(rooms[0]);
      ids = set ?? [];
      n = set?.size ?? 0;
    } else {
      const union = new Set<string>();
      for (const r of rooms) for (const id of members.get(r) ?? []) union.add(id);
      ids = union;
      n = union.size;
    }
    // Nobody here (a customer's room while they are offline, the usual case): nothing to encode.
    if (n === 0) return;
    const message = encodeEvent(this.#io, event, payload);
    this.counts.encoded++;
    if (this.#queue.length === 0 && n <= this.#chunk) {
      this.#write(ids, message);
      return;
    }
    this.#queue.push({ ids: [...ids], at: 0, message });
    if (this.#queue.length === 1) this.#pump();
  }

  /** Sends one chunk of the oldest message; the rest follow on later turns of the event loop. */
  #pump(): void {
    this.#scheduled = null;
    const job = this.#queue[0];
    if (!job) return;
    const end = Math.min(job.at + this.#chunk, job.ids.length);
    const ids = job.ids.slice(job.at, end);
    job.at = end;
    if (job.at >= job.ids.length) this.#queue.shift();
    this.#write(ids, job.message);
    if (this.#queue.length > 0) this.#scheduled = setImmediate(() => this.#pump());
  }

  #write(ids: Iterable<string>, message: Encoded): void {
    const sockets = this.#io.of('/').sockets;
    for (const id of ids) {
      // A socket that has left since gets nothing.
      const socket = sockets.get(id);
      if (!socket) continue;
      if (writeEncoded(socket, message)) this.counts.direct++;
      else this.counts.engine++;
    }
  }
}
