import { z } from 'zod';
import type { BookingDto } from './bookings.ts';
import { instant } from './common.ts';

/** Manage links and calendars (docs/api.md "Manage links", "Calendars"). No Node imports. */

/** A manage link's token: 63 base64url characters (server/manage/token.ts). */
export const MANAGE_TOKEN_LENGTH = 63;
export const manageToken = z.string().regex(/^[A-Za-z0-9_-]{63}$/, 'not a manage link');
export const manageParams = z.strictObject({ token: manageToken });

export const manageCancelBody = z.strictObject({
  reason: z.string().trim().max(500).optional(),
});
export const manageRescheduleBody = z.strictObject({ startUtc: instant });

/** `GET /api/stylist/calendar.ics?token=`: the feed token (43 base64url characters). */
export const feedQuery = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a calendar token'),
});

export type ManageAction = 'cancel' | 'reschedule';

/** `GET /api/manage/:token`: the booking as its customer sees it, and what the link still allows. */
export interface ManageViewDto {
  booking: BookingDto;
  stylist: { id: string; displayName: string; timezone: string };
  service: { id: string; name: string; durationMinutes: number };
  salon: { name: string; address: string | null; timezone: string };
  /** What this link may still do now (empty once used, or when the booking can no longer change). */
  actions: ManageAction[];
  /** Whether this link's one change was already made. */
  used: boolean;
  /** When the link stops working (its expiry, or the booking's end, whichever is first). */
  expiresAt: string;
  /** The booking's calendar file through this link. */
  calendarUrl: string;
}

/** `POST /api/manage/:token/cancel` and `/reschedule`: the booking after the change and, after a reschedule, a fresh link. */
export interface ManageResultDto {
  booking: BookingDto;
  /** A new token for the moved booking (view, cancel, reschedule), expiring no later than the used one. */
  token?: string;
}

/** `GET|POST /api/stylist/calendar-token`: the stylist's subscription; the token and URL only when just created. */
export interface FeedTokenDto {
  token?: string;
  url?: string;
  createdAt: string;
}
