// The payload of a `message` job, as the triggers of sql/000015 (and enqueueMessage) write it.
// Parsed at run time: a payload that does not parse is logged and dropped, never retried.
import { z } from 'zod';
import { uuid } from '../contract/common.ts';
import { MESSAGE_KINDS } from './templates.ts';

/** An instant as Postgres writes one in JSON (microseconds, an offset). */
const instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an instant');

export const messagePayload = z.object({
  kind: z.enum(MESSAGE_KINDS),
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
export type MessagePayload = z.infer<typeof messagePayload>;

/** The message's identity: at most one message is composed and sent per key. */
export function dedupeKey(p: Pick<MessagePayload, 'kind' | 'bookingId' | 'version'>): string {
  return `${p.kind}:${p.bookingId}:${p.version}`;
}
