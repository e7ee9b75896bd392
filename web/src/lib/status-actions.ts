// What staff may do to a booking's status now (the stylist's dashboard and the front desk; the
// server has the last word, docs/domain.md §6).
import type { BookingStatus } from './types.ts';

/** `via`: a step the state machine needs first (a past visit never started becomes completed through in progress). */
export type StatusAction = { status: BookingStatus; label: string; via?: BookingStatus };

/**
 * The status actions on a booking at `nowMs`: start (`startLabel`: the desk says "Check in") from
 * 30 minutes before its start, completed once it has ended (through in progress), no-show once it
 * has started.
 */
export function statusActions(
  b: { status: BookingStatus; startUtc: string; endUtc: string },
  nowMs: number,
  startLabel = 'Start',
): StatusAction[] {
  const start = Date.parse(b.startUtc);
  const end = Date.parse(b.endUtc);
  switch (b.status) {
    case 'pending':
      return [{ status: 'confirmed', label: 'Confirm' }];
    case 'confirmed': {
      const out: StatusAction[] = [];
      if (nowMs >= start - 30 * 60_000) out.push({ status: 'in_progress', label: startLabel });
      if (nowMs >= end) out.push({ status: 'completed', label: 'Completed', via: 'in_progress' });
      if (nowMs >= start) out.push({ status: 'no_show', label: 'No-show' });
      return out;
    }
    case 'in_progress':
      return [{ status: 'completed', label: 'Complete' }];
    default:
      return [];
  }
}
