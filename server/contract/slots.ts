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

/** One candidate start of a day, as REST and `slots:update` send it. */
export const slotSchema = z.strictObject({
  startUtc: instant,
  endUtc: instant,
  /** ISO with the stylist's offset */
  startLocal: z.string(),
  /** e.g. "10:30 AM" in the customer's zone */
  display: z.string(),
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
