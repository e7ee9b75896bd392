import { z } from 'zod';

/** Shared field schemas. Every object schema is strict: unknown fields are rejected, never stored. */
/** Ids are compared, cached and invalidated as Postgres prints them: lower case. */
export const uuid = z.uuid().transform((s) => s.toLowerCase());
const isCalendarDate = (d: string): boolean => {
  const [y, m, day] = d.split('-').map(Number);
  const t = new Date(Date.UTC(2000, m - 1, day));
  // Year 2000 is a leap year, so Feb 29 passes here and is checked against the real year below.
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== day) return false;
  return !(m === 2 && day === 29) || (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
};

/**
 * The calendar window of every date and instant the API accepts: generous for a salon (history
 * back to 2000, bookings decades ahead) but real, so no input reaches day arithmetic or Postgres at
 * the edge of what they can represent (the day after 9999-12-31 is +010000-01-01).
 */
export const FIRST_DATE = '2000-01-01';
export const LAST_DATE = '2099-12-31';
/** Instants: [2000-01-01T00:00Z, 2100-01-01T00:00Z). */
export const FIRST_INSTANT_MS = Date.UTC(2000, 0, 1);
export const END_INSTANT_MS = Date.UTC(2100, 0, 1);

/** YYYY-MM-DD that exists on the calendar, any year: for dates the server itself wrote (outbox rows). */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');
/** A local date from a client: a calendar date within FIRST_DATE … LAST_DATE. */
export const localDate = calendarDate.refine((d) => d >= FIRST_DATE && d <= LAST_DATE, `must be between ${FIRST_DATE} and ${LAST_DATE}`);
/** An instant from a client: ISO 8601 with an offset, from 2000-01-01T00:00Z up to (not including) 2100-01-01T00:00Z. */
export const instant = z.iso.datetime({ offset: true }).refine((s) => {
  const t = Date.parse(s);
  return t >= FIRST_INSTANT_MS && t < END_INSTANT_MS;
}, 'must be from 2000-01-01T00:00:00Z to before 2100-01-01T00:00:00Z');
export const wallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');
export const zoneName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/, 'expected an IANA zone name');
