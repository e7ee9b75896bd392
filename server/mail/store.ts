// The messages as the admin console reads them (the job writes them: job.ts).
import type pg from 'pg';
import type { MessageDto, MessageStatus, MessageSummaryDto } from '../contract/messages.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

interface Row {
  id: number;
  kind: string;
  booking_id: string | null;
  to_address: string;
  subject: string;
  status: MessageStatus;
  transport: 'smtp' | 'mailbox' | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const SUMMARY = 'id, kind, booking_id, to_address, subject, status, transport, attempts, last_error, created_at, sent_at';

const summaryOf = (r: Row): MessageSummaryDto => ({
  id: r.id,
  kind: r.kind,
  bookingId: r.booking_id,
  to: r.to_address,
  subject: r.subject,
  status: r.status,
  transport: r.transport,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  sentAt: r.sent_at?.toISOString() ?? null,
});

/** Newest first; `before` is the last id of the previous page. */
export async function listMessages(
  db: Queryable,
  o: { limit: number; before?: number; status?: MessageStatus },
): Promise<MessageSummaryDto[]> {
  const { rows } = await db.query<Row>(
    `select ${SUMMARY} from messages where ($1::bigint is null or id < $1) and ($3::text is null or status = $3)
      order by id desc limit $2`,
    [o.before ?? null, o.limit, o.status ?? null],
  );
  return rows.map(summaryOf);
}

/** One message with its parts, or undefined. */
export async function getMessage(db: Queryable, id: number): Promise<MessageDto | undefined> {
  const { rows } = await db.query<
    Row & {
      text_body: string;
      html_body: string;
      message_id: string;
      attachments: { filename: string; contentType: string; content: string }[];
    }
  >(`select ${SUMMARY}, text_body, html_body, message_id, attachments from messages where id = $1`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    ...summaryOf(r),
    text: r.text_body,
    html: r.html_body,
    messageId: r.message_id,
    attachments: r.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, bytes: Buffer.byteLength(a.content) })),
  };
}
