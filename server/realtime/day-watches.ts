// The month calendar kept live: `days:watch {stylistId | "any", serviceId}` joins the room of that
// pair; when a committed event changes slots, each watched pair it can touch (its stylist's, every
// `any` pair, every pair for a salon-wide change) gets `days:update` with the named dates as
// `available-days` answers them now (computed once per pair, from the cache the event has just
// invalidated). A change naming no dates (schedule, stylist) or more than a calendar shows sends
// `days: null`: read the range again. Like slot lists, these are state: never replayed.
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ANY_STYLIST, MAX_DAYS_SPAN } from '../contract/slots.ts';
import { daysWatchPayload, type AckFn, type DaysWatchResult } from '../contract/socket.ts';
import { AppError } from '../errors.ts';
import type { AnySlots } from '../slots/any.ts';
import type { AvailableDays } from '../slots/days.ts';
import { DateTime } from 'luxon';
import { slotEffectOf, type RelayEvent, type SlotEffect } from './events.ts';
import type { Fanout } from './fanout.ts';
import type { AppSocket } from './types.ts';

/** Pairs one socket may watch at once (a calendar watches one; a few tabs' worth of slack). */
export const MAX_DAY_WATCHES = 4;
/** Distinct pairs watched on one process: stylists × services, far more than a salon has. */
const MAX_PAIRS = 5000;

const roomOf = (stylistId: string, serviceId: string) => `d:${stylistId}|${serviceId}`;

interface Pair {
  stylistId: string;
  serviceId: string;
  sockets: number;
}

export interface DayWatchesOptions {
  log: Logger;
  days: AvailableDays;
  any: AnySlots;
  now: () => number;
}

export class DayWatches {
  readonly #o: DayWatchesOptions;
  readonly #pairs = new Map<string, Pair>();
  readonly #bySocket = new WeakMap<AppSocket, Set<string>>();

  constructor(opts: DayWatchesOptions) {
    this.#o = opts;
  }

  get size(): number {
    return this.#pairs.size;
  }

  async watch(socket: AppSocket, payload: unknown, ack: unknown): Promise<void> {
    const reply: AckFn<DaysWatchResult> = typeof ack === 'function' ? (ack as AckFn<DaysWatchResult>) : () => undefined;
    try {
      const p = parse(payload);
      const room = roomOf(p.stylistId, p.serviceId);
      const mine = this.#bySocket.get(socket) ?? new Set<string>();
      if (!mine.has(room)) {
        if (mine.size >= MAX_DAY_WATCHES) throw new AppError('RATE_LIMITED', `At most ${MAX_DAY_WATCHES} calendars per connection`);
        if (!this.#pairs.has(room) && this.#pairs.size >= MAX_PAIRS)
          throw new AppError('RATE_LIMITED', 'This server is watching too many calendars right now; try again shortly');
        // A pair that does not exist is refused like its REST answer (an unknown stylist or service).
        if (p.stylistId === ANY_STYLIST) await this.#o.any.roster(p.serviceId);
        else
          await this.#o.days.days(
            { stylistId: p.stylistId, serviceId: p.serviceId, from: todayIn('UTC', this.#o.now()), to: todayIn('UTC', this.#o.now()) },
            async () => {},
          );
        if (!socket.connected) throw new AppError('NOT_READY', 'Disconnected');
        mine.add(room);
        this.#bySocket.set(socket, mine);
        const pair = this.#pairs.get(room) ?? { stylistId: p.stylistId, serviceId: p.serviceId, sockets: 0 };
        pair.sockets++;
        this.#pairs.set(room, pair);
        void socket.join(room);
      }
      reply({ ok: true, data: { watching: mine.size } });
    } catch (err) {
      reply({ ok: false, error: err instanceof AppError ? { code: err.code, message: err.message } : internal(err, this.#o.log) });
    }
  }

  unwatch(socket: AppSocket, payload: unknown, ack: unknown): void {
    const reply: AckFn<DaysWatchResult> = typeof ack === 'function' ? (ack as AckFn<DaysWatchResult>) : () => undefined;
    try {
      const p = parse(payload);
      const room = roomOf(p.stylistId, p.serviceId);
      const mine = this.#bySocket.get(socket);
      if (mine?.delete(room)) {
        void socket.leave(room);
        this.#release(room);
      }
      reply({ ok: true, data: { watching: mine?.size ?? 0 } });
    } catch (err) {
      reply({ ok: false, error: err instanceof AppError ? { code: err.code, message: err.message } : internal(err, this.#o.log) });
    }
  }

  /** At disconnect. */
  forget(socket: AppSocket): void {
    for (const room of this.#bySocket.get(socket) ?? []) this.#release(room);
    this.#bySocket.delete(socket);
  }

  #release(room: string): void {
    const pair = this.#pairs.get(room);
    if (pair && --pair.sockets <= 0) this.#pairs.delete(room);
  }

  /** After a batch's invalidation: each watched pair the events touch gets its changed days. Never throws. */
  async batch(events: readonly RelayEvent[], fanout: Fanout | null): Promise<void> {
    if (this.#pairs.size === 0 || !fanout) return;
    const effects = events.map(slotEffectOf).filter((e): e is SlotEffect => e !== null);
    if (effects.length === 0) return;
    const tasks: Promise<void>[] = [];
    for (const [room, pair] of this.#pairs) {
      const touching = effects.filter((e) => e.stylistId === null || pair.stylistId === ANY_STYLIST || e.stylistId === pair.stylistId);
      if (touching.length === 0) continue;
      tasks.push(this.#push(fanout, room, pair, touching));
    }
    await Promise.all(tasks);
  }

  async #push(fanout: Fanout, room: string, pair: Pair, effects: SlotEffect[]): Promise<void> {
    const { stylistId, serviceId } = pair;
    try {
      const dates = await this.#datesToSend(effects);
      const days = dates === null ? null : dates.length === 0 ? [] : await this.#o.days.some(stylistId, serviceId, dates);
      if (days !== null && days.length === 0) return;
      fanout.to(room).emit('days:update', { stylistId, serviceId, days });
    } catch (err) {
      // A pair that no longer exists (the stylist left) just stops getting updates.
      if (!(err instanceof AppError)) this.#o.log.error({ err, room }, 'days:update failed');
    }
  }

  /** The dates worth sending: from yesterday on, at most a calendar's span; null when a change names no dates or too many. */
  async #datesToSend(effects: SlotEffect[]): Promise<string[] | null> {
    const zone = await this.#o.any.salonZone();
    const from = DateTime.fromMillis(this.#o.now(), { zone }).minus({ days: 2 }).toISODate()!;
    const set = new Set<string>();
    for (const e of effects) {
      if (e.dates === null) return null;
      for (const d of e.dates) {
        if (d < from) continue;
        set.add(d);
        if (set.size > MAX_DAYS_SPAN) return null;
      }
    }
    return [...set].sort();
  }
}

function parse(payload: unknown): z.infer<typeof daysWatchPayload> {
  const r = daysWatchPayload.safeParse(payload);
  if (!r.success) {
    throw new AppError(
      'INVALID_INPUT',
      'Some fields are missing or invalid: ' + r.error.issues.map((i) => `${i.path.join('.') || '(payload)'} ${i.message}`).join('; '),
    );
  }
  return r.data;
}

function internal(err: unknown, log: Logger) {
  log.error({ err }, 'days handler failed');
  return { code: 'INTERNAL' as const, message: 'Something went wrong on our side; please try again' };
}

const todayIn = (zone: string, nowMs: number) => DateTime.fromMillis(nowMs, { zone }).toISODate()!;
