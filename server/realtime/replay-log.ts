// The replay log: "send this socket what it missed since event N". History comes from the events
// table up to what this process has relayed; the last stretch (events relayed while reading) from
// a ring of the recent room messages, kept in event order. Slot lists are state and are not replayed.
import type { Metrics } from '../metrics.ts';
import type { Pool } from '../db/pool.ts';
import { parseEventRow, readReplayEvents, type RelayEvent } from './events.ts';
import { buildRoomMessages, type RoomMessage } from './messages.ts';
import { replayScopeOf } from './rooms.ts';
import type { ReplayTarget, ResyncReason } from './types.ts';

/**
 * The recent room messages, in event order. Every message of a recorded event with id > `floor`
 * is here: trimming drops whole events only, so the floor is always an event boundary.
 */
export class MessageRing {
  readonly #size: number;
  #messages: RoomMessage[] = [];
  #floor = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Events through this id are not in the ring: they are in the table (or predate the process). */
  get floor(): number {
    return this.#floor;
  }

  get length(): number {
    return this.#messages.length;
  }

  /** Starts the ring at the process's first event id (set once, before anything is recorded). */
  startAt(floor: number): void {
    this.#floor = floor;
  }

  /** Appends one delivered batch's messages (in event order), then trims to the size. */
  record(messages: readonly RoomMessage[]): void {
    for (const m of messages) this.#messages.push(m);
    const excess = this.#messages.length - this.#size;
    if (excess <= 0) return;
    let cut = excess;
    // Never split one event's messages: the floor is an event boundary.
    while (cut < this.#messages.length && this.#messages[cut].eventId === this.#messages[cut - 1].eventId) cut++;
    this.#floor = this.#messages[cut - 1].eventId;
    this.#messages.splice(0, cut);
  }

  /** Messages of events after `cursor` that pass `visible`, in order. */
  since(cursor: number, visible: (m: RoomMessage) => boolean): RoomMessage[] {
    return this.#messages.filter((m) => m.eventId > cursor && visible(m));
  }
}

/** What the replay needs of the feed. */
export interface ReplayFeed {
  readonly lastId: number | null;
  readonly closed: boolean;
  whenStarted(): Promise<void>;
  waitFor(id: number, timeoutMs: number): Promise<boolean>;
}

export interface ReplayLogOptions {
  pool: Pool;
  metrics: Pick<Metrics, 'replayEventRows' | 'replayBookings'>;
  feed: ReplayFeed;
  /** Events read per query, and built into messages per round. */
  batchSize: number;
  /** Recent room messages kept for replays that overlap live relaying. */
  ringSize: number;
}

/** Rounds of "read the table up to what is relayed" before the replay gives up (`behind`). */
const MAX_ROUNDS = 50;
/** How long a replay waits for this process to relay an event a client saw elsewhere. */
const CATCH_UP_WAIT_MS = 10_000;

export class ReplayLog {
  readonly #o: ReplayLogOptions;
  readonly #ring: MessageRing;

  constructor(opts: ReplayLogOptions) {
    this.#o = opts;
    this.#ring = new MessageRing(opts.ringSize);
  }

  /** The process's starting point (the feed's baseline): the ring holds what follows it. */
  startAt(lastId: number): void {
    this.#ring.startAt(lastId);
  }

  /** Keeps one delivered batch's messages; called in the same synchronous step as their emission. */
  record(messages: readonly RoomMessage[]): void {
    this.#ring.record(messages);
  }

  /**
   * Sends `target` the messages it may see after `from`, in order, then joins it to its rooms with
   * no gap and no duplicate: history comes from the events table up to what this process has
   * relayed, the last stretch (events relayed while reading) from the ring, and the join happens
   * synchronously after it, so every later event reaches the socket through its rooms. Only the
   * event kinds its rooms may receive are read (replayScopeOf), customer context is built only for
   * the bookings it may receive (and a customer's own bookings only in their own view), and at most `maxEvents` events are replayed: a client that missed
   * more gets `too_many` before anything is sent. Returns a resync reason when the replay is
   * impossible (the caller joins and sends `resync`).
   */
  async replay(from: number, target: ReplayTarget, maxEvents: number): Promise<ResyncReason | null> {
    const { feed, metrics, pool, batchSize } = this.#o;
    await feed.whenStarted();
    if (feed.closed) return 'behind';
    const { rows } = await pool.query<{ pruned_through: number; max_id: number }>(
      `select pruned_through, greatest(pruned_through, (select coalesce(max(id), 0) from events)) as max_id from events_retention`,
    );
    const pruned = Number(rows[0]?.pruned_through ?? 0);
    if (from < pruned) return 'pruned';
    if (from > Number(rows[0]?.max_id ?? 0)) return 'unknown_event';
    // The client saw an event this process has not relayed yet (it came from another process).
    if (from > feed.lastId! && !(await feed.waitFor(from, CATCH_UP_WAIT_MS))) return 'behind';

    const scope = replayScopeOf(target.rooms);
    // Customer context only for a socket of staff; the customer's own view only for theirs.
    const views = { staff: scope.bookings === 'all' || scope.bookings.length > 0, own: scope.customer !== null };
    const visible = (m: RoomMessage) => m.rooms.some((r) => target.rooms.has(r));
    let cursor = from;
    /** Events counted against maxEvents so far (rows read, each at most one message). */
    let counted = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!target.connected || feed.closed) return null;
      if (this.#ring.floor <= cursor) {
        const last = this.#ring.since(cursor, visible);
        if (counted + new Set(last.map((m) => m.eventId)).size > maxEvents) return 'too_many';
        for (const m of last) target.send(m);
        target.join();
        return null;
      }
      // Read everything of this round first (at most one more row than the budget), so a client
      // beyond the cap is told before it is sent anything.
      const through = feed.lastId!;
      const events: RelayEvent[] = [];
      let read = 0;
      for (let at = cursor; at < through;) {
        const limit = Math.min(batchSize, maxEvents - counted - read + 1);
        const batch = await readReplayEvents(pool, scope, at, through, limit);
        read += batch.length;
        metrics.replayEventRows.inc(batch.length);
        if (counted + read > maxEvents) return 'too_many';
        for (const row of batch) {
          const p = parseEventRow(row);
          if (p.ok) events.push(p.event);
        }
        if (batch.length < limit) break;
        at = batch[batch.length - 1].id;
      }
      counted += read;
      for (let i = 0; i < events.length; i += batchSize) {
        const chunk = events.slice(i, i + batchSize);
        metrics.replayBookings.inc(
          new Set(chunk.flatMap((e) => (e.kind === 'booking.created' || e.kind === 'booking.updated' ? [e.entityId] : []))).size,
        );
        const messages = await buildRoomMessages(pool, chunk, views);
        if (!target.connected) return null;
        for (const m of messages) if (visible(m)) target.send(m);
      }
      cursor = through;
    }
    return 'behind';
  }
}
