// A stylist's calendar subscription: a secret token (shown once, stored as its SHA-256) lets a
// calendar app fetch their bookings without a session, from 30 days back to their booking horizon.
import { ICalCalendarMethod } from 'ical-generator';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { FeedTokenDto } from '../contract/manage.ts';
import { sha256Url } from '../hash.ts';
import { addBookingEvent, CALENDAR_COLUMNS, CALENDAR_FROM, newCalendar, type CalendarBookingRow } from './ics.ts';
import { salonPlace } from './salon-place.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export const FEED_DAYS_BACK = 30;
/** Events one feed carries at most (a stylist's 30 days back plus a horizon of at most 730 days fits easily). */
export const FEED_MAX_EVENTS = 5000;
/** A feed token as text: 32 random bytes, base64url. */
export const FEED_TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
export const FEED_PATH = '/api/stylist/calendar.ics';

/** Creates or replaces the stylist's token (the old URL stops working). */
export async function rotateFeedToken(db: Queryable, stylistId: string, publicUrl: string): Promise<Required<FeedTokenDto>> {
  const token = randomBytes(32).toString('base64url');
  const { rows } = await db.query<{ created_at: Date }>(
    `insert into stylist_calendar_tokens (stylist_id, token_hash) values ($1, $2)
     on conflict (stylist_id) do update set token_hash = excluded.token_hash, created_at = now()
     returning created_at`,
    [stylistId, sha256Url(token)],
  );
  return { token, url: `${publicUrl}${FEED_PATH}?token=${token}`, createdAt: rows[0].created_at.toISOString() };
}

/** Whether the stylist has a live token, and since when. */
export async function feedTokenStatus(db: Queryable, stylistId: string): Promise<FeedTokenDto | null> {
  const { rows } = await db.query<{ created_at: Date }>('select created_at from stylist_calendar_tokens where stylist_id = $1', [
    stylistId,
  ]);
  return rows[0] ? { createdAt: rows[0].created_at.toISOString() } : null;
}

/** Revokes the stylist's token; whether there was one. */
export async function revokeFeedToken(db: Queryable, stylistId: string): Promise<boolean> {
  const { rowCount } = await db.query('delete from stylist_calendar_tokens where stylist_id = $1', [stylistId]);
  return (rowCount ?? 0) > 0;
}

/** The stylist's feed for a token, or null when the token is not a live one. */
export async function stylistFeedIcs(db: Queryable, token: string, nowMs: number): Promise<{ filename: string; content: string } | null> {
  if (!FEED_TOKEN_RE.test(token)) return null;
  const { rows: who } = await db.query<{ id: string; display_name: string; horizon_days: number }>(
    `select s.id, s.display_name, s.horizon_days from stylist_calendar_tokens t join stylists s on s.id = t.stylist_id
      where t.token_hash = $1`,
    [sha256Url(token)],
  );
  const stylist = who[0];
  if (!stylist) return null;
  const from = new Date(nowMs - FEED_DAYS_BACK * 86_400_000);
  // The horizon plus a day: a booking on its last local date may start after now + horizon.
  const to = new Date(nowMs + (stylist.horizon_days + 1) * 86_400_000);
  const { rows } = await db.query<CalendarBookingRow>(
    `select ${CALENDAR_COLUMNS} from ${CALENDAR_FROM}
      where b.stylist_id = $1 and b.start_at >= $2 and b.start_at < $3
      order by b.start_at limit ${FEED_MAX_EVENTS}`,
    [stylist.id, from, to],
  );
  const place = await salonPlace(db, 'UTC');
  const cal = newCalendar(`${stylist.display_name} — ${place.name}`, ICalCalendarMethod.PUBLISH);
  cal.ttl(15 * 60);
  for (const b of rows) addBookingEvent(cal, b, place, true);
  return { filename: 'bookings.ics', content: cal.toString() };
}
