// Hold series: a hold cannot be renewed forever (sql/000008_hold_series.sql describes the table).
import type pg from 'pg';
import { AppError } from '../errors.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface SeriesRequest {
  customerId: string;
  stylistId: string;
  startMs: number;
  nowMs: number;
  /** HOLD_MINUTES, in ms. */
  holdMs: number;
  /** HOLD_RENEWAL_WINDOW_MINUTES, in ms (a series lasts at least three hold lengths whatever it says). */
  windowMs: number;
}

/**
 * The expiry of a new hold of `customerId` on (stylist, start), or 409 HOLD_LIMIT. A customer's
 * holds on one time belong to one series, opened by the first of them and remembered for the
 * renewal window however the holds end: while the first hold's expiry is ahead every hold of the
 * series expires then; after it, at the first expiry plus one hold length; after that, holding the
 * time is refused until the series ends. Needs an open transaction: the upsert locks the series
 * row until it ends, so concurrent holds of one series are decided one after the other.
 */
export async function holdExpiry(db: Queryable, r: SeriesRequest): Promise<Date> {
  const first = r.nowMs + r.holdMs;
  const { rows } = await db.query<{ first_expires_at: Date; expires_by: Date; ends_at: Date }>(
    `insert into hold_series as s (customer_id, stylist_id, start_at, first_expires_at, expires_by, ends_at)
     values ($1, $2, $3, $5, $6, $7)
     on conflict (customer_id, stylist_id, start_at) do update set
       first_expires_at = case when s.ends_at <= $4 then excluded.first_expires_at else s.first_expires_at end,
       expires_by = case when s.ends_at <= $4 then excluded.expires_by else s.expires_by end,
       ends_at = case when s.ends_at <= $4 then excluded.ends_at else s.ends_at end
     returning first_expires_at, expires_by, ends_at`,
    [
      r.customerId,
      r.stylistId,
      new Date(r.startMs),
      new Date(r.nowMs),
      new Date(first),
      new Date(first + r.holdMs),
      new Date(r.nowMs + Math.max(r.windowMs, 3 * r.holdMs)),
    ],
  );
  const s = rows[0];
  if (r.nowMs < s.first_expires_at.getTime()) return s.first_expires_at;
  if (r.nowMs < s.expires_by.getTime()) return s.expires_by;
  throw new AppError('HOLD_LIMIT', 'You have held this time as long as a hold may be renewed; book it now, or hold it again later', {
    retryAt: s.ends_at.toISOString(),
  });
}
