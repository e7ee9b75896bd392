// What a message takes from the calendar and manage-link modules: the booking's calendar file and
// the link that lets its customer see, cancel or move it without signing in (docs/api.md "Manage
// links", "Calendars"). Composed here so that mail depends on neither (server/mail/extras.ts).
import { bookingIcs } from './calendar/booking-ics.ts';
import type { Pool } from './db/pool.ts';
import type { MailExtras } from './mail/extras.ts';
import { manageUrl, type ManageLinkKeys } from './manage/links.ts';

export function mailExtras(pool: Pool, keys: () => Promise<ManageLinkKeys>): MailExtras {
  return {
    ics: (bookingId) => bookingIcs(pool, bookingId),
    manageUrl: async (bookingId) => manageUrl(await keys(), bookingId),
  };
}
