import { z } from 'zod';
import type { OverrideDto } from './admin.ts';
import { displayName, email } from './auth.ts';
import { bookingNotes, type BookingWithCustomerDto, type CustomerContext } from './bookings.ts';
import { instant, localDate, uuid } from './common.ts';

/** The front desk: the live all-stylist day, bookings for callers and walk-ins, customer search (docs/api.md "Front desk"). */

/** `GET /api/desk/calendar`: one salon-local date (default: today in the salon's zone). */
export const deskCalendarQuery = z.strictObject({ date: localDate.optional() });
export type DeskCalendarQuery = z.infer<typeof deskCalendarQuery>;

/** What the desk sees of a booking's customer: the stylist's context plus how to reach them. */
export interface DeskCustomerContext extends CustomerContext {
  phone: string | null;
  /** Null for a walk-in who left none. */
  email: string | null;
  /** A customer record made at the desk, without a password (claimable by registering with its e-mail). */
  walkIn: boolean;
}

export interface DeskBookingDto extends Omit<BookingWithCustomerDto, 'customer'> {
  customer: DeskCustomerContext;
}

/** A live hold as the desk sees it: whose it is stays private (the customer is mid-booking online). */
export interface DeskHoldDto {
  id: string;
  serviceId: string;
  startUtc: string;
  endUtc: string;
  expiresAt: string;
}

/** One stylist's column of the day. */
export interface DeskColumnDto {
  stylistId: string;
  displayName: string;
  timezone: string;
  /** Working windows after overrides (as the slot engine computes them); empty when off or closed. */
  windows: { startUtc: string; endUtc: string }[];
  /** Bookings starting on this date, every status (the desk marks arrivals and no-shows), by start. */
  bookings: DeskBookingDto[];
  holds: DeskHoldDto[];
  /** Overrides that apply to this stylist on this date (salon-wide ones included). */
  overrides: OverrideDto[];
}

export interface DeskCalendarDto {
  date: string;
  /** The salon's zone: the time axis is drawn in it. */
  timezone: string;
  /** Active stylists, by display name. */
  stylists: DeskColumnDto[];
  /** Waiting waitlist entries for this date. */
  waitlist: DeskWaitlistCountDto;
}

/** How many wait for a date: in all, and by the stylist they wait for (`any`: whoever offers the service). */
export interface DeskWaitlistCountDto {
  total: number;
  /** Stylist id (or `"any"`) → waiting entries; only those with some. */
  byStylist: Record<string, number>;
}

/** A customer made at the desk (a walk-in or a caller without an account). */
export const walkInCustomer = z.strictObject({
  name: displayName,
  phone: z
    .string()
    .trim()
    .min(3)
    .max(40)
    .regex(/^[0-9+()\-. ]+$/, 'digits, spaces and + ( ) - . only')
    .optional(),
  email: email.optional(),
});
export type WalkInCustomer = z.infer<typeof walkInCustomer>;

/**
 * `POST /api/desk/bookings`: for an existing customer or a walk-in (exactly one of the two). The
 * desk may book inside the minimum notice; outside working hours only with `force` and a reason.
 */
export const deskBookingBody = z
  .strictObject({
    customerId: uuid.optional(),
    walkIn: walkInCustomer.optional(),
    stylistId: uuid,
    serviceId: uuid,
    startUtc: instant,
    notes: bookingNotes.optional(),
    force: z.boolean().optional(),
    forceReason: z.string().trim().min(5).max(500).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.customerId === undefined) === (b.walkIn === undefined))
      ctx.addIssue({ code: 'custom', path: ['customerId'], message: 'give exactly one of customerId and walkIn' });
    if (b.force && b.forceReason === undefined) ctx.addIssue({ code: 'custom', path: ['forceReason'], message: 'required with force' });
    if (!b.force && b.forceReason !== undefined) ctx.addIssue({ code: 'custom', path: ['forceReason'], message: 'only with force' });
  });
export type DeskBookingBody = z.infer<typeof deskBookingBody>;

/** `GET /api/desk/customers?q=`: name, e-mail or phone, 2–100 characters. */
export const deskCustomersQuery = z.strictObject({ q: z.string().trim().min(2).max(100) });
export const DESK_CUSTOMERS_MAX = 20;

export interface DeskCustomerDto {
  id: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  walkIn: boolean;
  /** The last completed visit. */
  lastVisitAt: string | null;
  /** Upcoming active bookings, soonest first (at most 5). */
  upcoming: { id: string; stylistId: string; serviceId: string; startUtc: string; status: string }[];
}

/**
 * The outbox event behind a `calendar:changed`: every kind but announcements. `waitlist.changed`: who
 * waits for the date changed (joined, left, fulfilled), for the calendar's `waitlist` counts.
 */
export type CalendarChangeKind =
  | 'booking.created'
  | 'booking.updated'
  | 'hold.created'
  | 'hold.deleted'
  | 'override.created'
  | 'override.deleted'
  | 'schedule.changed'
  | 'stylist.changed'
  | 'waitlist.offered'
  | 'waitlist.changed';

/** `calendar:changed`, to the desk: something on these dates of this stylist (null: every stylist) changed; re-read them. */
export interface CalendarChangedPayload {
  eventId: number;
  stylistId: string | null;
  dates: string[] | null;
  kind: CalendarChangeKind;
}
