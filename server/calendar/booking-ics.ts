// One booking as an .ics file: for the customer (the confirmation's attachment, "Add to calendar",
// the manage link). A cancelled booking gives a cancellation (METHOD:CANCEL, STATUS:CANCELLED) of
// the same UID with a higher SEQUENCE, so a calendar that imported it removes it.
import { ICalCalendarMethod } from 'ical-generator';
import type pg from 'pg';
import { addBookingEvent, CALENDAR_COLUMNS, CALENDAR_FROM, newCalendar, type CalendarBookingRow } from './ics.ts';
import { salonPlace } from './salon-place.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The zone used when the salon's zone setting is not stored yet (a database no server has started on). */
const FALLBACK_ZONE = 'UTC';

/** The booking's calendar file, or null when there is no such booking. Authorisation is the caller's. */
export async function bookingIcs(db: Queryable, bookingId: string): Promise<{ filename: string; content: string } | null> {
  const { rows } = await db.query<CalendarBookingRow>(`select ${CALENDAR_COLUMNS} from ${CALENDAR_FROM} where b.id = $1`, [bookingId]);
  const b = rows[0];
  if (!b) return null;
  const place = await salonPlace(db, FALLBACK_ZONE);
  const cal = newCalendar(place.name, b.status === 'cancelled' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH);
  addBookingEvent(cal, b, place, false);
  return { filename: `booking-${b.id}.ics`, content: cal.toString() };
}
