import { z } from 'zod';
import { displayName } from './auth.ts';
import { createStylistBody, stylistServiceInput, type AdminStylistDto } from './admin.ts';
import { uuid, zoneName } from './common.ts';

/**
 * Admin edits of stylists and the service catalogue (docs/api.md "Admin"): `PATCH
 * /api/admin/stylists/:id`, `GET|POST /api/admin/services`, `PATCH /api/admin/services/:id`.
 * Bounds are those of `createStylistBody` and of the schema's checks.
 */

/** Time-off requests per month, ordinary or emergency (docs/domain.md "Time off"). */
export const timeOffBudget = z.number().int().min(0).max(31);

const settings = createStylistBody.shape;

export const patchStylistBody = z
  .strictObject({
    displayName: displayName.optional(),
    bio: settings.bio,
    timezone: zoneName.optional(),
    slotStepMinutes: settings.slotStepMinutes,
    bufferMinutes: settings.bufferMinutes,
    minNoticeMinutes: settings.minNoticeMinutes,
    horizonDays: settings.horizonDays,
    /** The whole offered set: services left out are no longer offered (bookings keep theirs). */
    services: z.array(stylistServiceInput).max(100).optional(),
    active: z.boolean().optional(),
    timeOffBudget: timeOffBudget.optional(),
    emergencyBudget: timeOffBudget.optional(),
  })
  .superRefine((b, ctx) => {
    if (Object.values(b).every((v) => v === undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'change at least one field' });
    const seen = new Set<string>();
    b.services?.forEach((s, i) => {
      if (seen.has(s.serviceId)) ctx.addIssue({ code: 'custom', path: ['services', i, 'serviceId'], message: 'listed twice' });
      seen.add(s.serviceId);
    });
  });
export type PatchStylistBody = z.infer<typeof patchStylistBody>;

/** A stylist as the admin console edits it: `AdminStylistDto`, its budgets and its future active bookings. */
export interface AdminStylistDetailDto extends AdminStylistDto {
  timeOffBudget: number;
  emergencyBudget: number;
  /** Active bookings that have not ended yet: what deactivating would flag. */
  futureActiveBookings: number;
}

/** `PATCH /api/admin/stylists/:id`: the stylist after the change, and the bookings whose flag it changed. */
export interface PatchStylistResponse {
  stylist: AdminStylistDetailDto;
  /** Ids of future active bookings flagged (deactivated) or cleared (reactivated) by this change. */
  flaggedBookingIds: string[];
  clearedBookingIds: string[];
}

const serviceFields = {
  name: z.string().trim().min(1).max(120),
  category: z.string().trim().max(60),
  durationMinutes: z.number().int().min(5).max(720),
  priceCents: z.number().int().min(0).max(100_000_000),
  active: z.boolean(),
};

export const createServiceBody = z.strictObject({
  name: serviceFields.name,
  category: serviceFields.category.optional(),
  durationMinutes: serviceFields.durationMinutes,
  priceCents: serviceFields.priceCents,
  active: serviceFields.active.optional(),
});
export type CreateServiceBody = z.infer<typeof createServiceBody>;

export const patchServiceBody = z
  .strictObject({
    name: serviceFields.name.optional(),
    category: serviceFields.category.optional(),
    durationMinutes: serviceFields.durationMinutes.optional(),
    priceCents: serviceFields.priceCents.optional(),
    active: serviceFields.active.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'change at least one field' });
export type PatchServiceBody = z.infer<typeof patchServiceBody>;

/** A service as the admin sees it (inactive ones too), with how many stylists offer it. */
export interface AdminServiceDto {
  id: string;
  name: string;
  category: string;
  durationMinutes: number;
  priceCents: number;
  active: boolean;
  stylistCount: number;
}

export const serviceIdParams = z.strictObject({ id: uuid });
