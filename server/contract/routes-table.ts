// Every HTTP route of the server, in one table: who may call it, the zod schemas of its path
// parameters, query string, headers and body (the same schemas the routes validate with), and what
// it answers. The OpenAPI document (openapi.ts) is generated from it, the contract fuzz
// (test/contract/) iterates it, and a test compares it with the routes Express registered, so a
// route missing here fails the build. No Node imports.
import { z } from 'zod';
import {
  announcementBody,
  auditLogQuery,
  createOverrideBody,
  createStylistBody,
  currentAnnouncementsQuery,
  overridesQuery,
  scheduleBody,
  scheduleQuery,
} from './admin.ts';
import { loginBody, registerBody, sessionDto, userDto } from './auth.ts';
import {
  cancelBody,
  createBookingBody,
  createHoldBody,
  idempotencyKey,
  mineQuery,
  rescheduleBody,
  safetyNotesBody,
  statusBody,
  stylistBookingsQuery,
  stylistDayQuery,
} from './bookings.ts';
import { uuid } from './common.ts';
import { deskBookingBody, deskCalendarQuery, deskCustomersQuery } from './desk.ts';
import { feedQuery, manageCancelBody, manageParams, manageRescheduleBody } from './manage.ts';
import type { ErrorCode } from './errors.ts';
import { ROLES, type Role } from './enums.ts';
import { reportQuery } from './reports.ts';
import { createServiceBody, patchServiceBody, patchStylistBody } from './stylist-admin.ts';
import { timeOffBody, timeOffQuery } from './time-off.ts';
import { availableDaySchema, availableDaysQuery, availableSlotsQuery, slotSchema } from './slots.ts';
import { messageParams, messagesQuery } from './messages.ts';
import { declineBody, joinWaitlistBody } from './waitlist.ts';

/** Who calls: no session, or a logged-in user of a role. */
export type Caller = 'anonymous' | Role;
export const CALLERS: readonly Caller[] = ['anonymous', ...ROLES];
const EVERYONE: readonly Caller[] = CALLERS;
const LOGGED_IN: readonly Caller[] = ROLES;
const STAFF: readonly Caller[] = ['stylist', 'reception', 'admin'];
const ADMIN: readonly Caller[] = ['admin'];
const STYLIST: readonly Caller[] = ['stylist'];
/** The front desk: reception and admins. */
export const DESK: readonly Caller[] = ['reception', 'admin'];

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec {
  method: Method;
  /** Express form (`/api/holds/:id`). */
  path: string;
  summary: string;
  tag:
    | 'Operations'
    | 'Catalogue'
    | 'Slots'
    | 'Auth'
    | 'Bookings'
    | 'Stylist'
    | 'Admin'
    | 'Announcements'
    | 'Desk'
    | 'Manage links'
    | 'Calendars';
  /** Callers the route serves; every other caller is refused (401 without a login, else 403). */
  roles: readonly Caller[];
  params?: z.ZodType;
  query?: z.ZodType;
  /** Request headers the route reads and validates (each optional). */
  headers?: Record<string, z.ZodType>;
  body?: z.ZodType;
  /** The body may be left out altogether (treated as `{}`). */
  bodyOptional?: boolean;
  /** Which rate limiter counts the route (docs/api.md "Limits"). */
  limiter?: 'login' | 'register+login' | 'booking';
  ok: {
    status: 200 | 201 | 204;
    description: string;
    schema?: z.ZodType;
    contentType?: 'application/json' | 'text/plain' | 'text/calendar';
  };
  /** Error codes of the action itself (validation, login, role, origin, size and rate limits are added by openapi.ts). */
  errors?: readonly ErrorCode[];
}

/** `:id` of a booking, hold, stylist or override. */
export const idParams = z.strictObject({ id: uuid });
export const customerParams = z.strictObject({ customerId: uuid });
/** Routes that take no query parameters refuse any. */
export const noQuery = z.strictObject({});

