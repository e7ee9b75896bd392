import type { Actor } from '../actor.ts';
import { audit } from '../audit.ts';
import type { BookingDto, BookingStatus, CreateBookingBody, CreateHoldBody, HoldDto } from '../contract/bookings.ts';
import { isDesk } from '../contract/enums.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { sha256Url } from '../hash.ts';
import { withOutbox } from '../outbox/own.ts';
import type { SlotService } from '../slots/service.ts';
import { withAttention } from './attention.ts';
import { checkStart, loadStylist, lockStylist, type StylistRow } from './check.ts';
import { checkCustomerStart, CUSTOMER_OVERLAP_CONSTRAINT, customerBusyAfterViolation, lockCustomer } from './customer.ts';
import { BOOKING_COLUMNS, toBookingDto, toHoldDto, type BookingRow, type HoldRow } from './present.ts';
import { holdExpiry } from './series.ts';
import { refusedTransition, TRANSITIONS } from './status.ts';

export interface BookingServiceDeps {
  pool: Pool;
  slots: SlotService;
  /** The clock (injected; tests fake it). Hold expiry and the timing rules use it. */
  now: () => number;
  holdMinutes: number;
  /** HOLD_RENEWAL_WINDOW_MINUTES: how long a customer's holds on one time count as one series. */
  holdRenewalWindowMinutes: number;
}

interface LockedBooking extends BookingRow {
  stylist_user_id: string;
  timezone: string;
  buffer_minutes: number;
  idempotency_fingerprint: string | null;
}

/**
 * Extra work inside the transaction of a change to one booking, run right after the booking's row
 * is locked (a manage link records its one use here, so a second use waits and is refused).
 */
export type BookingTxHook = (db: PoolClient, bookingId: string) => Promise<void>;

/** Who a user acts as on a booking they can see. */
type BookingParty = 'customer' | 'stylist' | 'desk';

const SELF_BOOKING = 'A stylist cannot book themselves';

/**
 * Holds and bookings (docs/api.md "Holds and bookings"; docs/domain.md §5, §6). Every write that touches
 * availability runs in one transaction under the stylist's advisory lock, re-checks the start with
 * the slot engine, and leaves the exclusion constraint as the last line.
 */
export class BookingService {
  #pool: Pool;
  #slots: SlotService;
  #now: () => number;
  #holdMs: number;
  #windowMs: number;

