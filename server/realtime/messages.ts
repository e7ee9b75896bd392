// Room messages: what an event tells the people allowed to see it. Built in one place for the live
// relay and for the replay on reconnect, so a replayed event is exactly what a live one was, and
// sent to their rooms from here.
import type pg from 'pg';
import type { OverrideDto } from '../contract/admin.ts';
import type { BookingDto } from '../contract/bookings.ts';
import type { CalendarChangedPayload } from '../contract/desk.ts';
import type {
  AnnouncementPayload,
  BookingEventPayload,
  MyBookingEventPayload,
  OverrideChangedPayload,
  WaitlistOfferPayload,
} from '../contract/socket.ts';
import { offerPayloadOf } from '../waitlist/present.ts';
import { loadBookingViews } from '../bookings/present.ts';
import { OVERRIDE_DTO, overrideDto } from '../overrides/present.ts';
import {
  assertNever,
  type AnnouncementEvent,
  type BookingEvent,
  type OverrideEvent,
  type RelayEvent,
  type WaitlistEvent,
} from './events.ts';
import { ROOM_DESK, ROOM_STAFF, audienceRoom, customerRoom, stylistRoom } from './rooms.ts';
import type { Fanout } from './fanout.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

interface Base {
  eventId: number;
  /** Delivered once to every socket in any of these rooms. */
  rooms: string[];
}
/**
 * Anything that can emit a room message: a socket, or `io.to(rooms)`. A function-typed property,
 * not a method, so its parameters are checked strictly (a method's are bivariant).
 */
export interface MessageTarget {
  emit: (name: RoomMessage['name'], payload: RoomMessage['payload']) => unknown;
}

/** Sends one room message; the union's name and payload always belong together. */
export function emitRoomMessage(target: { emit: (...args: never[]) => unknown }, m: RoomMessage): void {
  (target as MessageTarget).emit(m.name, m.payload);
}

/** Sends one room message to every socket of this process in any of its rooms, once each. */
export function emitToRooms(fanout: Fanout, m: RoomMessage): void {
  emitRoomMessage(fanout.to(m.rooms), m);
}

export type RoomMessage =
  | (Base & { name: 'booking:created' | 'booking:updated'; payload: BookingEventPayload })
  | (Base & { name: 'booking:created' | 'booking:updated'; payload: MyBookingEventPayload })
  | (Base & { name: 'override:changed'; payload: OverrideChangedPayload })
  | (Base & { name: 'announcement'; payload: AnnouncementPayload })
  | (Base & { name: 'calendar:changed'; payload: CalendarChangedPayload })
  | (Base & { name: 'waitlist:offer'; payload: WaitlistOfferPayload });

/**
 * Which views of a booking event to build: `staff`, with the customer context, for the booking's
 * stylist and admins; `own`, the customer's own view, for the booking's customer. The relay builds
 * both; a replay only what its socket may receive.
 */
export interface BookingViews {
  staff: boolean;
  own: boolean;
}
const BOTH: BookingViews = { staff: true, own: true };

/**
 * Messages for a batch of events, in event order (one event may yield a message for staff and one
 * for its customer). Each kind and view is loaded in one query per batch. Bookings are shown as
 * they are now (the current row): a replayed `booking:created` of a booking cancelled since carries
 * status `cancelled`. A booking or announcement whose row is gone yields no message.
 */
export async function buildRoomMessages(db: Queryable, events: readonly RelayEvent[], views: BookingViews = BOTH): Promise<RoomMessage[]> {
  const bookingIds = new Set<string>();
  const announcementIds = new Set<string>();
  const legacyOverrideIds = new Set<string>();
  for (const ev of events) {
    switch (ev.kind) {
      case 'booking.created':
      case 'booking.updated':
        bookingIds.add(ev.entityId);
        break;
      case 'announcement.created':
        announcementIds.add(ev.entityId);
        break;
      case 'override.created':
      case 'override.deleted':
        if (!isOverrideDto(ev.data)) legacyOverrideIds.add(ev.entityId);
        break;
      case 'hold.created':
      case 'hold.deleted':
      case 'schedule.changed':
      case 'stylist.changed':
      case 'waitlist.offered':
      case 'waitlist.changed':
        break;
      default:
        assertNever(ev);
    }
  }
  const [{ staff: bookings, own }, announcements, overrides] = await Promise.all([
    loadBookingViews(db, [...bookingIds], views),
    announcementIds.size ? loadAnnouncements(db, [...announcementIds]) : [],
    legacyOverrideIds.size ? loadOverrides(db, [...legacyOverrideIds]) : [],
  ]);
  const bookingById = new Map(bookings.map((b) => [b.id, b]));
  const ownById = new Map(own.map((b) => [b.id, b]));
  const announcementById = new Map(announcements.map((a) => [a.id, a]));
  const overrideById = new Map(overrides.map((o) => [o.id, o]));

  const out: RoomMessage[] = [];
  for (const ev of events) {
    for (const m of messagesFor(ev, bookingById, ownById, announcementById, overrideById)) if (m) out.push(m);
    const calendar = calendarMessage(ev);
    if (calendar) out.push(calendar);
  }
  return out;
}

