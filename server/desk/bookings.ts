// Bookings made at the front desk, for an existing customer or a walk-in (docs/domain.md §7): the
// same engine checks, locks and constraints as online, except that the desk may book inside the
// minimum notice and, with a stated reason, outside the working hours.
import type { Actor } from '../actor.ts';
import { audit } from '../audit.ts';
import type { DeskBookingBody, DeskBookingDto, WalkInCustomer } from '../contract/desk.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import type { SlotService } from '../slots/service.ts';
import { loadStylist, lockStylist } from '../bookings/check.ts';
import { checkCustomerStart, CUSTOMER_OVERLAP_CONSTRAINT, customerBusyAfterViolation, lockCustomer } from '../bookings/customer.ts';
import { BOOKING_COLUMNS, loadBookingsWithDeskContext, type BookingRow } from '../bookings/present.ts';
import { releaseOwnHold } from '../bookings/service.ts';

export interface DeskBookingsDeps {
  pool: Pool;
  slots: SlotService;
  /** The clock (injected; tests fake it). */
  now: () => number;
}

export class DeskBookings {
  #pool: Pool;
  #slots: SlotService;
  #now: () => number;

  constructor(deps: DeskBookingsDeps) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
    this.#now = deps.now;
  }

  /**
   * POST /api/desk/bookings: in one transaction under the stylist's lock (then the customer's), a
   * walk-in's customer record is made, the start checked by the engine and the customer rule, the
   * booking inserted and audited (`booking.create`, `via: 'desk'`). A refused request writes nothing.
   */
  async create(user: Actor, body: DeskBookingBody): Promise<DeskBookingDto> {
    const startMs = Date.parse(body.startUtc);
    const nowMs = this.#now();
    let customerId = body.customerId ?? null;
    let bookingId: string;
    try {
      bookingId = await withOutbox(this.#pool, this.#slots, async (db) => {
        const stylist = await loadStylist(db, body.stylistId);
        await lockStylist(db, stylist.id);
        customerId = body.walkIn ? await createWalkIn(db, body.walkIn) : await requireCustomer(db, body.customerId!);
        await lockCustomer(db, customerId);
        const c = await checkCustomerStart(db, {
          stylist,
          serviceId: body.serviceId,
          startMs,
          customerId,
          nowMs,
          desk: { force: body.force ?? false },
        });
        const { rows } = await db.query<BookingRow>(
          `insert into bookings as b (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, status, price_cents, notes)
           values ($1, $2, $3, $4, $5, $6, 'confirmed', $7, $8)
           returning ${BOOKING_COLUMNS}`,
          [
            customerId,
            stylist.id,
            body.serviceId,
            new Date(c.startMs),
            new Date(c.endMs),
            new Date(c.occupiedUntilMs),
            c.settings.priceCents,
            body.notes ?? '',
          ],
        );
        // A hold of this customer on this time (they were booking online while calling) is consumed.
        await releaseOwnHold(db, customerId, stylist.id, c.startMs, c.occupiedUntilMs, undefined);
        await audit(db, {
          actorId: user.id,
          action: 'booking.create',
          target: `booking:${rows[0].id}`,
          details: {
            via: 'desk',
            stylistId: stylist.id,
            customerId,
            startUtc: rows[0].start_at.toISOString(),
            ...(body.walkIn ? { walkIn: true } : {}),
            ...(body.force ? { force: true, forceReason: body.forceReason, outsideHours: c.forced === true } : {}),
          },
        });
        return rows[0].id;
      });
    } catch (err) {
      if ((err as { code?: string }).code !== '23P01') throw err;
      // A writer that skipped the locks (psql) committed between the check and the insert.
      if ((err as { constraint?: string }).constraint === CUSTOMER_OVERLAP_CONSTRAINT && customerId !== null)
        throw await customerBusyAfterViolation(this.#pool, { customerId, stylistId: body.stylistId, serviceId: body.serviceId, startMs });
      throw new AppError('SLOT_TAKEN', 'That time was just taken by another booking', { alternatives: [] });
    }
    return (await loadBookingsWithDeskContext(this.#pool, [bookingId]))[0];
  }
}

/** An existing customer account (a staff account is not a customer: 404 like an unknown id). */
async function requireCustomer(db: PoolClient, id: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`select id from users where id = $1 and role = 'customer'`, [id]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'No such customer');
  return rows[0].id;
}

/**
 * A customer record without a password (it cannot log in; registering with its e-mail claims it).
 * An e-mail that already has an account is refused: the desk books that customer by id instead.
 */
async function createWalkIn(db: PoolClient, w: WalkInCustomer): Promise<string> {
  if (w.email !== undefined) {
    const { rows } = await db.query<{ id: string; role: string }>('select id, role from users where email = $1', [w.email]);
    if (rows[0])
      throw new AppError(
        'CONFLICT',
        'A customer with this e-mail already exists: book them by customerId',
        rows[0].role === 'customer' ? { customerId: rows[0].id } : undefined,
      );
  }
  const { rows } = await db.query<{ id: string }>(
    `insert into users (email, password_hash, display_name, phone, role, walk_in) values ($1, null, $2, $3, 'customer', true) returning id`,
    [w.email ?? null, w.name, w.phone ?? null],
  );
  return rows[0].id;
}