  constructor(deps: BookingServiceDeps) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
    this.#now = deps.now;
    this.#holdMs = deps.holdMinutes * 60_000;
    this.#windowMs = deps.holdRenewalWindowMinutes * 60_000;
  }

  /**
   * POST /api/holds: one live hold per customer; a new one replaces the old in the same statement.
   * Its expiry comes from the customer's hold series on that time (series.ts): re-holding, however
   * the previous hold ended, never starts the clock again.
   */
  async createHold(user: Actor, body: CreateHoldBody): Promise<HoldDto> {
    const startMs = Date.parse(body.startUtc);
    const nowMs = this.#now();
    const row = await this.#write(body.stylistId, body.serviceId, startMs, user.id, async (db) => {
      const stylist = await loadStylist(db, body.stylistId);
      if (stylist.user_id === user.id) throw new AppError('FORBIDDEN', SELF_BOOKING);
      await lockStylist(db, stylist.id);
      await lockCustomer(db, user.id);
      const c = await checkCustomerStart(db, { stylist, serviceId: body.serviceId, startMs, customerId: user.id, nowMs });
      const expiresAt = await holdExpiry(db, {
        customerId: user.id,
        stylistId: stylist.id,
        startMs,
        nowMs,
        holdMs: this.#holdMs,
        windowMs: this.#windowMs,
      });
      const { rows } = await db.query<HoldRow>(
        `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (customer_id) do update set id = excluded.id, stylist_id = excluded.stylist_id,
           service_id = excluded.service_id, start_at = excluded.start_at, end_at = excluded.end_at,
           occupied_until = excluded.occupied_until, created_at = excluded.created_at, expires_at = excluded.expires_at
         returning id, stylist_id, service_id, start_at, end_at, expires_at`,
        [
          user.id,
          stylist.id,
          body.serviceId,
          new Date(startMs),
          new Date(c.endMs),
          new Date(c.occupiedUntilMs),
          expiresAt,
          new Date(nowMs),
        ],
      );
      if (isDesk(user.role))
        await audit(db, {
          actorId: user.id,
          action: 'hold.create',
          target: `hold:${rows[0].id}`,
          details: { stylistId: stylist.id, startUtc: body.startUtc },
        });
      return rows[0];
    });
    return toHoldDto(row);
  }

  /** GET /api/holds/mine: the caller's live holds (at most one), by the injected clock. */
  async listMyHolds(user: Actor): Promise<HoldDto[]> {
    const { rows } = await this.#pool.query<HoldRow>(
      `select id, stylist_id, service_id, start_at, end_at, expires_at from holds
        where customer_id = $1 and expires_at > $2 order by start_at`,
      [user.id, new Date(this.#now())],
    );
    return rows.map(toHoldDto);
  }

  /** DELETE /api/holds/:id: own hold only (the front desk any); another's answers 404 like a missing one. */
  async deleteHold(user: Actor, holdId: string): Promise<void> {
    await withOutbox(this.#pool, this.#slots, async (db) => {
      const { rows } = await db.query<{ customer_id: string }>(
        'delete from holds h where h.id = $1 and (h.customer_id = $2 or $3) returning h.customer_id',
        [holdId, user.id, isDesk(user.role)],
      );
      const h = rows[0];
      if (!h) throw new AppError('NOT_FOUND', 'No such hold');
      if (isDesk(user.role))
        await audit(db, { actorId: user.id, action: 'hold.delete', target: `hold:${holdId}`, details: { customerId: h.customer_id } });
    });
  }

  /**
   * POST /api/bookings, from a hold or a direct start. With an Idempotency-Key, a retry returns the
   * booking the first request made (`replayed`); the same key with a different request is refused.
   */
  async createBooking(
    user: Actor,
    body: CreateBookingBody,
    idempotencyKey?: string,
    /** The request as the client made it, when `body` names the stylist assigned for `"any"` (bookings/any.ts). */
    asRequested: CreateBookingBody = body,
  ): Promise<{ booking: BookingDto; replayed: boolean }> {
    const fingerprint = idempotencyKey === undefined ? null : fingerprintOf(asRequested);
    if (idempotencyKey !== undefined) {
      const prior = await this.#byIdempotencyKey(this.#pool, user.id, idempotencyKey, fingerprint!);
      if (prior) return { booking: prior, replayed: true };
    }
    const nowMs = this.#now();
    const notes = body.notes ?? '';
    let target: { stylistId: string; serviceId: string; startMs: number };
    if (body.holdId !== undefined) {
      const { rows } = await this.#pool.query<Pick<HoldRow, 'stylist_id' | 'service_id' | 'start_at'>>(
        'select stylist_id, service_id, start_at from holds where id = $1 and customer_id = $2',
        [body.holdId, user.id],
      );
      if (!rows[0]) throw await this.#missingHold(body.holdId, user.id, nowMs);
      target = { stylistId: rows[0].stylist_id, serviceId: rows[0].service_id, startMs: rows[0].start_at.getTime() };
    } else {
      target = { stylistId: body.stylistId!, serviceId: body.serviceId!, startMs: Date.parse(body.startUtc!) };
    }
    let result: { row: BookingRow } | { replay: BookingDto };
    try {
      result = await this.#write(target.stylistId, target.serviceId, target.startMs, user.id, async (db): Promise<typeof result> => {
        const stylist = await loadStylist(db, target.stylistId);
        if (stylist.user_id === user.id) throw new AppError('FORBIDDEN', SELF_BOOKING);
        await lockStylist(db, stylist.id);
        if (idempotencyKey !== undefined) {
          // A concurrent retry of the same request waited on the lock: answer what the first made.
          const replay = await this.#byIdempotencyKey(db, user.id, idempotencyKey, fingerprint!);
          if (replay) return { replay };
        }
        await lockCustomer(db, user.id);
        let noticeFromMs: number | undefined;
        if (body.holdId !== undefined) {
          const { rows } = await db.query<{ start_at: Date; expires_at: Date; created_at: Date }>(
            'select start_at, expires_at, created_at from holds where id = $1 and customer_id = $2 for update',
            [body.holdId, user.id],
          );
          const h = rows[0];
          // Replaced or released since it was read: it is gone.
          if (!h || h.start_at.getTime() !== target.startMs) throw new AppError('NOT_FOUND', 'No such hold');
          if (h.expires_at.getTime() <= nowMs) throw new AppError('HOLD_EXPIRED', 'The hold expired; pick the time again');
          // The notice was checked when the hold was made; it holds the slot until it expires. (A
          // live hold is at most HOLD_MINUTES old, whatever clock wrote its created_at.)
          noticeFromMs = Math.max(h.created_at.getTime(), nowMs - this.#holdMs);
        }
        const c = await checkCustomerStart(db, {
          stylist,
          serviceId: target.serviceId,
          startMs: target.startMs,
          customerId: user.id,
          nowMs,
          noticeFromMs,
        });
        const { rows } = await db.query<BookingRow>(
          `insert into bookings as b (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents, notes,
             idempotency_key, idempotency_fingerprint)
           values ($1, $2, $3, $4, $5, $6, 'confirmed', $7, $8, $9, $10)
           returning ${BOOKING_COLUMNS}`,
          [
            user.id,
            stylist.id,
            target.serviceId,
            new Date(c.startMs),
            new Date(c.endMs),
            new Date(c.occupiedUntilMs),
            c.settings.priceCents,
            notes,
            idempotencyKey ?? null,
            fingerprint,
          ],
        );
        // The customer's hold on this time (or the one confirmed) has served its purpose.
        await this.#releaseOwnHold(db, user.id, stylist, c.startMs, c.occupiedUntilMs, body.holdId);
        if (isDesk(user.role))
          await audit(db, {
            actorId: user.id,
            action: 'booking.create',
            target: `booking:${rows[0].id}`,
            details: { stylistId: stylist.id, startUtc: rows[0].start_at.toISOString() },
          });
        return { row: rows[0] };
      });
    } catch (err) {
      if (idempotencyKey !== undefined && (err as { constraint?: string }).constraint === 'bookings_idempotency_key') {
        const prior = await this.#byIdempotencyKey(this.#pool, user.id, idempotencyKey, fingerprint!);
        if (prior) return { booking: prior, replayed: true };
      }
      throw err;
    }
    if ('replay' in result) return { booking: result.replay, replayed: true };
    return { booking: toBookingDto(result.row), replayed: false };
  }

  /** GET /api/bookings/mine: newest first. */
  async listMine(user: Actor, limit: number): Promise<BookingDto[]> {
    const { rows } = await this.#pool.query<BookingRow>(
      `select ${BOOKING_COLUMNS} from bookings b where b.customer_id = $1 order by b.created_at desc, b.id desc limit $2`,
      [user.id, limit],
    );
    return withAttention(this.#pool, rows.map(toBookingDto));
  }

  /** POST /api/bookings/:id/cancel: customers only before the start; stylists and the front desk per the status machine. */
  async cancel(user: Actor, bookingId: string, reason: string | undefined, within?: BookingTxHook): Promise<BookingDto> {
    return this.#changeStatus(user, bookingId, 'cancelled', reason ?? null, ['customer', 'stylist', 'desk'], within);
  }

  /** POST /api/bookings/:id/status: the booking's stylist or the front desk (reception, admins). */
  async setStatus(user: Actor, bookingId: string, to: BookingStatus): Promise<BookingDto> {
    return this.#changeStatus(user, bookingId, to, null, ['stylist', 'desk']);
  }

  /**
   * POST /api/bookings/:id/reschedule: one UPDATE in place, so the booking never disappears and
   * never overlaps; the engine re-check ignores the booking's own current time. With `stylistId`
   * the booking moves to that stylist (who must offer the service; the same checks as booking with
   * them); both stylists are locked, in id order. The price agreed at booking stands.
   */
  async reschedule(user: Actor, bookingId: string, startUtc: string, toStylistId?: string, within?: BookingTxHook): Promise<BookingDto> {
    const startMs = Date.parse(startUtc);
    const nowMs = this.#now();
    const { rows: pre } = await this.#pool.query<Pick<BookingRow, 'stylist_id' | 'service_id' | 'customer_id'>>(
      'select stylist_id, service_id, customer_id from bookings where id = $1',
      [bookingId],
    );
    if (!pre[0]) throw new AppError('NOT_FOUND', 'No such booking');
    const targetId = toStylistId ?? pre[0].stylist_id;
    const row = await this.#write(targetId, pre[0].service_id, startMs, pre[0].customer_id, async (db) => {
      for (const id of [...new Set([pre[0].stylist_id, targetId])].sort()) await lockStylist(db, id);
      // The customer of a booking never changes: their lock is taken after the stylists', before the row lock.
      await lockCustomer(db, pre[0].customer_id);
      const b = await this.#lockBooking(db, user, bookingId);
      if (within) await within(db, b.id);
      const actor = actorOf(user, b);
      if (actor === 'stylist') throw new AppError('FORBIDDEN', 'Only the customer or the front desk can reschedule a booking');
      if (b.status !== 'pending' && b.status !== 'confirmed')
        throw new AppError('INVALID_TRANSITION', `A ${b.status} booking cannot be rescheduled`, { status: b.status });
      if (actor === 'customer' && nowMs >= b.start_at.getTime())
        throw new AppError('INVALID_TRANSITION', 'A booking can be rescheduled only before it starts');
      // Moved by someone else meanwhile: the stylist it was read with is no longer the one it has.
      if (b.stylist_id !== pre[0].stylist_id) throw new AppError('CONFLICT', 'The booking changed meanwhile; reload it');
      const moving = b.stylist_id !== targetId;
      const stylist: StylistRow = moving
        ? await loadStylist(db, targetId)
        : { id: b.stylist_id, user_id: b.stylist_user_id, timezone: b.timezone, buffer_minutes: b.buffer_minutes };
      if (moving && stylist.user_id === b.customer_id) throw new AppError('FORBIDDEN', SELF_BOOKING);
      const c = await checkCustomerStart(db, {
        stylist,
        serviceId: b.service_id,
        startMs,
        customerId: b.customer_id,
        nowMs,
        exclude: moving ? undefined : { startMs: b.start_at.getTime(), endMs: b.occupied_until.getTime() },
        excludeBookingId: b.id,
      });
      // A booking exempted from the customer rule by migration 000009 is checked again at its new time.
      const { rows } = await db.query<BookingRow>(
        `update bookings b set stylist_id = $5, start_at = $2, end_at = $3, occupied_until = $4, updated_at = now(), customer_overlap_exempt = false
          where b.id = $1 returning ${BOOKING_COLUMNS}`,
        [b.id, new Date(c.startMs), new Date(c.endMs), new Date(c.occupiedUntilMs), stylist.id],
      );
      await this.#releaseOwnHold(db, b.customer_id, stylist, c.startMs, c.occupiedUntilMs, undefined);
      if (isDesk(user.role)) {
        await audit(db, {
          actorId: user.id,
          action: 'booking.reschedule',
          target: `booking:${b.id}`,
          details: {
            from: b.start_at.toISOString(),
            to: rows[0].start_at.toISOString(),
            ...(moving ? { fromStylistId: b.stylist_id, toStylistId: stylist.id } : {}),
          },
        });
      }
      return rows[0];
    });
    return toBookingDto(row);
  }

  async #changeStatus(
    user: Actor,
    bookingId: string,
    to: BookingStatus,
    reason: string | null,
    allowed: BookingParty[],
    within?: BookingTxHook,
  ): Promise<BookingDto> {
    const nowMs = this.#now();
    const row = await withOutbox(this.#pool, this.#slots, async (db) => {
      const b = await this.#lockBooking(db, user, bookingId);
      if (within) await within(db, b.id);
      const actor = actorOf(user, b);
      if (!allowed.includes(actor))
        throw new AppError('FORBIDDEN', 'Only the booking\u2019s stylist or the front desk can change its status');
      const refused = refusedTransition(b.status, to, b.start_at.getTime(), nowMs);
      if (refused) throw new AppError('INVALID_TRANSITION', refused, { from: b.status, to, allowed: TRANSITIONS[b.status] });
      if (actor === 'customer' && nowMs >= b.start_at.getTime()) {
        throw new AppError('INVALID_TRANSITION', 'A booking can be cancelled only before it starts', { from: b.status, to });
      }
      const { rows } = await db.query<BookingRow>(
        `update bookings b set status = $2, cancel_reason = coalesce($3, b.cancel_reason), updated_at = now()
          where b.id = $1 returning ${BOOKING_COLUMNS}`,
        [b.id, to, reason],
      );
      // Every stylist status change and everything the front desk does is audited.
      if (actor !== 'customer' || isDesk(user.role)) {
        await audit(db, {
          actorId: user.id,
          action: 'booking.status',
          target: `booking:${b.id}`,
          details: { from: b.status, to, role: actor === 'desk' ? user.role : actor, ...(reason ? { reason } : {}) },
        });
      }
      return rows[0];
    });
    // A flagged booking whose status changes (started, say) stays flagged.
    return (await withAttention(this.#pool, [toBookingDto(row)]))[0];
  }

  /** The booking, row-locked, if `user` may see it (its customer, its stylist, the front desk); else 404. */
  async #lockBooking(db: PoolClient, user: Actor, bookingId: string): Promise<LockedBooking> {
    const { rows } = await db.query<LockedBooking>(
      `select ${BOOKING_COLUMNS}, b.idempotency_fingerprint, s.user_id as stylist_user_id, s.timezone, s.buffer_minutes
         from bookings b join stylists s on s.id = b.stylist_id
        where b.id = $1 for update of b`,
      [bookingId],
    );
    const b = rows[0];
    if (!b || !(isDesk(user.role) || b.customer_id === user.id || b.stylist_user_id === user.id)) {
      throw new AppError('NOT_FOUND', 'No such booking');
    }
    return b;
  }

  async #byIdempotencyKey(db: Pick<Pool, 'query'>, customerId: string, key: string, fingerprint: string): Promise<BookingDto | null> {
    const { rows } = await db.query<BookingRow & { idempotency_fingerprint: string | null }>(
      `select ${BOOKING_COLUMNS}, b.idempotency_fingerprint from bookings b where b.customer_id = $1 and b.idempotency_key = $2`,
      [customerId, key],
    );
    const b = rows[0];
    if (!b) return null;
    if (b.idempotency_fingerprint !== null && b.idempotency_fingerprint !== fingerprint) {
      throw new AppError('CONFLICT', 'This Idempotency-Key was used for a different booking request');
    }
    return toBookingDto(b);
  }

  /**
   * Why a customer's hold is not there: HOLD_EXPIRED when the outbox shows they made it and its
   * time ran out (the sweeper deletes expired holds, so the row itself is usually gone), else
   * NOT_FOUND exactly as for someone else's hold.
   */
  async #missingHold(holdId: string, customerId: string, nowMs: number): Promise<AppError> {
    const { rows } = await this.#pool.query(
      `select 1 from events where entity_id = $1 and kind = 'hold.created'
          and data->>'customerId' = $2::text and (data->>'expiresAt')::timestamptz <= $3 limit 1`,
      [holdId, customerId, new Date(nowMs)],
    );
    return rows.length ? new AppError('HOLD_EXPIRED', 'The hold expired; pick the time again') : new AppError('NOT_FOUND', 'No such hold');
  }

  async #releaseOwnHold(
    db: PoolClient,
    customerId: string,
    stylist: StylistRow,
    startMs: number,
    occupiedUntilMs: number,
    holdId: string | undefined,
  ): Promise<void> {
    await releaseOwnHold(db, customerId, stylist.id, startMs, occupiedUntilMs, holdId);
  }

  /**
   * Runs an availability write in a transaction, then invalidates what its events say it changed
   * (read-your-writes, see server/outbox/own.ts). An exclusion violation (another writer that did
   * not take the lock, e.g. psql) is still a 409 SLOT_TAKEN, with alternatives computed afresh.
   */
  async #write<T>(
    stylistId: string,
    serviceId: string,
    startMs: number,
    customerId: string | null,
    fn: (db: PoolClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await withOutbox(this.#pool, this.#slots, fn);
    } catch (err) {
      if ((err as { code?: string }).code !== '23P01') throw err;
      if ((err as { constraint?: string }).constraint === CUSTOMER_OVERLAP_CONSTRAINT && customerId !== null)
        throw await customerBusyAfterViolation(this.#pool, { customerId, stylistId, serviceId, startMs });
      let alternatives: unknown = [];
      try {
        const stylist = await loadStylist(this.#pool, stylistId);
        await checkStart(this.#pool, {
          stylist,
          serviceId,
          startMs,
          customerId: customerId ?? '00000000-0000-0000-0000-000000000000',
          nowMs: this.#now(),
        });
      } catch (e) {
        if (e instanceof AppError && (e.details as { alternatives?: unknown })?.alternatives)
          alternatives = (e.details as { alternatives: unknown }).alternatives;
      }
      throw new AppError('SLOT_TAKEN', 'That time was just taken by another booking', { alternatives });
    }
  }
}

