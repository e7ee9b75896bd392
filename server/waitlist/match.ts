// Which times match a waitlist entry: the stylists it may go to, its salon-local range as instants,
// and the starts the slot engine reports free in it now (from the slot cache; the offer itself is
// re-checked under the stylist's lock).
import type pg from 'pg';
import { AppError } from '../errors.ts';
import { addLocalDays, horizonAt, localDateAt, localTimeToInstant } from '../slots/engine.ts';
import type { SlotService } from '../slots/service.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface WaitStylist {
  id: string;
  user_id: string;
  timezone: string;
  buffer_minutes: number;
  horizon_days: number;
}

/** The active stylists offering `serviceId` (just `stylistId` when given), by name. */
export async function stylistsFor(db: Queryable, serviceId: string, stylistId: string | null): Promise<WaitStylist[]> {
  const { rows } = await db.query<WaitStylist>(
    `select st.id, st.user_id, st.timezone, st.buffer_minutes, st.horizon_days
       from stylists st join stylist_services ss on ss.stylist_id = st.id join services sv on sv.id = ss.service_id
      where ss.service_id = $1 and st.active and sv.active and ($2::uuid is null or st.id = $2::uuid)
      order by st.display_name, st.id limit 100`,
    [serviceId, stylistId],
  );
  return rows;
}

export interface Range {
  fromMs: number;
  toMs: number;
}

/** The entry's salon-local [from, to) on its date as instants (the whole day without a range). */
export function rangeOf(date: string, from: string | null, to: string | null, salonZone: string): Range {
  return {
    fromMs: localTimeToInstant(date, from ?? '00:00', salonZone, 'start'),
    toMs: localTimeToInstant(date, to ?? '24:00', salonZone, 'end'),
  };
}

/** Today in the salon, and the last date any of `stylists` takes bookings for (null: none). */
export function bookableDates(stylists: readonly WaitStylist[], nowMs: number, salonZone: string): { today: string; last: string | null } {
  let last: string | null = null;
  for (const s of stylists) {
    const d = horizonAt(nowMs, s.horizon_days, s.timezone).lastDate;
    if (last === null || d > last) last = d;
  }
  return { today: localDateAt(nowMs, salonZone), last };
}

export interface FreeStart {
  stylist: WaitStylist;
  startMs: number;
}

/**
 * Free starts in `range` with any of `stylists`, earliest first (then in the stylists' order), at
 * most `limit`. A stylist whose day cannot be answered (no longer offering the service) is skipped.
 */
export async function freeStarts(
  slots: SlotService,
  stylists: readonly WaitStylist[],
  serviceId: string,
  range: Range,
  limit: number,
): Promise<FreeStart[]> {
  const out: FreeStart[] = [];
  for (const stylist of stylists) {
    // The stylist-local dates the range touches (one, unless the zones differ).
    const first = localDateAt(range.fromMs, stylist.timezone);
    const last = localDateAt(range.toMs - 1, stylist.timezone);
    for (let date = first, n = 0; date <= last && n < 3; date = addLocalDays(date, 1), n++) {
      let answer;
      try {
        answer = await slots.answer({ stylistId: stylist.id, serviceId, date }, undefined);
      } catch (err) {
        if (err instanceof AppError) continue;
        throw err;
      }
      for (const s of answer.slots) {
        const startMs = Date.parse(s.startUtc);
        if (s.status === 'available' && startMs >= range.fromMs && startMs < range.toMs) out.push({ stylist, startMs });
      }
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || stylists.indexOf(a.stylist) - stylists.indexOf(b.stylist));
  return out.slice(0, limit);
}
