import { DateTime } from 'luxon';
import { ANY_STYLIST } from '../contract/slots.ts';
import type { DayKey } from '../slots/cache.ts';
import { dayKeyString } from './rooms.ts';

export interface WatchedKey {
  key: DayKey;
  keyString: string;
  /** Display zone ('' = the stylist's) → sockets of this process watching in that zone. */
  zones: Map<string, number>;
  /** Highest version pushed to this key's rooms, so a watch ack never answers older than a push. */
  lastPushedVersion: number;
}

/**
 * The keys watched by this process's sockets, indexed by stylist so the relay finds the keys an
 * event touches without scanning. Reference-counted: socket.io owns room membership, this owns
 * "which keys need a fresh answer".
 */
export class WatchRegistry {
  #keys = new Map<string, WatchedKey>();
  #byStylist = new Map<string, Set<string>>();

  add(key: DayKey, zone: string): WatchedKey {
    const ks = dayKeyString(key);
    let w = this.#keys.get(ks);
    if (!w) {
      w = {
        key: { stylistId: key.stylistId, serviceId: key.serviceId, date: key.date },
        keyString: ks,
        zones: new Map(),
        lastPushedVersion: 0,
      };
      this.#keys.set(ks, w);
      let set = this.#byStylist.get(key.stylistId);
      if (!set) this.#byStylist.set(key.stylistId, (set = new Set()));
      set.add(ks);
    }
    w.zones.set(zone, (w.zones.get(zone) ?? 0) + 1);
    return w;
  }

  remove(keyString: string, zone: string): void {
    const w = this.#keys.get(keyString);
    if (!w) return;
    const n = (w.zones.get(zone) ?? 0) - 1;
    if (n > 0) w.zones.set(zone, n);
    else w.zones.delete(zone);
    if (w.zones.size === 0) {
      this.#keys.delete(keyString);
      const set = this.#byStylist.get(w.key.stylistId);
      set?.delete(keyString);
      if (set?.size === 0) this.#byStylist.delete(w.key.stylistId);
    }
  }

  get(keyString: string): WatchedKey | undefined {
    return this.#keys.get(keyString);
  }

  /** Watched keys of one stylist on the given dates (null: every date), or of everyone (stylistId null). */
  affected(stylistId: string | null, dates: readonly string[] | null): WatchedKey[] {
    const out: WatchedKey[] = [];
    const wanted = dates ? new Set(dates) : null;
    const consider = (w: WatchedKey) => {
      if (!wanted || wanted.has(w.key.date)) out.push(w);
    };
    if (stylistId === null) {
      for (const w of this.#keys.values()) consider(w);
    } else {
      for (const ks of this.#byStylist.get(stylistId) ?? []) consider(this.#keys.get(ks)!);
      // `any` days (salon-local dates) are unions over every stylist: a change to any stylist may
      // touch them, on the dates named or, for a stylist in another zone, the day either side.
      // Recomputing one that did not change pushes nothing (its version did not move).
      const near = wanted ? withNeighbours(wanted) : null;
      for (const ks of this.#byStylist.get(ANY_STYLIST) ?? []) {
        const w = this.#keys.get(ks)!;
        if (!near || near.has(w.key.date)) out.push(w);
      }
    }
    return out;
  }

  /** Distinct keys watched. */
  get size(): number {
    return this.#keys.size;
  }
}

function withNeighbours(dates: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const d of dates) {
    const t = DateTime.fromISO(d, { zone: 'UTC' });
    out
      .add(d)
      .add(t.minus({ days: 1 }).toISODate()!)
      .add(t.plus({ days: 1 }).toISODate()!);
  }
  return out;
}
