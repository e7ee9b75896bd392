// The Socket.IO contract (docs/api.md, "Socket.IO"), shared by the server and web/: event maps with
// reversed generics (`Server<ClientToServerEvents, ServerToClientEvents>` on the server,
// `Socket<ServerToClientEvents, ClientToServerEvents>` in the browser), zod schemas for every
// payload, and the ack envelope. No Node imports.
import { z } from 'zod';
import { localDate, uuid, zoneName } from './common.ts';
import type { ErrorCode } from './errors.ts';
import type { AnnouncementDto, OverrideDto } from './admin.ts';
import type { BookingDto, BookingWithCustomerDto } from './bookings.ts';
import type { CalendarChangedPayload } from './desk.ts';
import { availableDaySchema, slotSchema, stylistRef } from './slots.ts';
import type { WaitlistOfferDto } from './waitlist.ts';

// ── client → server ─────────────────────────────────────────────────────────────────────────────

/** `slots:watch`: start receiving `slots:update` for one (stylist, service, stylist-local date). */
export const slotsWatchPayload = z.strictObject({
  /** A stylist, or `"any"` (the union; `date` then in the salon's zone). */
  stylistId: stylistRef,
  serviceId: uuid,
  date: localDate,
  /** Only changes `display`; default the stylist's zone. */
  customerTimezone: zoneName.optional(),
});
export type SlotsWatchPayload = z.infer<typeof slotsWatchPayload>;

/** `slots:unwatch`: the same key, without the zone. */
export const slotsUnwatchPayload = z.strictObject({ stylistId: stylistRef, serviceId: uuid, date: localDate });
export type SlotsUnwatchPayload = z.infer<typeof slotsUnwatchPayload>;

/**
 * The handshake's `auth` (socket.io-client `auth` option). `lastEventId`: the highest `eventId` the
 * client has seen; the server replays what came after it, or sends `resync`. Pass `auth` as a
 * function so each reconnection sends the current value.
 */
export const handshakeAuth = z.strictObject({
  lastEventId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuth>;

export type AckError = { code: ErrorCode; message: string };
/** Every client → server event is answered with this envelope. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type AckFn<T> = (response: Ack<T>) => void;

export const slotsWatchResult = z.strictObject({
  /** The day's availability version (grows with every change to that stylist and date). */
  version: z.number().int(),
  slots: z.array(slotSchema),
});
export type SlotsWatchResult = z.infer<typeof slotsWatchResult>;

export const slotsUnwatchResult = z.strictObject({ watching: z.number().int() });
export type SlotsUnwatchResult = z.infer<typeof slotsUnwatchResult>;

/** `days:watch` / `days:unwatch`: start or stop receiving `days:update` for one stylist (or `any`) and service. */
export const daysWatchPayload = z.strictObject({ stylistId: stylistRef, serviceId: uuid });
export type DaysWatchPayload = z.infer<typeof daysWatchPayload>;
export const daysWatchResult = z.strictObject({ watching: z.number().int() });
export type DaysWatchResult = z.infer<typeof daysWatchResult>;

export interface ClientToServerEvents {
  'slots:watch': (payload: SlotsWatchPayload, ack: AckFn<SlotsWatchResult>) => void;
  'slots:unwatch': (payload: SlotsUnwatchPayload, ack: AckFn<SlotsUnwatchResult>) => void;
  'days:watch': (payload: DaysWatchPayload, ack: AckFn<DaysWatchResult>) => void;
  'days:unwatch': (payload: DaysWatchPayload, ack: AckFn<DaysWatchResult>) => void;
}

// ── server → client ─────────────────────────────────────────────────────────────────────────────

export const slotsUpdateReason = z.enum(['booking', 'hold', 'override', 'schedule']);
export type SlotsUpdateReason = z.infer<typeof slotsUpdateReason>;