function actorOf(user: Actor, b: { customer_id: string; stylist_user_id: string }): BookingParty {
  if (b.customer_id === user.id) return 'customer';
  if (b.stylist_user_id === user.id) return 'stylist';
  return 'desk';
}

/** What a booking request asked for, so an Idempotency-Key cannot be reused for another request. */
function fingerprintOf(body: CreateBookingBody): string {
  const what =
    body.holdId !== undefined
      ? { holdId: body.holdId, notes: body.notes ?? '' }
      : { stylistId: body.stylistId, serviceId: body.serviceId, startMs: Date.parse(body.startUtc!), notes: body.notes ?? '' };
  return sha256Url(JSON.stringify(what));
}

/**
 * Deletes the customer's hold when it is `holdId` or overlaps the new appointment on this stylist,
 * and ends their hold series on the booked time: holding was for booking, and it is booked (a
 * customer who later cancels may hold that time again like anyone else).
 */
export async function releaseOwnHold(
  db: PoolClient,
  customerId: string,
  stylistId: string,
  startMs: number,
  occupiedUntilMs: number,
  holdId: string | undefined,
): Promise<void> {
  // One round trip: a data-modifying CTE runs whether or not its rows are used.
  await db.query(
    `with released as (
       delete from holds where customer_id = $1 and (id = $2 or (stylist_id = $3 and start_at < $5 and occupied_until > $4))
     )
     delete from hold_series where customer_id = $1 and stylist_id = $3 and start_at = $4`,
    [customerId, holdId ?? null, stylistId, new Date(startMs), new Date(occupiedUntilMs)],
  );
}
