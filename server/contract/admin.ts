import { z } from 'zod';
import { displayName, email, password, type Role } from './auth.ts';
import type { BookingDto } from './bookings.ts';
import { uuid, wallTime, zoneName, localDate } from './common.ts';

/** Admin console: stylists, schedules, overrides, announcements, audit log (docs/api.md "Admin"). */

export const stylistServiceInput = z.strictObject({
  serviceId: uuid,
  durationMinutes: z.number().int().min(5).max(720).optional(),
  priceCents: z.number().int().min(0).max(100_000_000).optional(),
});

export const createStylistBody = z
  .strictObject({
    displayName,
    email,
    password,
    timezone: zoneName,
    bio: z.string().max(2000).optional(),
    slotStepMinutes: z.number().int().min(5).max(240).optional(),
    bufferMinutes: z.number().int().min(0).max(240).optional(),
    minNoticeMinutes: z.number().int().min(0).max(43_200).optional(),
    horizonDays: z.number().int().min(1).max(730).optional(),
    services: z.array(stylistServiceInput).max(100),
  })
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.services.forEach((s, i) => {
      if (seen.has(s.serviceId)) ctx.addIssue({ code: 'custom', path: ['services', i, 'serviceId'], message: 'listed twice' });
      seen.add(s.serviceId);
    });
  });
export type CreateStylistBody = z.infer<typeof createStylistBody>;

export interface AdminStylistDto {
  id: string;
  userId: string;
  email: string;
  displayName: string;
  timezone: string;
  bio: string;
  slotStepMinutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
  active: boolean;
  services: { id: string; name: string; durationMinutes: number; priceCents: number }[];
}

export const scheduleWindow = z
  .strictObject({ start: wallTime, end: wallTime })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });

export const scheduleBody = z
  .strictObject({
    effectiveFrom: localDate.optional(),
    days: z
      .array(
        z.strictObject({
          dayOfWeek: z.number().int().min(0).max(6),
          windows: z.array(scheduleWindow).max(12),
        }),
      )
      .max(7),
  })
  .superRefine((b, ctx) => {
    const seen = new Set<number>();
    b.days.forEach((d, i) => {
      if (seen.has(d.dayOfWeek)) ctx.addIssue({ code: 'custom', path: ['days', i, 'dayOfWeek'], message: 'listed twice' });
      seen.add(d.dayOfWeek);
      const sorted = [...d.windows].sort((a, b) => (a.start < b.start ? -1 : 1));
      for (let k = 1; k < sorted.length; k++) {
        if (sorted[k].start < sorted[k - 1].end) {
          ctx.addIssue({ code: 'custom', path: ['days', i, 'windows'], message: 'windows overlap' });
          break;
        }
      }
    });
  });
export type ScheduleBody = z.infer<typeof scheduleBody>;

export interface ScheduleDto {
  stylistId: string;
  effectiveFrom: string;
  days: { dayOfWeek: number; windows: { start: string; end: string }[] }[];
}

/** `GET /api/admin/stylists/:id/schedule`: which day's schedule to read (default: today in the stylist's zone). */
export const scheduleQuery = z.strictObject({
  date: localDate.optional(),
});

/**
 * The weekly schedule in force on `date`, in the PUT body's shape: all seven days, in order, a day
 * off with no windows. `effectiveFrom` is null when no schedule applies on that date; `effectiveUntil`
 * is the last day of this version when a later one is already set (else null).
 */
export interface CurrentScheduleDto {
  stylistId: string;
  date: string;
  effectiveFrom: string | null;
  effectiveUntil: string | null;
  days: ScheduleDto['days'];
}

export const overrideKind = z.enum(['closed', 'hours', 'blocked']);
export const overrideScope = z.enum(['salon', 'stylist']);

/** Longest override, in days: a year and a day (a long closure is split by the admin). */
export const MAX_OVERRIDE_DAYS = 366;

