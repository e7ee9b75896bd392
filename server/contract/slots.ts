import { z } from 'zod';
import { instant, localDate, uuid, zoneName } from './common.ts';

export const slotStatus = z.enum(['available', 'booked', 'held', 'unavailable']);
export type SlotStatus = z.infer<typeof slotStatus>;

export const availableSlotsQuery = z.strictObject({
  stylistId: uuid,
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
