// The admin console's view of the messages the salon sent (or kept in the local mailbox).
import { z } from 'zod';

export const MESSAGE_STATUSES = ['pending', 'sent', 'retrying', 'failed', 'skipped'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const messagesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  /** Messages with an id below this one (the last id of the previous page). */
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
});
export type MessagesQuery = z.infer<typeof messagesQuery>;

export const messageParams = z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export interface MessageSummaryDto {
  id: number;
  kind: string;
  bookingId: string | null;
  to: string;
  subject: string;
  status: MessageStatus;
  /** 'smtp' or 'mailbox' once delivered. */
  transport: 'smtp' | 'mailbox' | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface MessageDto extends MessageSummaryDto {
  text: string;
  html: string;
  messageId: string;
  attachments: { filename: string; contentType: string; bytes: number }[];
}
