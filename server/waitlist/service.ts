import type { Logger } from 'pino';
import type { Actor } from '../actor.ts';
import { checkCustomerStart, lockCustomer } from '../bookings/customer.ts';
import { lockStylist } from '../bookings/check.ts';
import { ANY_STYLIST } from '../contract/slots.ts';
import { MAX_WAITLIST_ENTRIES, type JoinWaitlistBody, type WaitlistEntryDto, type WaitlistOfferDto } from '../contract/waitlist.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import type { SalonSettings } from '../salon.ts';
import { addLocalDays } from '../slots/engine.ts';
import type { SlotService } from '../slots/service.ts';
import { bookableDates, freeStarts, rangeOf, stylistsFor, type FreeStart } from './match.ts';
import {
  ENTRY_COLUMNS,
  OFFER_COLUMNS,
  OFFER_OWN_COLUMNS,
  offerEventData,
  toEntryDto,
  toOfferDto,
  type EntryRow,
  type OfferRow,
} from './present.ts';
import { OfferQueue, type OfferScope } from './queue.ts';

/**
 * Called inside the transaction that makes an offer, after the offer's rows and before its
 * `waitlist.offered` event: the seam for messages (e-mail) that must be sent once per offer, and
 * never for an offer that rolled back.
 */
export type OfferHook = (db: PoolClient, offer: { offer: WaitlistOfferDto; customerId: string }) => Promise<void>;

export interface WaitlistServiceDeps {
  pool: Pool;
  slots: SlotService;
  salon: SalonSettings;
  log: Logger;
  /** The clock (injected; tests fake it): offers' expiry, "today", the slot checks. */
  now: () => number;
  /** WAITLIST_OFFER_MINUTES. */
  offerMinutes: number;
}

/** Waiting entries looked at by one offer pass (oldest first); the rest wait for the next event. */
const PASS_ENTRIES = 200;
/** Free starts tried per entry in one pass. */
const PASS_STARTS = 20;

/**
 * The live waitlist (docs/domain.md §12; docs/api.md "Waitlist"): customers join for a service on
 * a date; whenever committed events free time (the relay tells `noteEvents`), the first matching
 * waiter gets an offer: an exclusive hold on the time for WAITLIST_OFFER_MINUTES, decided in one
 * transaction under the stylist's lock, with one live offer per time enforced by a unique index.
 */
export class WaitlistService {
  readonly #o: WaitlistServiceDeps;
  readonly #offerMs: number;
  readonly #hooks: OfferHook[] = [];
  readonly #queue: OfferQueue;

  constructor(deps: WaitlistServiceDeps) {
    this.#o = deps;
    this.#offerMs = deps.offerMinutes * 60_000;
    this.#queue = new OfferQueue({ log: deps.log, run: (scope) => this.#pass(scope) });
  }

  /** Adds a hook run inside every offer's transaction (see OfferHook); returns its removal. */
  onOffered(hook: OfferHook): () => void {
    this.#hooks.push(hook);
    return () => {
      const i = this.#hooks.indexOf(hook);
      if (i >= 0) this.#hooks.splice(i, 1);
    };
  }

  /** The offer passes: the relay hands it every committed batch (`queue.noteEvents`); tests await `queue.idle()`. */
  get queue(): OfferQueue {
    return this.#queue;
  }

  /** POST /api/waitlist. */
  async join(user: Actor, body: JoinWaitlistBody): Promise<WaitlistEntryDto> {
    const { pool, slots, salon } = this.#o;
    const nowMs = this.#o.now();
    const stylistId = body.stylistId === ANY_STYLIST ? null : body.stylistId;
    const stylists = await stylistsFor(pool, body.serviceId, stylistId);
    if (stylists.length === 0) throw new AppError('NOT_FOUND', 'Unknown service, or the stylist does not offer it');
    if (stylists.some((s) => s.user_id === user.id)) throw new AppError('FORBIDDEN', 'A stylist cannot wait for themselves');
    const zone = await salon.timezone();
    const { today, last } = bookableDates(stylists, nowMs, zone);
    if (body.date < today) throw new AppError('IN_PAST', `That date has passed: the first date you can wait for is ${today}`, { today });
    if (last === null || body.date > last)
      throw new AppError('OUTSIDE_HOURS', `Bookings open up to ${last}: wait for a date up to then`, { lastDate: last });
    const range = rangeOf(body.date, body.from ?? null, body.to ?? null, zone);
    const free = await freeStarts(slots, stylists, body.serviceId, range, 5);
    if (free.length > 0) {
      throw new AppError('SLOTS_AVAILABLE', 'There are free times in that range: book one of them instead', {
        slots: free.map((f) => ({ stylistId: f.stylist.id, startUtc: new Date(f.startMs).toISOString() })),
      });
    }
    const row = await withOutbox(pool, slots, async (db) => {
      await lockCustomer(db, user.id);
      const { rows: n } = await db.query<{ n: number }>(
        `select count(*)::int as n from waitlist_entries where customer_id = $1 and status = 'waiting' and date >= $2`,
        [user.id, today],
      );
      if (n[0].n >= MAX_WAITLIST_ENTRIES)
        throw new AppError('WAITLIST_FULL', `You can wait for at most ${MAX_WAITLIST_ENTRIES} times at once; leave one first`, {
          max: MAX_WAITLIST_ENTRIES,
        });
      try {
        await db.query('savepoint waitlist_insert');
        const { rows } = await db.query<EntryRow>(
          `insert into waitlist_entries as e (customer_id, stylist_id, service_id, date, from_time, to_time)
           values ($1, $2, $3, $4, $5, $6) returning ${ENTRY_COLUMNS}`,
          [user.id, stylistId, body.serviceId, body.date, body.from ?? null, body.to ?? null],
        );
        return rows[0];
      } catch (err) {
        if ((err as { constraint?: string }).constraint === 'waitlist_entries_unique_waiting') {
          await db.query('rollback to savepoint waitlist_insert');
          throw new AppError('WAITLIST_DUPLICATE', 'You are already waiting for that');
        }
        throw err;
      }
    });
    return toEntryDto(row, undefined);
  }

