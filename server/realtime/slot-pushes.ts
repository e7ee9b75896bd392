// Slot pushes: what a committed event means for watchers. Its slot effect (server/outbox/effects.ts)
// invalidates the cache; each watched key it touches is recomputed once and rendered once per
// display zone, and pushed to that zone's room as `slots:update`. A notification that names its
// effect takes the fast path (invalidate and push before the row is read); the batch then skips
// what is done. Slot lists are state, not history: they are not replayed.
import type { Logger } from 'pino';
import type { SlotsUpdateReason } from '../contract/socket.ts';
import { ANY_STYLIST, type Slot } from '../contract/slots.ts';
import type { DayKey } from '../slots/cache.ts';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { applyEffect } from '../outbox/effects.ts';
import { render, type DayEntry, type SlotService } from '../slots/service.ts';
import type { Fanout } from './fanout.ts';
import { slotEffectOf, type RelayEvent, type SlotEffect } from './events.ts';
import { watchRoom } from './rooms.ts';
import type { WatchRegistry, WatchedKey } from './watches.ts';

/** A day composed elsewhere (the `any`-stylist union, server/slots/any.ts): its version, and its slots in a zone. */
export interface ComposedDay {
  version: number;
  slotsIn(zone: string, nowMs: number): Slot[];
}

export interface SlotPushesOptions {
  slots: SlotService;
  /** Computes watched `any` keys. */
  anyDay?: (key: DayKey) => Promise<ComposedDay>;
  watches: WatchRegistry;
  metrics: Pick<Metrics, 'slotUpdates'>;
  log: Logger;
}

interface Touch {
  w: WatchedKey;
  reason: SlotsUpdateReason;
  eventId: number;
}

const COMPUTE_CONCURRENCY = 16;
/** Fast-path events remembered until their row is read; beyond it the memory is dropped (the batch then redoes the work). */
const MAX_EARLY = 10_000;

const scopeOf = (e: SlotEffect) => `${e.stylistId}|${e.dates?.join(',') ?? '*'}`;

export class SlotPushes {
  readonly #o: SlotPushesOptions;
  #fanout: Fanout | null = null;
  #closed = false;
  /**
   * Events already invalidated (and their watchers refreshed) from their notification alone: id →
   * the scope it named. The batch skips the invalidation only when the row names the same scope,
   * so a forged notification on the channel can cost a refresh, never a stale entry.
   */
  readonly #early = new Map<number, string>();

  constructor(opts: SlotPushesOptions) {
    this.#o = opts;
  }

  setFanout(fanout: Fanout): void {
    this.#fanout = fanout;
  }

  close(): void {
    this.#closed = true;
  }

  /** The fast path: a notification named `effect` for event `id` (once per id until its row is read). */
  notice(id: number, effect: SlotEffect): void {
    if (this.#early.has(id)) return;
    if (this.#early.size > MAX_EARLY) this.#early.clear();
    this.#early.set(id, scopeOf(effect));
    applyEffect(this.#o.slots, effect);
    const touches = this.#o.watches.affected(effect.stylistId, effect.dates).map((w) => ({ w, reason: effect.reason, eventId: id }));
    if (touches.length === 0) return;
    // A failure here is not lost: the batch recomputes every key not yet pushed at this version.
    this.#computeAll(touches, (touch, entry) => {
      if (!this.#closed) this.#push(this.#fanout, touch, entry);
    }).catch((err: Error) => this.#o.log.debug({ err: err.message }, 'early refresh failed; the batch will redo it'));
  }

  /** Notifications seen so far no longer vouch for anything (the listener connected or dropped). */
  forgetNotices(): void {
    this.#early.clear();
  }

  /**
   * One batch of committed events: invalidates what each names (unless its notification already
   * did, for the same scope), then recomputes each touched watched key once (the last event's
   * reason wins) and pushes it as soon as it is ready. The invalidation is done when this returns.
   */
  batch(events: readonly RelayEvent[]): Promise<void> {
    const touched = new Map<string, Touch>();
    for (const ev of events) {
      const effect = slotEffectOf(ev);
      if (!effect) continue;
      const early = this.#early.get(ev.id);
      this.#early.delete(ev.id);
      if (early !== scopeOf(effect)) applyEffect(this.#o.slots, effect);
      for (const w of this.#o.watches.affected(effect.stylistId, effect.dates)) {
        touched.delete(w.keyString);
        touched.set(w.keyString, { w, reason: effect.reason, eventId: ev.id });
      }
    }
    const fanout = this.#fanout;
    // Keys the fast path already pushed at this version or later need nothing more.
    return this.#computeAll(
      [...touched.values()].filter((t) => t.w.lastPushedVersion < t.eventId),
      (touch, entry) => {
        if (!this.#closed) this.#push(fanout, touch, entry);
      },
    );
  }

  async #computeAll(touches: Touch[], done: (touch: Touch, entry: DayEntry | ComposedDay | null) => void): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < touches.length) {
        const touch = touches[next++];
        let entry: DayEntry | ComposedDay | null;
        try {
          const anyDay = touch.w.key.stylistId === ANY_STYLIST ? this.#o.anyDay : undefined;
          entry = anyDay ? await anyDay(touch.w.key) : (await this.#o.slots.day(touch.w.key)).entry;
        } catch (err) {
          // The stylist stopped offering the service, or left: watchers see an empty day.
          if (err instanceof AppError && err.code === 'NOT_FOUND') entry = null;
          else if (err instanceof RangeError) {
            // Data the engine cannot read (a zone Postgres accepts but ICU does not, say): one bad
            // day must not stall every other event. Its watchers keep their last answer.
            this.#o.log.error({ err: err.message, key: touch.w.keyString }, 'watched day cannot be computed; skipped');
            continue;
          } else throw err;
        }
        done(touch, entry);
      }
    };
    await Promise.all(Array.from({ length: Math.min(COMPUTE_CONCURRENCY, touches.length) }, worker));
  }

  /** One key's fresh answer to each of its zone rooms: computed once, rendered once per zone. */
  #push(fanout: Fanout | null, touch: Touch, entry: DayEntry | ComposedDay | null): void {
    const { watches, metrics, slots } = this.#o;
    const w = watches.get(touch.w.keyString);
    if (!w) return;
    const version = entry ? entry.version : touch.eventId;
    // Pushes of one key never go backwards, nor repeat a version (the fast path and the batch may
    // both compute a key; whichever is first pushes it).
    if (version <= w.lastPushedVersion) return;
    w.lastPushedVersion = version;
    const now = slots.now();
    const cached = entry && !('slotsIn' in entry) ? entry : null;
    const charged = cached?.bytes;
    for (const zone of w.zones.keys()) {
      const rendered = entry ? ('slotsIn' in entry ? entry.slotsIn(zone, now) : render(entry, zone, now).slots) : [];
      fanout?.to(watchRoom(w.keyString, zone)).emit('slots:update', {
        stylistId: w.key.stylistId,
        serviceId: w.key.serviceId,
        date: w.key.date,
        version,
        slots: rendered,
        reason: touch.reason,
      });
      metrics.slotUpdates.inc({ reason: touch.reason });
    }
    // Variants rendered here stay on the cached entry: the cache charges them.
    if (cached && cached.bytes !== charged) slots.cache.recharge(cached.key, cached);
  }
}
