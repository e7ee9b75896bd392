// Rows become wire objects here, and only here, for bookings and holds.
import type pg from 'pg';
import type { BookingDto, BookingStatus, BookingWithCustomerDto, HoldDto } from '../contract/bookings.ts';
import type { DeskBookingDto } from '../contract/desk.ts';
import { applyAttention, attentionOfBookings, withAttention } from './attention.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** A bookings row as selected with `BOOKING_COLUMNS`. */
export interface BookingRow {
  id: string;
  customer_id: string;
  stylist_id: string;
  service_id: string;
  start_at: Date;
  end_at: Date;
  occupied_until: Date;
  status: BookingStatus;
  price_cents: number;
  notes: string;
  created_at: Date;
}

export const BOOKING_COLUMNS = `b.id, b.customer_id, b.stylist_id, b.service_id, b.start_at, b.end_at, b.occupied_until,
  b.status, b.price_cents, b.notes, b.created_at`;

export function toBookingDto(r: BookingRow): BookingDto {
  return {
    id: r.id,
    customerId: r.customer_id,
    stylistId: r.stylist_id,
    serviceId: r.service_id,
    startUtc: r.start_at.toISOString(),
    endUtc: r.end_at.toISOString(),
    status: r.status,
    priceCents: r.price_cents,
    notes: r.notes,
    createdAt: r.created_at.toISOString(),
    // Derived on read where bookings are shown (./attention.ts); a new or moved booking is inside the hours.
    attention: null,
  };
}

export interface HoldRow {
  id: string;
  stylist_id: string;
  service_id: string;
  start_at: Date;
  end_at: Date;
  expires_at: Date;
}

export function toHoldDto(r: HoldRow): HoldDto {
  return {
    id: r.id,
    stylistId: r.stylist_id,
    serviceId: r.service_id,
    startUtc: r.start_at.toISOString(),
    endUtc: r.end_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  };
}

interface BookingWithCustomerRow extends BookingRow {
  customer_display_name: string;
  customer_notes: string;
  customer_has_safety_notes: boolean;
  visit_count: number;
  last_visit_at: Date | null;
  /** bigint, read as a number (server/db/pool.ts). */
  total_spent_cents: number;
  last_service_name: string | null;
  customer_phone: string | null;
  customer_email: string | null;
  customer_walk_in: boolean;
}

const CONTEXT_SQL = `
select ${BOOKING_COLUMNS},
  u.display_name as customer_display_name, u.notes as customer_notes, (u.safety_notes <> '') as customer_has_safety_notes,
  h.visit_count, h.last_visit_at, h.total_spent_cents, ls.name as last_service_name,
  u.phone as customer_phone, u.email as customer_email, u.walk_in as customer_walk_in
from bookings b
join users u on u.id = b.customer_id
cross join lateral (
  select count(*)::int as visit_count, max(p.start_at) as last_visit_at, coalesce(sum(p.price_cents), 0)::bigint as total_spent_cents
    from bookings p where p.customer_id = b.customer_id and p.status = 'completed'
) h
left join lateral (
  select sv.name from bookings p join services sv on sv.id = p.service_id
   where p.customer_id = b.customer_id and p.status = 'completed'
   order by p.start_at desc limit 1
) ls on true
where b.id = any($1::uuid[])
order by b.start_at, b.id`;

/**
 * Bookings with the customer context a stylist sees (docs/domain.md §7), in start order. The
 * history counts completed bookings salon-wide: the customer is the salon's, not one stylist's.
 * Safety notes are never included, only whether they exist. Unknown ids are skipped.
 */
export async function loadBookingsWithCustomerContext(db: Queryable, bookingIds: string[]): Promise<BookingWithCustomerDto[]> {
  return withAttention(db, await loadContextDtos(db, bookingIds));
}

/**
 * The same for the front desk: the customer context plus how to reach them (phone, e-mail) and
 * whether the record was made at the desk (docs/api.md "Front desk").
 */
export async function loadBookingsWithDeskContext(db: Queryable, bookingIds: string[]): Promise<DeskBookingDto[]> {
  return withAttention(db, await loadContextDtos(db, bookingIds, true));
}

async function loadContextDtos(db: Queryable, bookingIds: string[]): Promise<BookingWithCustomerDto[]>;
async function loadContextDtos(db: Queryable, bookingIds: string[], desk: true): Promise<DeskBookingDto[]>;
async function loadContextDtos(db: Queryable, bookingIds: string[], desk = false): Promise<BookingWithCustomerDto[]> {
  if (bookingIds.length === 0) return [];
  const { rows } = await db.query<BookingWithCustomerRow>(CONTEXT_SQL, [bookingIds]);
  return rows.map((r) => ({
    ...toBookingDto(r),
    customer: {
      id: r.customer_id,
      displayName: r.customer_display_name,
      visitCount: r.visit_count,
      lastVisitAt: r.last_visit_at ? r.last_visit_at.toISOString() : null,
      lastServiceName: r.last_service_name,
      totalSpentCents: r.total_spent_cents,
      notes: r.customer_notes,
      hasSafetyNotes: r.customer_has_safety_notes,
      ...(desk ? { phone: r.customer_phone, email: r.customer_email, walkIn: r.customer_walk_in } : {}),
    },
  }));
}

/**
 * The same bookings in the staff view (with customer context) and in their customer's own view
 * (what `GET /api/bookings/mine` answers), as asked, for the relay's live events: one attention pass
 * serves both. Unknown ids are skipped.
 */
export async function loadBookingViews(
  db: Queryable,
  bookingIds: string[],
  views: { staff: boolean; own: boolean },
): Promise<{ staff: BookingWithCustomerDto[]; own: BookingDto[] }> {
  if (bookingIds.length === 0) return { staff: [], own: [] };
  const [staff, own] = await Promise.all([
    views.staff ? loadContextDtos(db, bookingIds) : [],
    views.own
      ? db
          .query<BookingRow>(`select ${BOOKING_COLUMNS} from bookings b where b.id = any($1::uuid[])`, [bookingIds])
          .then((r) => r.rows.map(toBookingDto))
      : [],
  ]);
  const att = await attentionOfBookings(db, staff.length ? staff : own);
  return { staff: applyAttention(staff, att), own: applyAttention(own, att) };
}
