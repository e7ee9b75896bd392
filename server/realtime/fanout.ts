// Fan-out of live messages to rooms. `io.to(room).emit` encodes the packet once, then writes it to
// every socket of the room in one synchronous loop (~17 µs a socket): during a push to a room of
// thousands, an HTTP request that arrives waits for all of it. So a target larger than the chunk
// size is sent in chunks of socket ids (still one encoding per chunk), with setImmediate between
// chunks. Ordering is kept per socket: every emit goes through one FIFO queue, so nothing overtakes
// a chunked message (a later update of a key, or a later event's message to another room the socket
// is in). Recipients are fixed when the message is emitted, as with io.to().emit: a socket that
// joins a room afterwards (after a replay that already sent it the message) does not get it twice.
// Small targets with nothing queued go out at once, exactly as io.to().emit.
import type { ServerToClientEvents } from '../contract/socket.ts';
import type { IoServer } from './types.ts';

type Events = ServerToClientEvents;
type EventName = keyof Events;

interface Job {
  ids: string[];
  /** Next id to send. */
  at: number;
  event: EventName;
  payload: unknown;
}

/** What the relay emits through: `fanout.to(rooms).emit(event, payload)`, like io.to(rooms).emit. */
export interface Broadcast {
  emit<E extends EventName>(event: E, payload: Parameters<Events[E]>[0]): void;
}

export class Fanout {
  readonly #io: IoServer;
  readonly #chunk: number;
  readonly #queue: Job[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  #closed = false;

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
    if (this.#queue.length === 0) {
      let n = 0;
      for (const r of rooms) n += members.get(r)?.size ?? 0;
      // Nobody here (a customer's room while they are offline, the usual case): nothing to encode.
      if (n === 0) return;
      if (n <= this.#chunk) {
        this.#send([...rooms], event, payload);
        return;
      }
    }
    const ids = new Set<string>();
    for (const r of rooms) for (const id of members.get(r) ?? []) ids.add(id);
    if (ids.size === 0) return;
    this.#queue.push({ ids: [...ids], at: 0, event, payload });
    if (this.#queue.length === 1) this.#pump();
  }

  /** Sends one chunk of the oldest message; the rest follow on later turns of the event loop. */
  #pump(): void {
    this.#scheduled = null;
    const job = this.#queue[0];
    if (!job) return;
    const ids = job.ids.slice(job.at, job.at + this.#chunk);
    job.at += ids.length;
    if (job.at >= job.ids.length) this.#queue.shift();
    // Each socket is in the room named by its id; one that has left since gets nothing.
    this.#send(ids, job.event, job.payload);
    if (this.#queue.length > 0) this.#scheduled = setImmediate(() => this.#pump());
  }

  #send(rooms: string[], event: EventName, payload: unknown): void {
    (this.#io.to(rooms) as unknown as { emit(event: string, payload: unknown): unknown }).emit(event, payload);
  }
}