/**
 * A fresh slot list for a watched key. Keep the highest `version` seen per key: an update never
 * goes backwards, and equal versions may differ only by slots whose hold expired or whose start
 * passed the minimum notice.
 */
export const slotsUpdatePayload = z.strictObject({
  stylistId: stylistRef,
  serviceId: uuid,
  date: localDate,
  version: z.number().int(),
  slots: z.array(slotSchema),
  reason: slotsUpdateReason,
});
export type SlotsUpdatePayload = z.infer<typeof slotsUpdatePayload>;

/**
 * The days of a `days:watch` that a change touched, as `available-days` answers them now; `days:
 * null`: too many days changed (a schedule, a long closure), read your range again.
 */
export const daysUpdatePayload = z.strictObject({
  stylistId: stylistRef,
  serviceId: uuid,
  days: z.array(availableDaySchema).nullable(),
});
export type DaysUpdatePayload = z.infer<typeof daysUpdatePayload>;

/** `booking:created` / `booking:updated`, to the booking's stylist and to admins, with the customer context. */
export interface BookingEventPayload {
  eventId: number;
  booking: BookingWithCustomerDto;
}

/**
 * `booking:created` / `booking:updated`, to the booking's own customer (every socket of theirs): the
 * booking as `GET /api/bookings/mine` shows it, without the stylist's context of the customer.
 */
export interface MyBookingEventPayload {
  eventId: number;
  booking: BookingDto;
}

/** A socket receives one of the two views, by its rooms: staff the first, a customer the second. */
export type AnyBookingEventPayload = BookingEventPayload | MyBookingEventPayload;

/** `override:changed`, to stylists and admins. An edited override arrives as deleted then created. */
export interface OverrideChangedPayload {
  eventId: number;
  override: OverrideDto;
  action: 'created' | 'deleted';
}

/** `announcement`, to its audience (`customers` includes anonymous visitors; admins get every one). */
export interface AnnouncementPayload {
  eventId: number;
  id: string;
  message: string;
  level: AnnouncementDto['level'];
  audience: AnnouncementDto['audience'];
  at: string;
}

/**
 * The server cannot replay what the client missed: re-fetch everything it shows. Reasons:
 * `pruned` (older than the retention), `unknown_event` (an id this database never issued),
 * `behind` (the replay could not catch up with live events).
 */
/**
 * The server cannot replay what the client missed; it re-fetches what it shows. `pruned`: older
 * than the retention; `unknown_event`: an id never issued; `behind`: this server cannot catch up;
 * `too_many`: more events than one replay sends; `rate_limited`: too many replays from this address.
 */
export const resyncPayload = z.strictObject({ reason: z.enum(['pruned', 'unknown_event', 'behind', 'too_many', 'rate_limited']) });
export type ResyncPayload = z.infer<typeof resyncPayload>;

export interface ServerToClientEvents {
  'slots:update': (payload: SlotsUpdatePayload) => void;
  'days:update': (payload: DaysUpdatePayload) => void;
  'booking:created': (payload: AnyBookingEventPayload) => void;
  'booking:updated': (payload: AnyBookingEventPayload) => void;
  'override:changed': (payload: OverrideChangedPayload) => void;
  announcement: (payload: AnnouncementPayload) => void;
  resync: (payload: ResyncPayload) => void;
  /** To the front desk (room `desk`): a stylist's day changed; re-read the calendar for those dates. */
  'calendar:changed': (payload: CalendarChangedPayload) => void;
  'waitlist:offer': (payload: WaitlistOfferPayload) => void;
}

/**
 * `waitlist:offer`, to the waiter's own sockets: a freed time is held for them alone until
 * `hold.expiresAt`. Book it with `POST /api/bookings {holdId: hold.id}`, or decline it.
 */
export interface WaitlistOfferPayload {
  eventId: number;
  offerId: string;
  entryId: string;
  hold: WaitlistOfferDto['hold'];
  slot: WaitlistOfferDto['slot'];
}
