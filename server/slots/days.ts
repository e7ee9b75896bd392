// A month at a glance: for each date of a range, how many starts are available now and whether the
// day is open, full, closed or off (server/contract/slots.ts defines each), from the same cached
// answers as the slot grid. Computing what is not cached is paid for, one unit per stylist-day, from
// the caller's slot-miss budget (server/slots/limit.ts), so a range of 62 days × every stylist
// costs what 62 × N slot queries would.
import { DateTime } from 'luxon';
import { ANY_STYLIST, type AvailableDay, type AvailableDaysQuery, type DayStatus, type Slot } from '../contract/slots.ts';
import type { AnySlots } from './any.ts';
import type { SlotAnswer, SlotService } from './service.ts';

/** Days computed at once for one request: leaves most of the pool to others. */
const CONCURRENCY = 4;

/** Takes `units` from the caller's miss budget, or throws RATE_LIMITED. */
export type ChargeMisses = (units: number) => Promise<void>;

export class AvailableDays {
  readonly #slots: SlotService;
  readonly #any: AnySlots;

  constructor(opts: { slots: SlotService; any: AnySlots }) {
    this.#slots = opts.slots;
    this.#any = opts.any;
  }

  /** GET /api/bookings/available-days: every date of the range. */
  days(q: AvailableDaysQuery, charge: ChargeMisses): Promise<AvailableDay[]> {
    return this.#days(q, datesOf(q.from, q.to), charge);
  }

  /** Some dates of one stylist (or `any`), uncharged: the live pushes, computed once for every watcher. */
  some(stylistId: string, serviceId: string, dates: readonly string[]): Promise<AvailableDay[]> {
    return this.#days({ stylistId, serviceId }, dates, async () => {});
  }

  async #days(q: { stylistId: string; serviceId: string }, dates: readonly string[], charge: ChargeMisses): Promise<AvailableDay[]> {
    const any = q.stylistId === ANY_STYLIST;
    // The roster first (one small query when not known), so the misses can be counted per stylist.
    const rosterSize = any ? (await this.#any.roster(q.serviceId)).stylists.length : 0;
    if (any) await this.#any.salonZone();
    const out = new Array<AvailableDay | undefined>(dates.length);
    const todo: number[] = [];
    let units = 0;
    for (const [i, date] of dates.entries()) {
      if (any) {
        const a = this.#any.answerCached(q.serviceId, date, undefined);
        if (a) out[i] = dayOf(date, a.slots, a.closed, a.outside ? null : a.version);
        else {
          todo.push(i);
          units += this.#any.uncachedParts(q.serviceId, date) ?? rosterSize;
        }
      } else {
        const a = this.#slots.answerCached({ stylistId: q.stylistId, serviceId: q.serviceId, date }, undefined);
        if (a) out[i] = fromAnswer(date, a);
        else {
          todo.push(i);
          units++;
        }
      }
    }
    if (units > 0) await charge(units);
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const i = todo[next++];
        const date = dates[i];
        if (any) {
          const a = await this.#any.answer(q.serviceId, date, undefined);
          out[i] = dayOf(date, a.slots, a.closed, a.outside ? null : a.version);
        } else {
          const a = await this.#slots.answerBookable({ stylistId: q.stylistId, serviceId: q.serviceId, date }, undefined);
          out[i] = 'entry' in a ? fromAnswer(date, a) : { date, available: 0, status: 'off', version: null };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, todo.length) }, worker));
    return out as AvailableDay[];
  }
}

function fromAnswer(date: string, a: SlotAnswer): AvailableDay {
  return dayOf(date, a.slots, a.entry.closed, a.entry.version);
}

function dayOf(date: string, slots: readonly Slot[], closed: boolean, version: number | null): AvailableDay {
  let available = 0;
  for (const s of slots) if (s.status === 'available') available++;
  const status: DayStatus = available > 0 ? 'open' : slots.length > 0 ? 'full' : closed ? 'closed' : 'off';
  return { date, available, status, version };
}

/** Every date from `from` to `to` inclusive (the query bounds the span to 62). */
export function datesOf(from: string, to: string): string[] {
  const out: string[] = [];
  const end = DateTime.fromISO(to, { zone: 'UTC' });
  for (let d = DateTime.fromISO(from, { zone: 'UTC' }), i = 0; d <= end && i < 366; d = d.plus({ days: 1 }), i++) out.push(d.toISODate()!);
  return out;
}
