// Calendar events of bookings (RFC 5545) with ical-generator: one event per booking, its UID stable
// for the booking's life, SEQUENCE its revision (bookings.sequence, sql/000016), times in UTC (so no
// VTIMEZONE is needed and every calendar shows them in its own zone), STATUS from the booking's.
import ical, { ICalCalendarMethod, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { DateTime } from 'luxon';
import type { BookingStatus } from '../contract/enums.ts';
import type { SalonPlace } from './salon-place.ts';

export const PRODUCT_ID = { company: 'KB Stylish', product: 'KB Stylish Live', language: 'EN' } as const;
/** The UID domain part: the same booking has the same UID in every file and feed. */
export const UID_DOMAIN = 'kb-stylish-live';

export interface CalendarBookingRow {
  id: string;
  start_at: Date;
  end_at: Date;
  status: BookingStatus;
  sequence: number;
  updated_at: Date;
  created_at: Date;
  stylist_name: string;
  service_name: string;
  customer_name: string;
}

/** Columns of CalendarBookingRow over `bookings b join stylists s join services sv join users u`. */
export const CALENDAR_COLUMNS = `b.id, b.start_at, b.end_at, b.status, b.sequence, b.updated_at, b.created_at,
  s.display_name as stylist_name, sv.name as service_name, u.display_name as customer_name`;
export const CALENDAR_FROM = `bookings b join stylists s on s.id = b.stylist_id join services sv on sv.id = b.service_id
  join users u on u.id = b.customer_id`;

export const bookingUid = (bookingId: string): string => `booking-${bookingId}@${UID_DOMAIN}`;

const STATUS_LABEL: Record<BookingStatus, string> = {
  pending: 'Pending',
  confirmed: 'Confirmed',
  in_progress: 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

function eventStatus(s: BookingStatus): ICalEventStatus {
  if (s === 'cancelled') return ICalEventStatus.CANCELLED;
  if (s === 'pending') return ICalEventStatus.TENTATIVE;
  return ICalEventStatus.CONFIRMED;
}

/** "Tue 14 Mar 2027, 10:00 (America/New_York)": a time in salon time, the zone named. */
export function salonTime(d: Date, zone: string): string {
  return `${DateTime.fromJSDate(d, { zone }).toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;
}

export function newCalendar(name: string, method: ICalCalendarMethod): ICalCalendar {
  return ical({ name, prodId: PRODUCT_ID, method });
}

/** Adds one booking's event. `forStylist`: the summary names the customer rather than the stylist. */
export function addBookingEvent(cal: ICalCalendar, b: CalendarBookingRow, place: SalonPlace, forStylist: boolean): void {
  const who = forStylist ? b.customer_name : b.stylist_name;
  const lines = [
    `${b.service_name} with ${forStylist ? 'customer ' : ''}${who} at ${place.name}`,
    `${salonTime(b.start_at, place.timezone)} to ${DateTime.fromJSDate(b.end_at, { zone: place.timezone }).toFormat('HH:mm')}`,
    `Status: ${STATUS_LABEL[b.status]}`,
  ];
  cal.createEvent({
    id: bookingUid(b.id),
    sequence: b.sequence,
    stamp: b.updated_at,
    created: b.created_at,
    lastModified: b.updated_at,
    start: b.start_at,
    end: b.end_at,
    summary: `${b.status === 'cancelled' ? 'Cancelled: ' : ''}${b.service_name} — ${who}`,
    description: lines.join('\n'),
    location: place.address ? `${place.name}, ${place.address}` : place.name,
    status: eventStatus(b.status),
  });
}
