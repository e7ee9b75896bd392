import { z } from 'zod';
import type { AffectedBookingDto, OverrideDto } from './admin.ts';
import { localDate } from './common.ts';

/** Stylist time off (docs/domain.md "Time off"; docs/api.md "Stylist"). */

/** Longest request, in days (both ends included). */
export const MAX_TIME_OFF_DAYS = 14;
/** How far ahead time off may start, in days, when the stylist's booking horizon is shorter. */
export const TIME_OFF_MIN_REACH_DAYS = 365;
/** Defaults of the per-stylist budgets (an admin sets each stylist's own). */
export const DEFAULT_TIME_OFF_BUDGET = 3;
export const DEFAULT_EMERGENCY_BUDGET = 1;

export const timeOffBody = z
  .strictObject({
    startDate: localDate,
    endDate: localDate,
    reason: z.string().trim().max(200).optional(),
    /** An emergency may start today (the stylist's zone) and counts against the emergency budget. */
    emergency: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.endDate < b.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'before startDate' });
    else if ((Date.parse(b.endDate) - Date.parse(b.startDate)) / 86_400_000 + 1 > MAX_TIME_OFF_DAYS)
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: `at most ${MAX_TIME_OFF_DAYS} days` });
  });
export type TimeOffBody = z.infer<typeof timeOffBody>;

export const timeOffQuery = z.strictObject({});

export interface TimeOffRequestDto {
  id: string;
  stylistId: string;
  overrideId: string;
  startDate: string;
  endDate: string;
  reason: string;
  emergency: boolean;
  /** `active` while its override stands; `revoked` once an admin removed it (still counted). */
  status: 'active' | 'revoked';
  /** Stylist-local month (YYYY-MM) whose budget it counts against. */
  month: string;
  createdAt: string;
  revokedAt: string | null;
}

/** One budget of one month: how many requests it allows, how many were made, how many are left. */
export interface TimeOffBudgetDto {
  budget: number;
  used: number;
  left: number;
}

/** `GET /api/stylist/time-off`. */
export interface TimeOffListDto {
  /** The current stylist-local month, YYYY-MM. */
  month: string;
  ordinary: TimeOffBudgetDto;
  emergency: TimeOffBudgetDto;
  /** Newest first, at most 100. */
  requests: TimeOffRequestDto[];
}

/** `POST /api/stylist/time-off` (201). */
export interface TimeOffCreatedDto {
  request: TimeOffRequestDto;
  override: OverrideDto;
  /** Active bookings the closure puts outside the hours (flagged, not cancelled). */
  affectedBookings: AffectedBookingDto[];
}

/** `details` of a 429 `BUDGET_EXHAUSTED`. */
export interface BudgetExhaustedDetails {
  budget: number;
  used: number;
  month: string;
  emergency: boolean;
}