export const ROUTES: readonly RouteSpec[] = [
  // Operations (outside /api: no origin check, no session)
  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    summary: 'Liveness: the process answers',
    roles: EVERYONE,
    ok: { status: 200, description: '`{ok: true}`' },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness: database and live relay',
    roles: EVERYONE,
    ok: { status: 200, description: '`{ready, checks}`; 503 `NOT_READY` while a check fails' },
    errors: ['NOT_READY'],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics (bearer METRICS_TOKEN when set)',
    roles: EVERYONE,
    ok: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' },
    errors: ['UNAUTHENTICATED'],
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    tag: 'Operations',
    summary: 'This document',
    roles: EVERYONE,
    query: noQuery,
    ok: { status: 200, description: 'The OpenAPI 3.1 document of the HTTP contract' },
  },

  // Catalogue and slots (public)
  {
    method: 'get',
    path: '/api/salon',
    tag: 'Catalogue',
    summary: "The salon's time zone and currency",
    roles: EVERYONE,
    query: noQuery,
    ok: { status: 200, description: '`{timezone, currency}`' },
  },
  {
    method: 'get',
    path: '/api/services',
    tag: 'Catalogue',
    summary: 'Active services',
    roles: EVERYONE,
    query: noQuery,
    ok: { status: 200, description: '`[{id, name, category, durationMinutes, priceCents, currency}]`' },
  },
  {
    method: 'get',
    path: '/api/stylists',
    tag: 'Catalogue',
    summary: 'Active stylists with their services',
    roles: EVERYONE,
    query: noQuery,
    ok: { status: 200, description: '`[{id, displayName, timezone, bio, services}]`' },
  },
  {
    method: 'get',
    path: '/api/bookings/available-slots',
    tag: 'Slots',
    summary: "A stylist's slots on one local date, or with `any` the union of every stylist's (cached)",
    roles: EVERYONE,
    query: availableSlotsQuery,
    ok: {
      status: 200,
      description: 'Every candidate start of the day with its status (ETag, 304 on If-None-Match)',
      schema: z.array(slotSchema),
    },
    errors: ['NOT_FOUND', 'UNKNOWN_TIMEZONE', 'RATE_LIMITED'],
  },
  {
    method: 'get',
    path: '/api/bookings/available-days',
    tag: 'Slots',
    summary: "A stylist's (or any stylist's) days at a glance, up to 62 (from the slot cache)",
    roles: EVERYONE,
    query: availableDaysQuery,
    ok: {
      status: 200,
      description: '`[{date, available, status: "open"|"full"|"closed"|"off", version}]`, one per date from `from` to `to`',
      schema: z.array(availableDaySchema),
    },
    errors: ['NOT_FOUND', 'RATE_LIMITED'],
  },
  {
    method: 'get',
    path: '/api/announcements/current',
    tag: 'Announcements',
    summary: 'Announcements of the last 24 h the caller may see',
    roles: EVERYONE,
    query: currentAnnouncementsQuery,
    ok: { status: 200, description: '`[{id, message, audience, level, at}]`, newest first' },
  },

  // Auth
  {
    method: 'post',
    path: '/api/auth/register',
    tag: 'Auth',
    summary: 'Create a customer account and log in',
    roles: EVERYONE,
    body: registerBody,
    limiter: 'register+login',
    ok: { status: 201, description: 'The user, logged in', schema: userDto },
    errors: ['CONFLICT', 'NAME_TOO_LONG'],
  },
  {
    method: 'post',
    path: '/api/auth/login',
    tag: 'Auth',
    summary: 'Log in',
    roles: EVERYONE,
    body: loginBody,
    limiter: 'login',
    ok: { status: 200, description: '`{user}`', schema: z.object({ user: userDto }) },
    errors: ['UNAUTHENTICATED'],
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    tag: 'Auth',
    summary: 'Log out (ends the session and its sockets)',
    roles: EVERYONE,
    ok: { status: 204, description: 'Session destroyed, cookie cleared' },
  },
  {
    method: 'get',
    path: '/api/auth/me',
    tag: 'Auth',
    summary: 'The logged-in user',
    roles: LOGGED_IN,
    ok: { status: 200, description: '`{user}`', schema: z.object({ user: userDto }) },
  },
  {
    method: 'get',
    path: '/api/auth/session',
    tag: 'Auth',
    summary: 'Who is signed in: the user, or null for a visitor (never 401)',
    roles: EVERYONE,
    query: noQuery,
    ok: { status: 200, description: '`{user}` or `{user: null}`', schema: sessionDto },
  },

  // Holds and bookings
  {
    method: 'post',
    path: '/api/holds',
    tag: 'Bookings',
    summary: 'Hold a slot while checking out',
    roles: LOGGED_IN,
    body: createHoldBody,
    limiter: 'booking',
    ok: { status: 201, description: 'The hold `{id, stylistId, serviceId, startUtc, endUtc, expiresAt}`' },
    errors: ['NOT_FOUND', 'NOT_ON_GRID', 'OUTSIDE_HOURS', 'IN_PAST', 'SLOT_TAKEN', 'SLOT_HELD', 'CUSTOMER_BUSY'],
  },
  {
    method: 'delete',
    path: '/api/holds/:id',
    tag: 'Bookings',
    summary: 'Release a hold',
    roles: LOGGED_IN,
    params: idParams,
    ok: { status: 204, description: 'Released' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/holds/mine',
    tag: 'Bookings',
    summary: "The caller's live holds",
    roles: LOGGED_IN,
    ok: { status: 200, description: 'Live holds `[{id, stylistId, serviceId, startUtc, endUtc, expiresAt}]` (at most one)' },
  },
  {
    method: 'post',
    path: '/api/bookings',
    tag: 'Bookings',
    summary: 'Book from a hold, or directly',
    roles: LOGGED_IN,
    body: createBookingBody,
    headers: { 'Idempotency-Key': idempotencyKey },
    limiter: 'booking',
    ok: { status: 201, description: 'The booking' },
    errors: [
      'NOT_FOUND',
      'NOT_ON_GRID',
      'OUTSIDE_HOURS',
      'IN_PAST',
      'SLOT_TAKEN',
      'SLOT_HELD',
      'HOLD_EXPIRED',
      'CONFLICT',
      'CUSTOMER_BUSY',
    ],
  },
  {
    method: 'get',
    path: '/api/bookings/mine',
    tag: 'Bookings',
    summary: "The caller's bookings",
    roles: LOGGED_IN,
    query: mineQuery,
    ok: { status: 200, description: 'Bookings, newest start first' },
  },
  {
    method: 'post',
    path: '/api/bookings/:id/cancel',
    tag: 'Bookings',
    summary: 'Cancel a booking',
    roles: LOGGED_IN,
    params: idParams,
    body: cancelBody,
    bodyOptional: true,
    ok: { status: 200, description: 'The cancelled booking' },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
  },
  {
    method: 'post',
    path: '/api/bookings/:id/reschedule',
    tag: 'Bookings',
    summary: 'Move a booking to another start',
    roles: LOGGED_IN,
    params: idParams,
    body: rescheduleBody,
    limiter: 'booking',
    ok: { status: 200, description: 'The moved booking' },
    errors: [
      'NOT_FOUND',
      'FORBIDDEN',
      'NOT_ON_GRID',
      'OUTSIDE_HOURS',
      'IN_PAST',
      'SLOT_TAKEN',
      'SLOT_HELD',
      'INVALID_TRANSITION',
      'CONFLICT',
      'CUSTOMER_BUSY',
    ],
  },
  {
    method: 'get',
    path: '/api/bookings/:id/alternatives',
    tag: 'Bookings',
    summary: 'The nearest free times for the same service, with any stylist offering it',
    roles: LOGGED_IN,
    params: idParams,
    query: noQuery,
    ok: { status: 200, description: '`{bookingId, serviceId, alternatives}`' },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
  },
  {
    method: 'post',
    path: '/api/bookings/:id/status',
    tag: 'Bookings',
    summary: "Change a booking's status (staff)",
    roles: LOGGED_IN,
    params: idParams,
    body: statusBody,
    ok: { status: 200, description: 'The booking' },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'INVALID_TRANSITION'],
  },

  // Stylist dashboard
  {
    method: 'get',
    path: '/api/stylist/bookings',
    tag: 'Stylist',
    summary: "A stylist's bookings with customer context",
    roles: STAFF,
    query: stylistBookingsQuery,
    ok: { status: 200, description: 'Bookings with `customer`' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/stylist/day',
    tag: 'Stylist',
    summary: "One local day of a stylist's timeline",
    roles: STAFF,
    query: stylistDayQuery,
    ok: { status: 200, description: '`{stylistId, date, timezone, windows, holds, overrides, attention}`' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/stylist/customers/:customerId/safety-notes',
    tag: 'Stylist',
    summary: "Read a customer's safety notes (audited)",
    roles: STAFF,
    params: customerParams,
    body: safetyNotesBody,
    ok: { status: 200, description: '`{customerId, safetyNotes}`' },
    errors: ['NOT_FOUND'],
  },

  // Admin
  {
    method: 'get',
    path: '/api/admin/metrics',
    tag: 'Admin',
    summary: 'Prometheus metrics for the console',
    roles: ADMIN,
    query: noQuery,
    ok: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' },
  },
  {
    method: 'post',
    path: '/api/admin/stylists',
    tag: 'Admin',
    summary: 'Create a stylist with their login',
    roles: ADMIN,
    body: createStylistBody,
    ok: { status: 201, description: 'The stylist' },
    errors: ['NOT_FOUND', 'CONFLICT', 'UNKNOWN_TIMEZONE'],
  },
  {
    method: 'get',
    path: '/api/admin/stylists/:id/schedule',
    tag: 'Admin',
    summary: 'The weekly schedule in force on a date',
    roles: ADMIN,
    params: idParams,
    query: scheduleQuery,
    ok: { status: 200, description: '`{stylistId, date, effectiveFrom, effectiveUntil, days}`' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'put',
    path: '/api/admin/stylists/:id/schedule',
    tag: 'Admin',
    summary: 'Replace the weekly schedule from a date',
    roles: ADMIN,
    params: idParams,
    body: scheduleBody,
    ok: { status: 200, description: 'The schedule' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/admin/overrides',
    tag: 'Admin',
    summary: 'Overrides in a date range',
    roles: ADMIN,
    query: overridesQuery,
    ok: { status: 200, description: 'Overrides' },
  },
  {
    method: 'post',
    path: '/api/admin/overrides/preview',
    tag: 'Admin',
    summary: 'What creating an override would affect (writes nothing)',
    roles: ADMIN,
    body: createOverrideBody,
    ok: { status: 200, description: '`{affectedBookings}`' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/admin/overrides',
    tag: 'Admin',
    summary: 'Create a closure or special hours',
    roles: ADMIN,
    body: createOverrideBody,
    ok: { status: 201, description: '`{override, affectedBookings}`' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'delete',
    path: '/api/admin/overrides/:id',
    tag: 'Admin',
    summary: 'Delete an override',
    roles: ADMIN,
    params: idParams,
    ok: { status: 204, description: 'Deleted' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/admin/announcements',
    tag: 'Admin',
    summary: 'Broadcast an announcement',
    roles: ADMIN,
    body: announcementBody,
    ok: { status: 201, description: 'The announcement' },
  },
  {
    method: 'get',
    path: '/api/admin/audit-log',
    tag: 'Admin',
    summary: 'Audit log, newest first',
    roles: ADMIN,
    query: auditLogQuery,
    ok: { status: 200, description: 'Audit entries' },
  },

  // Front desk
  {
    method: 'get',
    path: '/api/desk/calendar',
    tag: 'Desk',
    summary: 'One salon-local day of every active stylist (default today)',
    roles: DESK,
    query: deskCalendarQuery,
    ok: {
      status: 200,
      description:
        '`{date, timezone, stylists: [{stylistId, displayName, timezone, windows, bookings, holds, overrides}], waitlist: {total, byStylist}, truncated}`',
    },
  },
  {
    method: 'post',
    path: '/api/desk/bookings',
    tag: 'Desk',
    summary: 'Book for a customer or a walk-in (inside the notice; outside the hours only with force and a reason)',
    roles: DESK,
    body: deskBookingBody,
    limiter: 'booking',
    ok: { status: 201, description: 'The booking with the desk\u2019s customer context' },
    errors: ['NOT_FOUND', 'NOT_ON_GRID', 'OUTSIDE_HOURS', 'IN_PAST', 'SLOT_TAKEN', 'SLOT_HELD', 'CONFLICT', 'CUSTOMER_BUSY'],
  },
  {
    method: 'get',
    path: '/api/desk/customers',
    tag: 'Desk',
    summary: 'Find customers by name, e-mail or phone',
    roles: DESK,
    query: deskCustomersQuery,
    ok: { status: 200, description: '`[{id, displayName, email, phone, walkIn, lastVisitAt, upcoming}]` (at most 20)' },
  },
  {
    method: 'get',
    path: '/api/admin/reports/summary',
    tag: 'Admin',
    summary: "The salon's numbers per date and stylist (at most 92 days)",
    roles: ADMIN,
    query: reportQuery,
    ok: { status: 200, description: '`ReportSummaryDto`: rows per date and stylist, per-day, per-stylist and total figures' },
  },
  {
    method: 'get',
    path: '/api/admin/messages',
    tag: 'Admin',
    summary: 'Messages sent or kept in the local mailbox, newest first, with their delivery state',
    roles: ADMIN,
    query: messagesQuery,
    ok: { status: 200, description: 'Message summaries' },
  },
  {
    method: 'get',
    path: '/api/admin/messages/:id',
    tag: 'Admin',
    summary: 'One message: its text and HTML parts, attachments and delivery state',
    roles: ADMIN,
    params: messageParams,
    query: noQuery,
    ok: { status: 200, description: 'The message' },
    errors: ['NOT_FOUND'],
  },
  // Manage links (no session: the token is the credential) and calendars
  {
    method: 'get',
    path: '/api/manage/:token',
    tag: 'Manage links',
    summary: 'The booking of a manage link and what the link still allows',
    roles: EVERYONE,
    params: manageParams,
    query: noQuery,
    ok: { status: 200, description: '`{booking, stylist, service, salon, actions, used, expiresAt, calendarUrl}`' },
    errors: ['LINK_INVALID', 'LINK_EXPIRED'],
  },
  {
    method: 'get',
    path: '/api/manage/:token/calendar.ics',
    tag: 'Manage links',
    summary: 'The booking of a manage link as an .ics file',
    roles: EVERYONE,
    params: manageParams,
    query: noQuery,
    ok: { status: 200, description: 'iCalendar (RFC 5545)', contentType: 'text/calendar' },
    errors: ['LINK_INVALID', 'LINK_EXPIRED'],
  },
  {
    method: 'post',
    path: '/api/manage/:token/cancel',
    tag: 'Manage links',
    summary: 'Cancel the booking of a manage link (once per link)',
    roles: EVERYONE,
    params: manageParams,
    body: manageCancelBody,
    bodyOptional: true,
    limiter: 'booking',
    ok: { status: 200, description: '`{booking}`' },
    errors: ['LINK_INVALID', 'LINK_EXPIRED', 'LINK_USED', 'LINK_NOT_ALLOWED', 'INVALID_TRANSITION'],
  },
  {
    method: 'post',
    path: '/api/manage/:token/reschedule',
    tag: 'Manage links',
    summary: 'Move the booking of a manage link (once per link; answers a fresh link)',
    roles: EVERYONE,
    params: manageParams,
    body: manageRescheduleBody,
    limiter: 'booking',
    ok: { status: 200, description: '`{booking, token}`' },
    errors: [
      'LINK_INVALID',
      'LINK_EXPIRED',
      'LINK_USED',
      'LINK_NOT_ALLOWED',
      'NOT_ON_GRID',
      'OUTSIDE_HOURS',
      'IN_PAST',
      'SLOT_TAKEN',
      'SLOT_HELD',
      'INVALID_TRANSITION',
      'CONFLICT',
      'CUSTOMER_BUSY',
    ],
  },
  {
    method: 'get',
    path: '/api/bookings/:id/calendar.ics',
    tag: 'Calendars',
    summary: 'A booking as an .ics file (its customer, the front desk)',
    roles: LOGGED_IN,
    params: idParams,
    query: noQuery,
    ok: { status: 200, description: 'iCalendar (RFC 5545)', contentType: 'text/calendar' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/stylist/calendar.ics',
    tag: 'Calendars',
    summary: "A stylist's subscription feed (the token from the dashboard; no session)",
    roles: EVERYONE,
    query: feedQuery,
    ok: { status: 200, description: 'iCalendar (RFC 5545)', contentType: 'text/calendar' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/stylist/calendar-token',
    tag: 'Calendars',
    summary: "Whether the stylist's feed is on, and since when",
    roles: ['stylist'],
    query: noQuery,
    ok: { status: 200, description: '`{feed: {createdAt} | null}`' },
  },
  {
    method: 'post',
    path: '/api/stylist/calendar-token',
    tag: 'Calendars',
    summary: "Create or replace the stylist's feed token (the old address stops working)",
    roles: ['stylist'],
    ok: { status: 201, description: '`{token, url, createdAt}` (the token is shown only here)' },
  },
  {
    method: 'delete',
    path: '/api/stylist/calendar-token',
    tag: 'Calendars',
    summary: "Revoke the stylist's feed token",
    roles: ['stylist'],
    ok: { status: 204, description: 'Revoked (also when there was none)' },
  },
  // Waitlist (customers only)
  {
    method: 'post',
    path: '/api/waitlist',
    tag: 'Bookings',
    summary: 'Join the waitlist for a service on a date (a stylist or any, optionally a time range)',
    roles: ['customer'],
    body: joinWaitlistBody,
    limiter: 'booking',
    ok: { status: 201, description: 'The entry `{id, stylistId, serviceId, date, from, to, status, createdAt, offer}`' },
    errors: ['NOT_FOUND', 'IN_PAST', 'OUTSIDE_HOURS', 'SLOTS_AVAILABLE', 'WAITLIST_FULL', 'WAITLIST_DUPLICATE'],
  },
  {
    method: 'get',
    path: '/api/waitlist/mine',
    tag: 'Bookings',
    summary: "The caller's waiting entries, each with its live offer",
    roles: ['customer'],
    ok: { status: 200, description: 'Entries, by date then join order' },
  },
  {
    method: 'delete',
    path: '/api/waitlist/:id',
    tag: 'Bookings',
    summary: 'Leave the waitlist (a live offer is released)',
    roles: ['customer'],
    params: idParams,
    ok: { status: 204, description: 'Left' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/waitlist/:id/decline',
    tag: 'Bookings',
    summary: 'Decline the live offer: the time goes to the next waiter; the entry keeps waiting',
    roles: ['customer'],
    params: idParams,
    body: declineBody,
    bodyOptional: true,
    ok: { status: 200, description: 'The entry' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/admin/stylists',
    tag: 'Admin',
    summary: 'Every stylist, inactive ones too, with settings, budgets and future active bookings',
    roles: ADMIN,
    query: noQuery,
    ok: { status: 200, description: 'Stylists' },
  },
  {
    method: 'patch',
    path: '/api/admin/stylists/:id',
    tag: 'Admin',
    summary: 'Edit a stylist: profile, zone, settings, services, time-off budgets, active',
    roles: ADMIN,
    params: idParams,
    body: patchStylistBody,
    ok: { status: 200, description: '`{stylist, flaggedBookingIds, clearedBookingIds}`' },
    errors: ['NOT_FOUND', 'UNKNOWN_TIMEZONE'],
  },
  {
    method: 'get',
    path: '/api/admin/services',
    tag: 'Admin',
    summary: 'Every service, retired ones too',
    roles: ADMIN,
    query: noQuery,
    ok: { status: 200, description: 'Services' },
  },
  {
    method: 'post',
    path: '/api/admin/services',
    tag: 'Admin',
    summary: 'Add a service to the catalogue',
    roles: ADMIN,
    body: createServiceBody,
    ok: { status: 201, description: 'The service' },
  },
  {
    method: 'patch',
    path: '/api/admin/services/:id',
    tag: 'Admin',
    summary: 'Edit a service: name, category, duration, price, active',
    roles: ADMIN,
    params: idParams,
    body: patchServiceBody,
    ok: { status: 200, description: 'The service' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'delete',
    path: '/api/admin/time-off/:id',
    tag: 'Admin',
    summary: 'Revoke a stylist’s time off: its closure is deleted, the request kept as revoked',
    roles: ADMIN,
    params: idParams,
    ok: { status: 200, description: 'The request, revoked' },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'get',
    path: '/api/stylist/time-off',
    tag: 'Stylist',
    summary: 'The stylist’s own time-off requests and what is left of this month’s budgets',
    roles: STYLIST,
    query: timeOffQuery,
    ok: { status: 200, description: '`{month, ordinary, emergency, requests}`' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/stylist/time-off',
    tag: 'Stylist',
    summary: 'Take time off: a closure of the stylist, within the monthly budget',
    roles: STYLIST,
    body: timeOffBody,
    ok: { status: 201, description: '`{request, override, affectedBookings}`' },
    errors: ['NOT_FOUND', 'CONFLICT', 'BUDGET_EXHAUSTED'],
  },
];

/** `METHOD path` of a route, as the drift test and the fuzz name it. */
export const routeName = (r: Pick<RouteSpec, 'method' | 'path'>): string => `${r.method.toUpperCase()} ${r.path}`;