  /** GET /api/waitlist/mine: the caller's waiting entries from today on, each with its live offer. */
  async listMine(user: Actor): Promise<WaitlistEntryDto[]> {
    const { today } = bookableDates([], this.#o.now(), await this.#o.salon.timezone());
    const { rows } = await this.#o.pool.query<EntryRow>(
      `select ${ENTRY_COLUMNS} from waitlist_entries e
        where e.customer_id = $1 and e.status = 'waiting' and e.date >= $2::date
        order by e.date, e.seq limit 100`,
      [user.id, today],
    );
    const offers = await this.#liveOffers(rows.map((r) => r.id));
    return rows.map((r) => toEntryDto(r, offers.get(r.id)));
  }

  /** DELETE /api/waitlist/:id: leave (own waiting entry only, else 404); a live offer is released. */
  async leave(user: Actor, entryId: string): Promise<void> {
    await withOutbox(this.#o.pool, this.#o.slots, async (db) => {
      const { rows } = await db.query(
        `update waitlist_entries set status = 'left', ended_at = now() where id = $1 and customer_id = $2 and status = 'waiting' returning id`,
        [entryId, user.id],
      );
      if (!rows[0]) throw new AppError('NOT_FOUND', 'No such waitlist entry');
      await this.#endOffer(db, entryId);
    });
  }

  /** POST /api/waitlist/:id/decline: "No thanks" to the live offer; the entry keeps waiting for other times. */
  async decline(user: Actor, entryId: string): Promise<WaitlistEntryDto> {
    const row = await withOutbox(this.#o.pool, this.#o.slots, async (db) => {
      const { rows } = await db.query<EntryRow>(
        `select ${ENTRY_COLUMNS} from waitlist_entries e where e.id = $1 and e.customer_id = $2 and e.status = 'waiting' for update`,
        [entryId, user.id],
      );
      if (!rows[0]) throw new AppError('NOT_FOUND', 'No such waitlist entry');
      if (!(await this.#endOffer(db, entryId))) throw new AppError('NOT_FOUND', 'No live offer for this entry');
      return rows[0];
    });
    return toEntryDto(row, undefined);
  }

  /** Marks the entry's live offer declined and releases its hold; false when it had none. */
  async #endOffer(db: PoolClient, entryId: string): Promise<boolean> {
    const { rows } = await db.query<{ hold_id: string }>(
      `update waitlist_offers set status = 'declined', ended_at = now() where entry_id = $1 and status = 'live' returning hold_id`,
      [entryId],
    );
    if (!rows[0]) return false;
    await db.query('delete from holds where id = $1', [rows[0].hold_id]);
    return true;
  }

  async #liveOffers(entryIds: string[]): Promise<Map<string, OfferRow>> {
    if (entryIds.length === 0) return new Map();
    const { rows } = await this.#o.pool.query<OfferRow>(
      `select ${OFFER_COLUMNS} from waitlist_offers o join stylists s on s.id = o.stylist_id
        where o.entry_id = any($1::uuid[]) and o.status = 'live'`,
      [entryIds],
    );
    return new Map(rows.map((o) => [o.entry_id, o]));
  }

  /**
   * One offer pass over the waiting entries an event batch may concern, oldest first: each gets the
   * earliest free matching time it has not been offered before, if any.
   */
  async #pass(scope: OfferScope): Promise<void> {
    const { pool, slots, salon } = this.#o;
    const nowMs = this.#o.now();
    const zone = await salon.timezone();
    const { today } = bookableDates([], nowMs, zone);
    const dates = scope.dates === null ? null : [...scope.dates].flatMap((d) => [addLocalDays(d, -1), d, addLocalDays(d, 1)]);
    const { rows: entries } = await pool.query<EntryRow>(
      `select ${ENTRY_COLUMNS} from waitlist_entries e
        where e.status = 'waiting' and e.date >= $1::date
          and not exists (select 1 from waitlist_offers o where o.entry_id = e.id and o.status = 'live')
          and (e.customer_id = any($4::uuid[]) or (
            ($2::date[] is null or e.date = any($2::date[]))
            and ($3::uuid[] is null or e.stylist_id = any($3::uuid[])
                 or (e.stylist_id is null and exists (
                   select 1 from stylist_services ss where ss.service_id = e.service_id and ss.stylist_id = any($3::uuid[]))))))
        order by e.seq limit ${PASS_ENTRIES}`,
      [today, dates, scope.stylists === null ? null : [...scope.stylists], [...scope.customers]],
    );
    for (const e of entries) {
      const stylists = await stylistsFor(pool, e.service_id, e.stylist_id);
      if (stylists.length === 0) continue;
      const free = await freeStarts(slots, stylists, e.service_id, rangeOf(e.date, e.from_time, e.to_time, zone), PASS_STARTS);
      for (const f of free) {
        const outcome = await this.#offer(e, f);
        if (outcome !== 'try-next') break;
      }
    }
  }

  /**
   * Offers `f` to entry `e` in one transaction under the stylist's and the customer's locks: the
   * entry still waiting without a live offer, its customer holding nothing live, the time never
   * offered to it before and still free for them (the engine's check, as for a hold). 'offered',
   * 'skip-entry' (the entry cannot take an offer now) or 'try-next' (this time is not for it).
   */
  async #offer(e: EntryRow, f: FreeStart): Promise<'offered' | 'skip-entry' | 'try-next'> {
    const nowMs = this.#o.now();
    try {
      const made = await withOutbox(this.#o.pool, this.#o.slots, async (db) => {
        await lockStylist(db, f.stylist.id);
        await lockCustomer(db, e.customer_id);
        const { rows: still } = await db.query(
          `select 1 from waitlist_entries e where e.id = $1 and e.status = 'waiting'
              and not exists (select 1 from waitlist_offers o where o.entry_id = e.id and o.status = 'live') for update`,
          [e.id],
        );
        if (!still[0]) return 'skip-entry' as const;
        // One hold per customer: a waiter holding a time right now (checking out, or another offer)
        // keeps that hold and is passed over for this time (docs/domain.md §12).
        await db.query('delete from holds where customer_id = $1 and expires_at <= $2', [e.customer_id, new Date(nowMs)]);
        const { rows: held } = await db.query('select 1 from holds where customer_id = $1', [e.customer_id]);
        if (held[0]) return 'skip-entry' as const;
        const { rows: before } = await db.query('select 1 from waitlist_offers where entry_id = $1 and stylist_id = $2 and start_at = $3', [
          e.id,
          f.stylist.id,
          new Date(f.startMs),
        ]);
        if (before[0]) return 'try-next' as const;
        const c = await checkCustomerStart(db, {
          stylist: f.stylist,
          serviceId: e.service_id,
          startMs: f.startMs,
          customerId: e.customer_id,
          nowMs,
        });
        const expiresAt = new Date(nowMs + this.#offerMs);
        const { rows: hold } = await db.query<{ id: string }>(
          `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
          [
            e.customer_id,
            f.stylist.id,
            e.service_id,
            new Date(c.startMs),
            new Date(c.endMs),
            new Date(c.occupiedUntilMs),
            expiresAt,
            new Date(nowMs),
          ],
        );
        const { rows: offer } = await db.query<OfferRow>(
          `insert into waitlist_offers as o (entry_id, customer_id, hold_id, stylist_id, service_id, start_at, end_at, expires_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           returning ${OFFER_OWN_COLUMNS}, $9::text as timezone`,
          [
            e.id,
            e.customer_id,
            hold[0].id,
            f.stylist.id,
            e.service_id,
            new Date(c.startMs),
            new Date(c.endMs),
            expiresAt,
            f.stylist.timezone,
          ],
        );
        const dto = toOfferDto(offer[0]);
        for (const hook of this.#hooks) await hook(db, { offer: dto, customerId: e.customer_id });
        await db.query(
          `insert into events (kind, stylist_id, dates, entity_id, data, customer_id) values ('waitlist.offered', null, '{}', $1, $2, $3)`,
          [dto.id, offerEventData(e.customer_id, dto), e.customer_id],
        );
        return 'offered' as const;
      });
      return made;
    } catch (err) {
      // Not free for this waiter after all (taken, held, outside the hours now, or they are busy then).
      if (err instanceof AppError) return 'try-next';
      // Another process offered it first (one live offer per time), or a writer without the lock took it.
      const code = (err as { code?: string }).code;
      if (code === '23505' || code === '23P01') return 'try-next';
      throw err;
    }
  }
}
