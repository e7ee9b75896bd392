import { z } from 'zod';
import { instant, localDate, uuid, zoneName } from './common.ts';

export const slotStatus = z.enum(['available', 'booked', 'held', 'unavailable']);
export type SlotStatus = z.infer<typeof slotStatus>;

/** `"any"`: every active stylist who offers the service (docs/api.md, "Any stylist"). */
export const ANY_STYLIST = 'any';
/** A stylist id, or `"any"`. */
export const stylistRef = z.union([z.literal(ANY_STYLIST), uuid]);

export const availableSlotsQuery = z.strictObject({
  stylistId: stylistRef,
  serviceId: uuid,
  targetDate: localDate,
  customerTimezone: zoneName.optional(),
});
export type AvailableSlotsQuery = z.infer<typeof availableSlotsQuery>;

/**
 * One candidate start of a day, as REST and `slots:update` send it: the instant, and how it reads
 * in two named zones, the stylist's (where the visit takes place: salon time) and the customer's.
 * A wall time the clocks show twice (a fall-back's repeated hour) is written with its UTC offset,
 * "1:00 AM −04:00" and "1:00 AM −05:00", in both displays.
 */
export const slotSchema = z.strictObject({
  startUtc: instant,
  endUtc: instant,
  /** ISO with the stylist's offset */
  startLocal: z.string(),
  /** e.g. "10:30 AM" in the stylist's zone (`localZone`) */
  localDisplay: z.string(),
  /** The stylist's IANA zone, as the stylist's settings spell it */
  localZone: z.string(),
  /** e.g. "11:45 PM" in `displayZone` */
  display: z.string(),
  /** `customerTimezone` by its canonical name (aliases answer alike), or the stylist's zone without one or for the same zone */
  displayZone: z.string(),
  /** The start's date (YYYY-MM-DD) in `displayZone`: the day before or after the stylist's date far enough away */
  displayDate: z.string(),
  status: slotStatus,
  /** With `stylistId=any` only: the stylists free for this start, in the order one would be assigned. */
  stylistIds: z.array(uuid).optional(),
});
export type Slot = z.infer<typeof slotSchema>;

export interface ServiceDto {
  id: string;
  name: string;
  category: string;
  durationMinutes: number;
  priceCents: number;
  /** ISO 4217 code of `priceCents` (the server's CURRENCY setting), e.g. "NPR". */
  currency: string;
}

/** `GET /api/salon`: the salon's own settings, which every client formats times and prices with. */
export interface SalonDto {
  /** The salon's IANA time zone (the `salon_timezone` setting), e.g. "Asia/Kathmandu". */
  timezone: string;
  /** ISO 4217 code of every price (the server's CURRENCY setting). */
  currency: string;
}

export interface StylistDto {
  id: string;
  displayName: string;
  timezone: string;
  bio: string;
  services: { id: string; name: string; durationMinutes: number; priceCents: number; currency: string }[];
}

/** At most this many days per `available-days` request. */
export const MAX_DAYS_SPAN = 62;
const DAY_MS = 86_400_000;

/** `GET /api/bookings/available-days`: dates in the stylist's zone (the salon's for `any`), `from` ≤ `to`, at most 62 days. */
export const availableDaysQuery = z
  .strictObject({ stylistId: stylistRef, serviceId: uuid, from: localDate, to: localDate })
  .superRefine((q, ctx) => {
    const span = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / DAY_MS + 1;
    if (span < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (span > MAX_DAYS_SPAN) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_DAYS_SPAN} days from from` });
  });
export type AvailableDaysQuery = z.infer<typeof availableDaysQuery>;

/**
 * A day at a glance: `open` has an available start now; `full` has starts, none available now
 * (booked, held, or past the notice); `closed` is covered by a closure override (salon-wide or the
 * stylist's; with `any`, for every stylist); `off` has no starts otherwise (no working hours, hours
 * fully blocked, or outside the bookable window). docs/domain.md §3.
 */
export const dayStatus = z.enum(['open', 'full', 'closed', 'off']);
export type DayStatus = z.infer<typeof dayStatus>;
export const availableDaySchema = z.strictObject({
  date: localDate,
  /** Starts available now. */
  available: z.number().int().min(0),
  status: dayStatus,
  /** The day's availability version (as X-Availability-Version); null outside the bookable window. */
  version: z.number().int().nullable(),
});
export type AvailableDay = z.infer<typeof availableDaySchema>;
