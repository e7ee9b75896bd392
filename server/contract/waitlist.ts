// The waitlist's wire contract (docs/api.md "Waitlist"): join body, entries and offers. No Node imports.
import { z } from 'zod';
import type { HoldDto } from './bookings.ts';
import { localDate, uuid, wallTime } from './common.ts';
import { stylistRef } from './slots.ts';

/** Active waitlist entries one customer may have at once (WAITLIST_FULL beyond it). */
export const MAX_WAITLIST_ENTRIES = 5;

/**
 * `POST /api/waitlist`: a service on a salon-local date, with a stylist or `"any"`, optionally only
 * starts in [from, to) (salon-local `HH:MM`; `to` may be `24:00`).
 */
export const joinWaitlistBody = z
  .strictObject({
    stylistId: stylistRef,
    serviceId: uuid,
    date: localDate,
    from: wallTime.optional(),
    to: wallTime.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.from === '24:00') ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be before 24:00' });
    if (b.to === '00:00') ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after 00:00' });
    if (b.from !== undefined && b.to !== undefined && b.from >= b.to)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  });
export type JoinWaitlistBody = z.infer<typeof joinWaitlistBody>;

/** `POST /api/waitlist/:id/decline` takes no fields (the body may be left out). */
export const declineBody = z.strictObject({});

export const waitlistEntryStatus = z.enum(['waiting', 'fulfilled', 'left']);
export type WaitlistEntryStatus = z.infer<typeof waitlistEntryStatus>;

/** The offered time: which stylist, when (instants, and the start in the stylist's zone). */
export interface WaitlistSlotDto {
  stylistId: string;
  serviceId: string;
  startUtc: string;
  endUtc: string;
  /** ISO with the stylist's offset. */
  startLocal: string;
}

/** A live offer: the hold is the waiter's alone until `hold.expiresAt`; book it with `POST /api/bookings {holdId}`. */
export interface WaitlistOfferDto {
  id: string;
  entryId: string;
  hold: HoldDto;
  slot: WaitlistSlotDto;
}

export interface WaitlistEntryDto {
  id: string;
  /** A stylist's id, or `"any"`. */
  stylistId: string;
  serviceId: string;
  date: string;
  from: string | null;
  to: string | null;
  status: WaitlistEntryStatus;
  createdAt: string;
  /** The live offer made to this entry, if any. */
  offer: WaitlistOfferDto | null;
}
