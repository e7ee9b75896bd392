// Holds and bookings for "any stylist": the stylists who offer the service are tried one by one,
// the one with the fewest bookings that day first (then by name), each attempt the ordinary atomic
// write (one transaction under that stylist's lock, engine re-check, exclusion constraint). A
// stylist who is not free, or loses a race, is passed over for the next; the answer names the
// stylist who was assigned. docs/api.md "Any stylist".
import { DateTime } from 'luxon';
import type { Actor } from '../actor.ts';
import type { AlternativeSlot, BookingDto, CreateBookingBody, CreateHoldBody, HoldDto } from '../contract/bookings.ts';
import type { ErrorCode } from '../contract/errors.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { MAX_ROSTER, type AnySlots } from '../slots/any.ts';
import type { BookingService } from './service.ts';

/** Refusals that concern one stylist only: the next candidate may still be free. */
const PASS_OVER = new Set<ErrorCode>(['SLOT_TAKEN', 'SLOT_HELD', 'NOT_ON_GRID', 'OUTSIDE_HOURS', 'IN_PAST', 'NOT_FOUND', 'HOLD_LIMIT']);

// Candidates: active stylists offering the (active) service, other than the caller, by the number
// of their bookings (any status but cancelled) on the start's local date in their zone, then name.
const CANDIDATES_SQL = `
select s.id
from stylists s
join stylist_services ss on ss.stylist_id = s.id and ss.service_id = $1
join services sv on sv.id = ss.service_id and sv.active
cross join lateral (select ($2::timestamptz at time zone s.timezone)::date as d) day
where s.active and s.user_id <> $3
order by (select count(*) from bookings b
           where b.stylist_id = s.id and b.status <> 'cancelled'
             and b.start_at >= (day.d::timestamp at time zone s.timezone)
             and b.start_at < ((day.d + 1)::timestamp at time zone s.timezone)),
  s.display_name, s.id
limit ${MAX_ROSTER}`;

export class AnyStylistBookings {
  readonly #pool: Pool;
  readonly #bookings: BookingService;
  readonly #any: AnySlots;

  constructor(opts: { pool: Pool; bookings: BookingService; anySlots: AnySlots }) {
    this.#pool = opts.pool;
    this.#bookings = opts.bookings;
    this.#any = opts.anySlots;
  }

  /** The stylists to try for `startUtc`, in order. */
  async candidates(user: Actor, serviceId: string, startUtc: string): Promise<string[]> {
    const { rows } = await this.#pool.query<{ id: string }>(CANDIDATES_SQL, [serviceId, new Date(startUtc), user.id]);
    return rows.map((r) => r.id);
  }

  /** POST /api/holds with `stylistId: "any"`: the hold of the stylist assigned. */
  createHold(user: Actor, body: CreateHoldBody): Promise<HoldDto> {
    return this.#assign(user, body.serviceId, body.startUtc, (stylistId) => this.#bookings.createHold(user, { ...body, stylistId }));
  }

  /** POST /api/bookings with `stylistId: "any"` (the direct form); an Idempotency-Key covers the request as made. */
  createBooking(user: Actor, body: CreateBookingBody, idempotencyKey?: string): Promise<{ booking: BookingDto; replayed: boolean }> {
    return this.#assign(user, body.serviceId!, body.startUtc!, (stylistId) =>
      this.#bookings.createBooking(user, { ...body, stylistId }, idempotencyKey, body),
    );
  }

  async #assign<T>(user: Actor, serviceId: string, startUtc: string, attempt: (stylistId: string) => Promise<T>): Promise<T> {
    const candidates = await this.candidates(user, serviceId, startUtc);
    if (candidates.length === 0) throw new AppError('NOT_FOUND', 'Unknown service, or no other active stylist offers it');
    const refusals: AppError[] = [];
    for (const stylistId of candidates) {
      try {
        return await attempt(stylistId);
      } catch (err) {
        if (!(err instanceof AppError) || !PASS_OVER.has(err.code)) throw err;
        refusals.push(err);
      }
    }
    throw await this.#refusal(refusals, serviceId, startUtc);
  }

  /**
   * Nobody could take it. Someone's hold may still free a stylist (SLOT_HELD); else it is taken
   * (SLOT_TAKEN); a start no stylist could ever take answers the first stylist's reason. The
   * alternatives are the nearest starts of the union that some stylist has free.
   */
  async #refusal(refusals: AppError[], serviceId: string, startUtc: string): Promise<AppError> {
    const code = refusals.some((e) => e.code === 'SLOT_HELD')
      ? 'SLOT_HELD'
      : refusals.some((e) => e.code === 'SLOT_TAKEN')
        ? 'SLOT_TAKEN'
        : null;
    if (!code) return refusals[0];
    let alternatives: AlternativeSlot[] = [];
    try {
      alternatives = await this.#alternatives(serviceId, startUtc);
    } catch {
      /* the refusal stands without alternatives */
    }
    return code === 'SLOT_HELD'
      ? new AppError('SLOT_HELD', 'Every stylist is booked or being booked at that time; a hold may free up in a few minutes', {
          alternatives,
        })
      : new AppError('SLOT_TAKEN', 'That time was just taken: no stylist is free for it any more', { alternatives });
  }

  async #alternatives(serviceId: string, startUtc: string, perSide = 3): Promise<AlternativeSlot[]> {
    const zone = await this.#any.salonZone();
    const date = DateTime.fromISO(startUtc, { zone }).toISODate()!;
    const { slots } = await this.#any.answer(serviceId, date, undefined);
    const t = Date.parse(startUtc);
    const free = slots.filter((s) => s.status === 'available' && s.startUtc !== new Date(t).toISOString());
    const before = free.filter((s) => Date.parse(s.startUtc) < t).slice(-perSide);
    const after = free.filter((s) => Date.parse(s.startUtc) > t).slice(0, perSide);
    return [...before, ...after]
      .sort((a, b) => Math.abs(Date.parse(a.startUtc) - t) - Math.abs(Date.parse(b.startUtc) - t) || a.startUtc.localeCompare(b.startUtc))
      .map((s) => ({ startUtc: s.startUtc, endUtc: s.endUtc, startLocal: s.startLocal }));
  }
}
