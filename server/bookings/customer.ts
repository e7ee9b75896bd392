// One customer, one chair at a time (docs/domain.md §5): a new hold or booking of a customer may not
// overlap their active bookings, nor their live hold with another stylist.
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { checkStart, type CheckedStart, type CheckRequest } from './check.ts';
import { ACTIVE_STATUSES_SQL } from './status.ts';
import { BOOKING_COLUMNS, toBookingDto, toHoldDto, type BookingRow, type HoldRow } from './present.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The exclusion constraint of sql/000009_customer_overlap.sql. */
export const CUSTOMER_OVERLAP_CONSTRAINT = 'bookings_customer_no_overlap';

/**
 * Advisory-lock namespace of per-customer write serialisation (beside STYLIST_LOCK_NS in check.ts).
 * Taken after the stylist's lock and before any row lock, in every transaction that takes both, so
 * two writers never wait on each other in opposite orders.
 */
export const CUSTOMER_LOCK_NS = 7412101;

/**
 * Serialises the holds and bookings of one customer until the transaction ends, whatever their
 * stylists: the overlap check below then sees every earlier write. Needs an open transaction.
 */
export async function lockCustomer(db: Queryable, customerId: string): Promise<void> {
  await db.query('select pg_advisory_xact_lock($1, hashtext($2))', [CUSTOMER_LOCK_NS, customerId]);
}

/** The appointment length of a service with a stylist (their own duration, else the service's), or null. */
export async function serviceMinutes(db: Queryable, stylistId: string, serviceId: string): Promise<number | null> {
  const { rows } = await db.query<{ minutes: number }>(
    `select coalesce(ss.duration_minutes, s.duration_minutes) as minutes
       from stylist_services ss join services s on s.id = ss.service_id
      where ss.stylist_id = $1 and ss.service_id = $2`,
    [stylistId, serviceId],
  );
  return rows[0]?.minutes ?? null;
}

export interface CustomerTime {
  customerId: string;
  /** The stylist of the new hold or booking: the customer's hold with them is replaced or consumed. */
  stylistId: string;
  startMs: number;
  endMs: number;
  nowMs: number;
  /** A booking being rescheduled: its own current time does not count. */
  excludeBookingId?: string;
}

/**
 * Throws 409 CUSTOMER_BUSY when [startMs, endMs) overlaps one of the customer's active bookings
 * (`details.booking`) or their live hold with another stylist (`details.hold`). Their hold with the
 * same stylist never blocks: a new hold replaces it and a booking consumes it. Only the appointment
 * counts, not the stylist's buffer after it. Call it under lockCustomer.
 */
export async function assertCustomerFree(db: Queryable, t: CustomerTime): Promise<void> {
  const start = new Date(t.startMs);
  const end = new Date(t.endMs);
  const booking = await overlappingBooking(db, t.customerId, start, end, t.excludeBookingId);
  if (booking) throw customerBusy({ booking: toBookingDto(booking) });
  const { rows } = await db.query<HoldRow>(
    `select id, stylist_id, service_id, start_at, end_at, expires_at from holds
      where customer_id = $1 and stylist_id <> $2 and expires_at > $3 and start_at < $5 and end_at > $4`,
    [t.customerId, t.stylistId, new Date(t.nowMs), start, end],
  );
  if (rows[0]) throw customerBusy({ hold: toHoldDto(rows[0]) });
}

/**
 * checkStart (check.ts), then the customer's own time (assertCustomerFree): an invalid start is
 * refused as such first, and when the time is taken by the customer's own booking the answer is
 * CUSTOMER_BUSY naming it rather than SLOT_TAKEN (or SLOT_HELD). Call it under lockStylist and lockCustomer.
 */
export async function checkCustomerStart(db: Queryable, req: CheckRequest & { excludeBookingId?: string }): Promise<CheckedStart> {
  const who = { customerId: req.customerId, stylistId: req.stylist.id, nowMs: req.nowMs, excludeBookingId: req.excludeBookingId };
  let c: CheckedStart;
  try {
    c = await checkStart(db, req);
  } catch (err) {
    if (err instanceof AppError && (err.code === 'SLOT_TAKEN' || err.code === 'SLOT_HELD')) {
      const minutes = await serviceMinutes(db, req.stylist.id, req.serviceId);
      if (minutes !== null) await assertCustomerFree(db, { ...who, startMs: req.startMs, endMs: req.startMs + minutes * 60_000 });
    }
    throw err;
  }
  await assertCustomerFree(db, { ...who, startMs: c.startMs, endMs: c.endMs });
  return c;
}

/**
 * The 409 for a violation of bookings_customer_no_overlap (a writer that skipped the check, such as
 * psql, committed between the check and the insert): names the booking that is in the way when it
 * can still be found.
 */
export async function customerBusyAfterViolation(
  db: Queryable,
  t: { customerId: string; stylistId: string; serviceId: string; startMs: number },
): Promise<AppError> {
  const minutes = (await serviceMinutes(db, t.stylistId, t.serviceId)) ?? 0;
  const booking = await overlappingBooking(
    db,
    t.customerId,
    new Date(t.startMs),
    new Date(t.startMs + Math.max(minutes, 1) * 60_000),
    undefined,
  );
  return customerBusy(booking ? { booking: toBookingDto(booking) } : {});
}

async function overlappingBooking(
  db: Queryable,
  customerId: string,
  start: Date,
  end: Date,
  excludeId: string | undefined,
): Promise<BookingRow | null> {
  const { rows } = await db.query<BookingRow>(
    `select ${BOOKING_COLUMNS} from bookings b
      where b.customer_id = $1 and b.status in (${ACTIVE_STATUSES_SQL})
        and b.start_at < $3 and b.end_at > $2 and b.id is distinct from $4::uuid
      order by b.start_at limit 1`,
    [customerId, start, end, excludeId ?? null],
  );
  return rows[0] ?? null;
}

function customerBusy(details: object): AppError {
  return new AppError('CUSTOMER_BUSY', 'You already have an appointment or a hold at that time', details);
}
