// Adding a message job from TypeScript, inside the caller's transaction (the triggers of
// sql/000015 add the booking messages themselves): the job exists exactly when the write does.
import type { PoolClient } from '../db/pool.ts';
import type { BookingMessageKind } from './templates.ts';

export interface MessageRequest {
  kind: BookingMessageKind;
  bookingId: string;
  /** The version of what the message is about: one message per (kind, booking, version). */
  version: string | number;
  /** More of the payload (server/mail/payload.ts), e.g. `startAt`. */
  data?: Record<string, unknown>;
  /** Send no earlier than this (the database's clock decides). Default now. */
  runAt?: Date;
}

/** Adds the job in `db`'s transaction; a job with the same key is replaced (one message per key). */
export async function enqueueMessage(db: PoolClient, msg: MessageRequest): Promise<void> {
  const version = String(msg.version);
  await db.query(`select graphile_worker.add_job('message', $1::json, run_at => $2::timestamptz, job_key => $3, max_attempts => 25)`, [
    JSON.stringify({ ...msg.data, kind: msg.kind, bookingId: msg.bookingId, version }),
    msg.runAt ?? null,
    `message:${msg.kind}:${msg.bookingId}:${version}`,
  ]);
}

/**
 * Adds the e-mail of a waitlist offer in the offer's transaction (the waitlist's `onOffered` hook):
 * one job, and one message, per offer id however often it is called.
 */
export async function enqueueOfferMessage(db: PoolClient, offerId: string): Promise<void> {
  await db.query(
    `select graphile_worker.add_job('message', $1::json, job_key => $2, job_key_mode => 'preserve_run_at', max_attempts => 25)`,
    [JSON.stringify({ kind: 'waitlist_offer', offerId, version: '1' }), `message:waitlist_offer:${offerId}`],
  );
}