export const createOverrideBody = z
  .strictObject({
    scope: overrideScope,
    stylistId: uuid.optional(),
    startDate: localDate,
    endDate: localDate,
    kind: overrideKind,
    start: wallTime.optional(),
    end: wallTime.optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    reason: z.string().trim().min(1).max(500),
  })
  .superRefine((o, ctx) => {
    if (o.scope === 'stylist' && o.stylistId === undefined)
      ctx.addIssue({ code: 'custom', path: ['stylistId'], message: 'required for scope stylist' });
    if (o.scope === 'salon' && o.stylistId !== undefined)
      ctx.addIssue({ code: 'custom', path: ['stylistId'], message: 'not allowed for scope salon' });
    if (o.kind === 'closed') {
      if (o.start !== undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: 'not allowed for kind closed' });
      if (o.end !== undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: 'not allowed for kind closed' });
    } else {
      if (o.start === undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: `required for kind ${o.kind}` });
      if (o.end === undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: `required for kind ${o.kind}` });
      if (o.start !== undefined && o.end !== undefined && !(o.start < o.end))
        ctx.addIssue({ code: 'custom', path: ['end'], message: 'start must be before end' });
    }
    if (o.endDate < o.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'before startDate' });
    else if ((Date.parse(o.endDate) - Date.parse(o.startDate)) / 86_400_000 >= MAX_OVERRIDE_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: `at most ${MAX_OVERRIDE_DAYS} days` });
    }
  });
export type CreateOverrideBody = z.infer<typeof createOverrideBody>;

export const overridesQuery = z.strictObject({
  from: localDate.optional(),
  to: localDate.optional(),
  stylistId: uuid.optional(),
});

export interface OverrideDto {
  id: string;
  scope: z.infer<typeof overrideScope>;
  stylistId: string | null;
  startDate: string;
  endDate: string;
  kind: z.infer<typeof overrideKind>;
  start: string | null;
  end: string | null;
  priority: number;
  reason: string;
  createdBy: string | null;
  createdAt: string;
  /** Set when the override is a stylist's own time-off request (docs/domain.md "Time off"): who asked. */
  timeOff?: { requestId: string; emergency: boolean; requestedBy: string | null; requestedByName: string | null } | null;
}

export interface CreateOverrideResponse {
  override: OverrideDto;
  /**
   * Active bookings that the override puts outside the working hours (inside them without it,
   * outside with it; bookings already outside are not listed). Not cancelled.
   */
  affectedBookings: AffectedBookingDto[];
}

/** `POST /api/admin/overrides/preview` (same body as create): what creating it would affect; writes nothing. */
export interface OverridePreviewResponse {
  affectedBookings: AffectedBookingDto[];
}

/** A booking an override affects, with how to reach its customer (the admin calls them). */
export interface AffectedBookingDto extends BookingDto {
  customer: { id: string; displayName: string; phone: string | null; email: string };
}

export const announcementBody = z.strictObject({
  message: z.string().trim().min(1).max(1000),
  audience: z.enum(['all', 'stylists', 'customers']),
  level: z.enum(['info', 'warning']),
});
export type AnnouncementBody = z.infer<typeof announcementBody>;

export interface AnnouncementDto {
  id: string;
  message: string;
  audience: AnnouncementBody['audience'];
  level: AnnouncementBody['level'];
  createdBy: string | null;
  at: string;
}

/** How long an announcement stays current (`GET /api/announcements/current`), in hours. */
export const ANNOUNCEMENT_CURRENT_HOURS = 24;

/** `GET /api/announcements/current` takes no parameters. */
export const currentAnnouncementsQuery = z.strictObject({});

/** A current announcement, as the `announcement` socket event carries it (without its eventId or author). */
export type CurrentAnnouncementDto = Omit<AnnouncementDto, 'createdBy'>;

export const auditLogQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(500).optional(),
    /** Entries with an id below this one (the last id of the previous page). */
    before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    /** Entries whose action starts with this, e.g. `booking.` or `override.create`. */
    action: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.]+$/, 'letters, digits, _ and . only')
      .optional(),
    /** Entries by this user. */
    actorId: uuid.optional(),
    /** Entries on or after this salon-local date. */
    from: localDate.optional(),
    /** Entries on or before this salon-local date. */
    to: localDate.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'before from', path: ['to'] });
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

export interface AuditEntryDto {
  id: number;
  at: string;
  actorId: string | null;
  /** The actor's display name and role now; null when there is no actor (or the account is gone). */
  actorName: string | null;
  actorRole: Role | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
  /** The customer the target concerns (a booking's, a hold's, the user whose notes were read), named as now. */
  customerId: string | null;
  customerName: string | null;
  /** The stylist the target concerns (a booking's, a stylist override's, the stylist changed). */
  stylistId: string | null;
  stylistName: string | null;
  /** A booking's local date (the stylist's zone) and start; an override's first date (startUtc null). */
  date: string | null;
  startUtc: string | null;
}
