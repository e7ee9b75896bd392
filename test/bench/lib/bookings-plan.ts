// Which starts the bookings benchmark books: free starts on the stylist's real slot grid, chosen
// with the server's own day loader and slot engine, far enough apart (duration + buffer) that all of
// them can be booked by one stylist without any one blocking another. Every booking of a run then
// succeeds unless something is wrong, so a 409 means a real conflict, not a planning mistake.
import type { Pool } from '../../../server/db/pool.ts';
import { bookableRange, computeDaySlots, horizonAt } from '../../../server/slots/engine.ts';
import { loadDay } from '../../../server/slots/load.ts';

export interface FreeStarts {
  /** Epoch ms, increasing; pairwise non-overlapping including the buffer. */
  starts: number[];
  /** Stylist-local dates the starts span (first, last). */
  firstDate: string;
  lastDate: string;
  perDay: number;
  durationMinutes: number;
  bufferMinutes: number;
  priceCents: number;
}

const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * At least `count` free starts of `stylistId` (which must have no bookings or holds yet) for
 * `serviceId`, day after day from `firstDate`, each bookable at `nowMs` and still bookable
 * `marginMs` later (minimum notice and horizon). Stylists with the same zone, schedule and settings
 * share the answer.
 */
export async function freeStarts(
  pool: Pool,
  o: { stylistId: string; serviceId: string; firstDate: string; count: number; nowMs: number; marginMs: number },
): Promise<FreeStarts> {
  const starts: number[] = [];
  let perDay = 0;
  let lastDate = o.firstDate;
  let settings: { durationMinutes: number; bufferMinutes: number; priceCents: number } | undefined;
  for (let d = 0; starts.length < o.count; d++) {
    if (d > 730) throw new Error(`only ${starts.length} free starts within 730 days; ${o.count} needed`);
    const date = addDays(o.firstDate, d);
    const day = await loadDay(pool, { stylistId: o.stylistId, serviceId: o.serviceId, date });
    if (!day) throw new Error(`stylist ${o.stylistId} does not offer service ${o.serviceId}`);
    if (day.input.bookings.length || day.input.holds.length) throw new Error(`stylist ${o.stylistId} is not empty on ${date}`);
    settings = day.settings;
    const { slots } = computeDaySlots(day.input);
    const s = day.settings;
    // Bookable now and still at the end of the run (the notice moves with the clock, the horizon too).
    const early = bookableRange(slots, o.nowMs + o.marginMs, s.minNoticeMinutes, horizonAt(o.nowMs, s.horizonDays, s.timezone).endMs);
    const late = bookableRange(slots, o.nowMs, s.minNoticeMinutes, horizonAt(o.nowMs, s.horizonDays, s.timezone).endMs);
    const occupiedMs = (s.durationMinutes + s.bufferMinutes) * 60_000;
    let freeFrom = -Infinity;
    let n = 0;
    for (let i = early.from; i < late.to && starts.length < o.count; i++) {
      const slot = slots[i];
      if (slot.status !== 'available' || slot.startMs < freeFrom) continue;
      starts.push(slot.startMs);
      freeFrom = slot.startMs + occupiedMs;
      n++;
    }
    perDay = Math.max(perDay, n);
    if (n) lastDate = date;
  }
  return {
    starts,
    firstDate: o.firstDate,
    lastDate,
    perDay,
    durationMinutes: settings!.durationMinutes,
    bufferMinutes: settings!.bufferMinutes,
    priceCents: settings!.priceCents,
  };
}
