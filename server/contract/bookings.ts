import { z } from 'zod';
import type { OverrideDto } from './admin.ts';
import { instant, localDate, uuid } from './common.ts';
import { stylistRef } from './slots.ts';
import { BOOKING_STATUSES, type BookingStatus } from './enums.ts';

/** Holds, bookings and the stylist's view (docs/api.md "Holds and bookings", "Stylist"). */

export const bookingStatus = z.enum(BOOKING_STATUSES);
export type { BookingStatus } from './enums.ts';

export const bookingNotes = z.string().max(2000);

export const createHoldBody = z.strictObject({
  /** A stylist, or `"any"`: one free stylist is assigned (docs/api.md, "Any stylist"). */
  stylistId: stylistRef,
  serviceId: uuid,
  startUtc: instant,
});
export type CreateHoldBody = z.infer<typeof createHoldBody>;

/** Either `{holdId}` or `{stylistId, serviceId, startUtc}`, each with optional notes. */
export const createBookingBody = z
  .strictObject({
    holdId: uuid.optional(),
    stylistId: stylistRef.optional(),
    serviceId: uuid.optional(),
    startUtc: instant.optional(),
    notes: bookingNotes.optional(),
  })
  .superRefine((b, ctx) => {
    const direct = [b.stylistId, b.serviceId, b.startUtc];
    if (b.holdId !== undefined) {
      for (const [k, v] of Object.entries({ stylistId: b.stylistId, serviceId: b.serviceId, startUtc: b.startUtc })) {
        if (v !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'not allowed with holdId' });
      }
    } else if (direct.some((v) => v === undefined)) {
      for (const [k, v] of Object.entries({ stylistId: b.stylistId, serviceId: b.serviceId, startUtc: b.startUtc })) {
        if (v === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'required unless holdId is given' });
      }
    }
  });
export type CreateBookingBody = z.infer<typeof createBookingBody>;

/** The `Idempotency-Key` header: printable ASCII, no spaces. */
export const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const cancelBody = z.strictObject({
  reason: z.string().trim().max(500).optional(),
});
export type CancelBody = z.infer<typeof cancelBody>;

export const rescheduleBody = z.strictObject({
  startUtc: instant,
  /** Move to another stylist who offers the service (same checks as booking with them); default: the booking's own. */
  stylistId: uuid.optional(),
});
export type RescheduleBody = z.infer<typeof rescheduleBody>;

export const statusBody = z.strictObject({ status: bookingStatus });
export type StatusBody = z.infer<typeof statusBody>;

export const mineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const stylistBookingsQuery = z.strictObject({
  from: localDate.optional(),
  to: localDate.optional(),
  /** Admins name the stylist; a stylist may omit it (it defaults to their own). */
  stylistId: uuid.optional(),
});
export type StylistBookingsQuery = z.infer<typeof stylistBookingsQuery>;

/** `GET /api/stylist/day`: one stylist-local date; admins name the stylist. */
export const stylistDayQuery = z.strictObject({
  date: localDate,
  stylistId: uuid.optional(),
});
export type StylistDayQuery = z.infer<typeof stylistDayQuery>;

/**
 * A stylist's day for the dashboard timeline: the working windows after overrides (as the slot
 * engine computes them; the gaps between them are breaks or blocks), the unexpired holds on it
 * (no customer identity) and the overrides that apply to it.
 */
export interface StylistDayDto {
  stylistId: string;
  date: string;
  timezone: string;
  windows: { startUtc: string; endUtc: string }[];
  holds: { startUtc: string; endUtc: string; expiresAt: string }[];
  overrides: OverrideDto[];
  /** Active bookings starting on this date that an override puts outside the hours, with why. */
  attention?: ({ bookingId: string } & BookingAttention)[];
}

export const safetyNotesBody = z.strictObject({
  reason: z.string().trim().min(10, 'state a reason of at least 10 characters').max(500),
});
export type SafetyNotesBody = z.infer<typeof safetyNotesBody>;

export interface HoldDto {
  id: string;
  stylistId: string;
  serviceId: string;
  startUtc: string;
  endUtc: string;
  expiresAt: string;
}

export interface BookingDto {
  id: string;
  customerId: string;
  stylistId: string;
  serviceId: string;
  startUtc: string;
  endUtc: string;
  status: BookingStatus;
  priceCents: number;
  notes: string;
  createdAt: string;
  /**
   * Set while an override (closure, special hours, block) puts this active booking outside the
   * stylist's working hours; null otherwise (docs/domain.md §4). Derived when the booking is read;
   * every answer and event carries it (optional in the type only for clients' own fixtures).
   */
  attention?: BookingAttention | null;
}

/**
 * Why an active booking needs attention: the override that put it outside the working hours, and
 * its kind; or `inactive` (no override) when its stylist was deactivated before it ended.
 */
export interface BookingAttention {
  reason: 'closed' | 'hours' | 'blocked' | 'inactive';
  overrideId: string | null;
}

/** What a stylist sees of the customer of a booking, computed from the customer's history. */
export interface CustomerContext {
  id: string;
  displayName: string;
  /** Completed bookings, salon-wide. */
  visitCount: number;
  lastVisitAt: string | null;
  lastServiceName: string | null;
  totalSpentCents: number;
  /** The salon's notes about the customer (not safety notes). */
  notes: string;
  /** Whether safety notes exist; reading them needs a stated reason and is audited. */
  hasSafetyNotes: boolean;
}

export interface BookingWithCustomerDto extends BookingDto {
  customer: CustomerContext;
}

export interface SafetyNotesDto {
  customerId: string;
  safetyNotes: string;
}

/** A nearby start offered with a 409 SLOT_TAKEN / SLOT_HELD, in `details.alternatives`. */
export interface AlternativeSlot {
  startUtc: string;
  endUtc: string;
  startLocal: string;
}

/** `GET /api/bookings/:id/alternatives`: free starts for the same service, any stylist offering it. */
export interface BookingAlternativeDto extends AlternativeSlot {
  stylistId: string;
}

export interface BookingAlternativesDto {
  bookingId: string;
  serviceId: string;
  /** Nearest to the booking's start first; at most `MAX_ALTERNATIVES`. */
  alternatives: BookingAlternativeDto[];
}

/** Alternatives answered for one booking, and the days searched (before and after its date). */
export const MAX_ALTERNATIVES = 6;
export const ALTERNATIVE_DAYS_BEFORE = 3;
export const ALTERNATIVE_DAYS_AFTER = 7;
