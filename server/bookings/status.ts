import { ACTIVE_STATUSES, type BookingStatus } from '../contract/enums.ts';

/**
 * ACTIVE_STATUSES as an SQL list literal, written into query text rather than bound: the planner
 * can then match the partial exclusion index whose predicate is the same list.
 */
export const ACTIVE_STATUSES_SQL = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');

/** docs/domain.md §6: the only moves a booking's status may make. */
export const TRANSITIONS: Readonly<Record<BookingStatus, readonly BookingStatus[]>> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['in_progress', 'cancelled', 'no_show'],
  in_progress: ['completed'],
  completed: [],
  cancelled: [],
  no_show: [],
};

/** A booking may be started this long before its start time, no earlier. */
export const EARLY_START_MS = 30 * 60_000;

/**
 * Why `from → to` is refused at `nowMs` for a booking starting at `startMs`, or null when allowed.
 * Timing: no_show only once the start has passed; in_progress no earlier than 30 min before it.
 */
export function refusedTransition(from: BookingStatus, to: BookingStatus, startMs: number, nowMs: number): string | null {
  if (!TRANSITIONS[from].includes(to)) return `A ${from} booking cannot become ${to}`;
  if (to === 'no_show' && nowMs < startMs) return 'A booking can be marked no_show only after its start';
  if (to === 'in_progress' && nowMs < startMs - EARLY_START_MS) return 'A booking can start at most 30 minutes early';
  return null;
}
