// Room names. Rooms are assigned by the server only (on connect, from the session; on slots:watch,
// from a validated key): no client event names a room.
import type { Role } from '../contract/enums.ts';
import { sha256Url } from '../hash.ts';

export type { Role };

/** The part of the session user the socket layer needs. */
export interface SocketUser {
  id: string;
  role: Role;
  stylistId?: string | null;
}

export const ROOM_ALL = 'all';
/** Anonymous visitors and customers (and admins): the audience `customers`. */
export const ROOM_CUSTOMERS = 'customers';
/** Stylists and admins: overrides and the audience `stylists`. */
export const ROOM_STAFF = 'staff';
export const ROOM_ADMINS = 'admins';
/** The front desk (reception and admins): every stylist's bookings with the customer context. */
export const ROOM_DESK = 'desk';
export const stylistRoom = (stylistId: string) => `stylist:${stylistId}`;
/** One customer's sockets (every tab, every device): their own bookings, in their own view. */
export const customerRoom = (userId: string) => `customer:${userId}`;
/**
 * The sockets of one login session, so that ending the session (logout, expiry) ends them. Named from
 * a hash of the session id: no session id in room names (adapters, debug output), and like every
 * room it is joined only by the server.
 */
export const sessionRoom = (sid: string) => `session:${sha256Url(sid)}`;

/** The rooms a connection joins, from who it is (null: anonymous). */
export function roomsFor(user: SocketUser | null): string[] {
  if (!user) return [ROOM_ALL, ROOM_CUSTOMERS];
  switch (user.role) {
    case 'customer':
      return [ROOM_ALL, ROOM_CUSTOMERS, customerRoom(user.id)];
    case 'stylist':
      return user.stylistId ? [ROOM_ALL, ROOM_STAFF, stylistRoom(user.stylistId)] : [ROOM_ALL, ROOM_STAFF];
    case 'reception':
      return [ROOM_ALL, ROOM_STAFF, ROOM_DESK];
    case 'admin':
      return [ROOM_ALL, ROOM_CUSTOMERS, ROOM_STAFF, ROOM_DESK, ROOM_ADMINS];
  }
}

/**
 * What a socket in `rooms` may receive of the history, by event kind: announcements of these
 * audiences, overrides (staff), bookings of these stylists ('all' for the desk) with the customer
 * context, and the own bookings of this customer in their own view. A replay reads only these
 * events, so its cost follows what it sends (messages.ts names each kind's rooms). A socket is in
 * stylist rooms or in a customer room, never both (roomsFor), so no booking event is read twice.
 */
export interface ReplayScope {
  audiences: ('all' | 'stylists' | 'customers')[];
  overrides: boolean;
  bookings: 'all' | string[];
  /** The customer (user id) whose own bookings the socket receives; null: none. */
  customer: string | null;
  /** The front desk: `calendar:changed` of every event touching a stylist's day (holds and schedules too). */
  desk: boolean;
}

export function replayScopeOf(rooms: ReadonlySet<string>): ReplayScope {
  const stylists: string[] = [];
  let customer: string | null = null;
  for (const r of rooms) {
    if (r.startsWith('stylist:')) stylists.push(r.slice('stylist:'.length));
    else if (r.startsWith('customer:')) customer = r.slice('customer:'.length);
  }
  return {
    audiences: (['all', 'stylists', 'customers'] as const).filter((a) => rooms.has(audienceRoom(a))),
    overrides: rooms.has(ROOM_STAFF),
    bookings: rooms.has(ROOM_DESK) ? 'all' : stylists,
    customer,
    desk: rooms.has(ROOM_DESK),
  };
}

export function audienceRoom(audience: 'all' | 'stylists' | 'customers'): string {
  return audience === 'all' ? ROOM_ALL : audience === 'stylists' ? ROOM_STAFF : ROOM_CUSTOMERS;
}

export { dayKeyString } from '../slots/cache.ts';

/**
 * Watchers of one key are grouped by their display zone (the only thing the zone changes), so one
 * computation serves the key and each zone's rendering is sent once to its room. '' = the stylist's.
 */
export const watchRoom = (keyString: string, zone: string) => `w:${keyString}|${zone}`;
