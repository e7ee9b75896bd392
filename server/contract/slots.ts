import { z } from 'zod';
import { localDate, uuid, zoneName } from './common.ts';

export const slotStatus = z.enum(['available', 'booked', 'held', 'unavailable']);
export type SlotStatus = z.infer<typeof slotStatus>;

export const availableSlotsQuery = z.strictObject({
  stylistId: uuid,
  serviceId: uuid,
  targetDate: localDate,
  customerTimezone: zoneName.optional(),
});
export type AvailableSlotsQuery = z.infer<typeof availableSlotsQuery>;

export interface Slot {
  startUtc: string;
  endUtc: string;
  /** ISO with the stylist's offset */
  startLocal: string;
  /** e.g. "10:30 AM" in the customer's zone */
  display: string;
  status: SlotStatus;
}

export interface ServiceDto {
  id: string;
  name: string;
  category: string;
  durationMinutes: number;
  priceCents: number;
  /** ISO 4217 code of `priceCents` (the server's CURRENCY setting), e.g. "NPR". */
  currency: string;
}

export interface StylistDto {
  id: string;
  displayName: string;
  timezone: string;
  bio: string;
  services: { id: string; name: string; durationMinutes: number; priceCents: number; currency: string }[];
}
