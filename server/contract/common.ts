import { z } from 'zod';

/** Shared field schemas. Every object schema is strict: unknown fields are rejected, never stored. */
/** Ids are compared, cached and invalidated as Postgres prints them: lower case. */
export const uuid = z.uuid().transform((s) => s.toLowerCase());
export const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
export const instant = z.iso.datetime({ offset: true });
export const wallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');
export const zoneName = z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, 'expected an IANA zone name');