function messagesFor(
  ev: RelayEvent,
  bookings: Map<string, BookingEventPayload['booking']>,
  own: Map<string, BookingDto>,
  announcements: Map<string, Omit<AnnouncementPayload, 'eventId'>>,
  overrides: Map<string, OverrideDto>,
): (RoomMessage | null)[] {
  switch (ev.kind) {
    case 'booking.created':
    case 'booking.updated':
      return [bookingMessage(ev, bookings), ownBookingMessage(ev, own)];
    case 'override.created':
    case 'override.deleted':
      return [overrideMessage(ev, overrides)];
    case 'announcement.created':
      return [announcementMessage(ev, announcements)];
    case 'hold.created':
    case 'hold.deleted':
    case 'schedule.changed':
    case 'stylist.changed':
    case 'waitlist.changed':
      return [];
    case 'waitlist.offered':
      return [waitlistOfferMessage(ev)];
    default:
      return assertNever(ev);
  }
}

function bookingMessage(ev: BookingEvent, bookings: Map<string, BookingEventPayload['booking']>): RoomMessage | null {
  const booking = bookings.get(ev.entityId);
  if (!booking) return null;
  // The event's stylist, not the booking's: a booking moved to another stylist also tells the old one.
  return {
    eventId: ev.id,
    rooms: [stylistRoom(ev.stylistId), ROOM_DESK],
    name: ev.kind === 'booking.created' ? 'booking:created' : 'booking:updated',
    payload: { eventId: ev.id, booking },
  };
}

/**
 * The customer's own view, to their room. Not for the second event of a booking moved to another
 * stylist (`movedAway`: it tells the old stylist; the customer hears of the move once).
 */
function ownBookingMessage(ev: BookingEvent, bookings: Map<string, BookingDto>): RoomMessage | null {
  const booking = bookings.get(ev.entityId);
  if (!booking || ev.data.movedAway === true) return null;
  return {
    eventId: ev.id,
    rooms: [customerRoom(booking.customerId)],
    name: ev.kind === 'booking.created' ? 'booking:created' : 'booking:updated',
    payload: { eventId: ev.id, booking },
  };
}

function overrideMessage(ev: OverrideEvent, overrides: Map<string, OverrideDto>): RoomMessage | null {
  const override = isOverrideDto(ev.data) ? ev.data : overrides.get(ev.entityId);
  if (!override) return null;
  return {
    eventId: ev.id,
    rooms: [ROOM_STAFF],
    name: 'override:changed',
    payload: { eventId: ev.id, override, action: ev.kind === 'override.created' ? 'created' : 'deleted' },
  };
}

function announcementMessage(ev: AnnouncementEvent, announcements: Map<string, Omit<AnnouncementPayload, 'eventId'>>): RoomMessage | null {
  const a = announcements.get(ev.entityId);
  if (!a) return null;
  return { eventId: ev.id, rooms: [audienceRoom(a.audience)], name: 'announcement', payload: { eventId: ev.id, ...a } };
}

/**
 * `calendar:changed`, to the front desk, for every event that changes a stylist's day (holds too,
 * also those the sweeper expires) or who waits for a date (`waitlist.changed`, the desk's waitlist
 * counts): the desk re-reads the calendar for those dates. Needs no row.
 */
function calendarMessage(ev: RelayEvent): RoomMessage | null {
  if (ev.kind === 'announcement.created') return null;
  return {
    eventId: ev.id,
    rooms: [ROOM_DESK],
    name: 'calendar:changed',
    payload: { eventId: ev.id, stylistId: ev.stylistId, dates: ev.dates, kind: ev.kind },
  };
}

/** `waitlist:offer` to the waiter's own sockets, from the offer the event carries (sql/000017). */
function waitlistOfferMessage(ev: WaitlistEvent): RoomMessage | null {
  const o = offerPayloadOf(ev.data);
  if (!o) return null;
  return { eventId: ev.id, rooms: [customerRoom(o.customerId)], name: 'waitlist:offer', payload: { eventId: ev.id, ...o.payload } };
}

/** Events written since sql/000004 carry the whole override; older ones only its kind and scope. */
function isOverrideDto(data: Record<string, unknown>): data is Record<string, unknown> & OverrideDto {
  return typeof data.id === 'string' && typeof data.startDate === 'string' && typeof data.reason === 'string' && 'createdAt' in data;
}

async function loadAnnouncements(db: Queryable, ids: string[]): Promise<Omit<AnnouncementPayload, 'eventId'>[]> {
  const { rows } = await db.query<{
    id: string;
    message: string;
    level: AnnouncementPayload['level'];
    audience: AnnouncementPayload['audience'];
    created_at: Date;
  }>(`select id, message, level, audience, created_at from announcements where id = any($1::uuid[])`, [ids]);
  return rows.map((r) => ({ id: r.id, message: r.message, level: r.level, audience: r.audience, at: r.created_at.toISOString() }));
}

async function loadOverrides(db: Queryable, ids: string[]): Promise<OverrideDto[]> {
  const { rows } = await db.query<{ dto: unknown }>(`select ${OVERRIDE_DTO} from overrides o where o.id = any($1::uuid[])`, [ids]);
  return rows.map(overrideDto);
}
