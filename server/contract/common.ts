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
/** A local date: YYYY-MM-DD that exists on the calendar. */
export const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isCalendarDate, 'not a calendar date');
export const instant = z.iso.datetime({ offset: true });
export const wallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');
export const zoneName = z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, 'expected an IANA zone name');
