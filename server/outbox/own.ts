// Read-your-writes for a process's own writes, through the relay's rule: a writer reads the events
// its transaction recorded (the triggers wrote them; their public id is sealed only at commit) just
// before COMMIT, and after COMMIT applies their slot effects to this process's cache, as the relay
// will apply them again when it relays the same events (harmlessly; it still refreshes watchers).
import type pg from 'pg';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.ts';
import { applyEffect, slotEffect, type Invalidates, type SlotEffect } from './effects.ts';

export interface OwnEvent {
  kind: string;
  stylist_id: string | null;
  dates: string[] | null;
}

// `_if_assigned`: a transaction that wrote nothing has no id yet, recorded no event, and is not
// given one by asking. `dates::text[]`: local dates stay strings.
const OWN_EVENTS_SQL = `
  select kind, stylist_id, dates::text[] as dates
    from events
   where txid = pg_current_xact_id_if_assigned()
   order by row_id`;

/** The events the current transaction has recorded so far, in order. */
export async function readOwnEvents(db: Pick<pg.ClientBase, 'query'>): Promise<OwnEvent[]> {
  const { rows } = await db.query<OwnEvent>(OWN_EVENTS_SQL);
  return rows;
}

/** The slot effects of the current transaction's events. */
export async function readOwnEffects(db: Pick<pg.ClientBase, 'query'>): Promise<SlotEffect[]> {
  const effects: SlotEffect[] = [];
  for (const e of await readOwnEvents(db)) {
    const effect = slotEffect(e.kind, e.stylist_id, e.dates);
    if (effect) effects.push(effect);
  }
  return effects;
}

/**
 * Runs `fn` in a transaction and, once it has committed, drops from `slots` exactly the entries its
 * events invalidate, before the caller answers: the writer's next read sees its write.
 */
export async function withOutbox<T>(pool: Pool, slots: Invalidates, fn: (db: PoolClient) => Promise<T>): Promise<T> {
  let effects: SlotEffect[] = [];
  const result = await withTransaction(pool, async (db) => {
    const r = await fn(db);
    effects = await readOwnEffects(db);
    return r;
  });
  for (const e of effects) applyEffect(slots, e);
  return result;
}
