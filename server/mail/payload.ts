// The payload of a `message` job, as the triggers of sql/000015 (and enqueueMessage) write it.
// Parsed at run time: a payload that does not parse is logged and dropped, never retried.
import { z } from 'zod';
import { uuid } from '../contract/common.ts';
import { BOOKING_MESSAGE_KINDS } from './templates.ts';

/** An instant as Postgres writes one in JSON (microseconds, an offset). */
const instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an instant');

const bookingPayload = z.object({
  kind: z.enum(BOOKING_MESSAGE_KINDS),
  bookingId: uuid,
  /** The version of the booking this message is about (the writing transaction, or the event's row id). */
  version: z.coerce.string().min(1).max(40),
  /** The appointment's start (and stylist) as of this version. */
  startAt: instant.optional(),
  stylistId: uuid.optional(),
  previousStartAt: instant.optional(),
  previousStylistId: uuid.optional(),
  /** cancelled: the transaction's time, which its audit row carries too (who cancelled). */
  txAt: instant.optional(),
  attention: z
    .object({ reason: z.enum(['closed', 'hours', 'blocked']) })
    .loose()
    .optional(),
});
export type BookingMessagePayload = z.infer<typeof bookingPayload>;

/** A waitlist offer's message (server/mail/offer.ts): one per offer. */
const offerPayload = z.object({
  kind: z.literal('waitlist_offer'),
  offerId: uuid,
  version: z.coerce.string().min(1).max(40),
});
export type OfferMessagePayload = z.infer<typeof offerPayload>;

export const messagePayload = z.union([bookingPayload, offerPayload]);
export type MessagePayload = z.infer<typeof messagePayload>;

/** The message's identity: at most one message is composed and sent per key. */
export function dedupeKey(p: Pick<BookingMessagePayload, 'kind' | 'bookingId' | 'version'> | OfferMessagePayload): string {
  return `${p.kind}:${'offerId' in p ? p.offerId : p.bookingId}:${p.version}`;
}
