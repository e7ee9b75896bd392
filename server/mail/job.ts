// The `message` job: compose the message of one booking change (once per dedupe key; the row in
// `messages` is the record of it), deliver it, and record the outcome. A failed delivery throws, so
// graphile-worker retries it with backoff; a message recorded as sent is never sent again, whatever
// runs the job again. Reminders and flags are re-checked before every attempt.
import { createHash } from 'node:crypto';
import type { Task } from 'graphile-worker';
import type { Logger } from '../log.ts';
import type { ComposeDeps } from './compose.ts';
import { composeMessage } from './compose.ts';
import type { MailMetrics } from './metrics.ts';
import { dedupeKey, messagePayload } from './payload.ts';
import type { Delivery } from './transport.ts';

export interface MessageJobDeps extends ComposeDeps {
  log: Logger;
  delivery: Delivery;
  metrics: MailMetrics;
  /** The domain of Message-IDs (MAIL_FROM's). */
  messageIdDomain: string;
}

interface MessageRow {
  id: number;
  status: 'pending' | 'sent' | 'retrying' | 'failed' | 'skipped';
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attachments: { filename: string; contentType: string; content: string }[];
  message_id: string;
}

const ROW = 'id, status, to_address, subject, text_body, html_body, attachments, message_id';
/** Longest last_error kept. */
const MAX_ERROR = 1000;

export function messageTask(deps: MessageJobDeps): Task {
  const log = deps.log.child({ module: 'mail' });
  return async (raw, helpers) => {
    const parsed = messagePayload.safeParse(raw);
    if (!parsed.success) {
      log.error({ jobId: helpers.job.id, issues: parsed.error.issues }, 'message job with an invalid payload dropped');
      return;
    }
    const p = parsed.data;
    const key = dedupeKey(p);
    const db = deps.pool;
    const existing = (await db.query<MessageRow>(`select ${ROW} from messages where dedupe_key = $1`, [key])).rows[0];
    if (existing && (existing.status === 'sent' || existing.status === 'skipped')) return;
    const now = (await db.query<{ now: Date }>('select now()')).rows[0].now.getTime();
    let row = existing;
    // A reminder, a flag or an offer is checked again before each attempt; other messages tell what happened.
    if (!row || p.kind === 'reminder' || p.kind === 'flagged' || p.kind === 'waitlist_offer') {
      const composed = await composeMessage(deps, p, now);
      if ('skip' in composed) {
        if (row)
          await db.query(`update messages set status = 'skipped', last_error = $2, updated_at = now() where id = $1`, [
            row.id,
            composed.skip,
          ]);
        deps.metrics.skipped.inc();
        log.info({ key, reason: composed.skip }, 'message not sent');
        return;
      }
      if (!row) {
        const m = composed.message;
        const messageId = `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${deps.messageIdDomain}>`;
        await db.query(
          `insert into messages (dedupe_key, kind, booking_id, to_address, subject, text_body, html_body, attachments, message_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (dedupe_key) do nothing`,
          [
            key,
            p.kind,
            p.kind === 'waitlist_offer' ? null : p.bookingId,
            m.to,
            m.subject,
            m.text,
            m.html,
            JSON.stringify(m.attachments),
            messageId,
          ],
        );
        row = (await db.query<MessageRow>(`select ${ROW} from messages where dedupe_key = $1`, [key])).rows[0];
        if (!row || row.status === 'sent' || row.status === 'skipped') return;
      }
    }
    await db.query('update messages set attempts = attempts + 1, updated_at = now() where id = $1', [row.id]);
    try {
      await deps.delivery.send({
        id: row.id,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        attachments: row.attachments,
        messageId: row.message_id,
        fromName: await deps.salonName(),
      });
    } catch (err) {
      const last = helpers.job.attempts >= helpers.job.max_attempts;
      const message = (err as Error).message.slice(0, MAX_ERROR);
      await db.query(`update messages set status = $2, last_error = $3, updated_at = now() where id = $1`, [
        row.id,
        last ? 'failed' : 'retrying',
        message,
      ]);
      deps.metrics.failures.inc();
      log.warn(
        { key, attempt: helpers.job.attempts, of: helpers.job.max_attempts, err: message },
        last ? 'message given up' : 'message delivery failed; will retry',
      );
      throw err;
    }
    await db.query(
      `update messages set status = 'sent', transport = $2, sent_at = now(), last_error = null, updated_at = now() where id = $1`,
      [row.id, deps.delivery.transport],
    );
    deps.metrics.sent.inc({ transport: deps.delivery.transport });
    log.debug({ key, to: row.to_address }, 'message sent');
  };
}
