// GET /api/bookings/:id/alternatives: the nearest free starts for a booking's service, with any
// stylist who offers it, for one-tap rebooking (a flagged booking above all). Read from the slot
// cache, as the grid is: the same answers, invalidated by the same events.
import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Actor } from '../actor.ts';
import { requireUser } from '../auth/guard.ts';
import { uuid } from '../contract/common.ts';
import { isDesk } from '../contract/enums.ts';
import {
  ALTERNATIVE_DAYS_AFTER,
  ALTERNATIVE_DAYS_BEFORE,
  MAX_ALTERNATIVES,
  type BookingAlternativeDto,
  type BookingAlternativesDto,
} from '../contract/bookings.ts';
import type { Pool } from '../db/pool.ts';
import { AppError, parseOr400 } from '../errors.ts';
import type { SlotService } from '../slots/service.ts';
import { ACTIVE_STATUSES_SQL } from './status.ts';

/** Stylists searched at most (those offering the service, by id). */
const MAX_STYLISTS = 20;

interface Deps {
  pool: Pool;
  slots: SlotService;
}

/**
 * Free starts of the booking's service with every active stylist offering it (not the customer
 * themselves), that do not overlap the customer's other active bookings, on the stylist-local dates from three days before the booking's to seven after
 * (from today on), nearest to the booking's start first, then its own stylist first; at most
 * MAX_ALTERNATIVES. The caller must be the booking's customer or the front desk (else 404); a booking
 * that can no longer be moved answers 409 INVALID_TRANSITION.
 */
export async function bookingAlternatives(deps: Deps, user: Actor, bookingId: string): Promise<BookingAlternativesDto> {
  const { pool, slots } = deps;
  const { rows } = await pool.query<{ customer_id: string; stylist_id: string; service_id: string; start_at: Date; status: string }>(
    'select customer_id, stylist_id, service_id, start_at, status from bookings where id = $1',
    [bookingId],
  );
  const b = rows[0];
  if (!b || !(b.customer_id === user.id || isDesk(user.role))) throw new AppError('NOT_FOUND', 'No such booking');
  if (b.status !== 'pending' && b.status !== 'confirmed')
    throw new AppError('INVALID_TRANSITION', `A ${b.status} booking cannot be rescheduled`, { status: b.status });
  const { rows: stylists } = await pool.query<{ id: string; timezone: string }>(
    `select s.id, s.timezone from stylist_services ss
       join stylists s on s.id = ss.stylist_id join services sv on sv.id = ss.service_id
      where ss.service_id = $1 and s.active and sv.active and s.user_id <> $2
      order by s.id limit ${MAX_STYLISTS}`,
    [b.service_id, b.customer_id],
  );
  const nowMs = slots.now();
  const targetMs = b.start_at.getTime();
  // The customer's other active appointments in the searched stretch (two days' margin either
  // side): a time overlapping one of them is no alternative for them.
  const { rows: busy } = await pool.query<{ start_at: Date; end_at: Date }>(
    `select start_at, end_at from bookings
      where customer_id = $1 and id <> $2 and status in (${ACTIVE_STATUSES_SQL})
        and end_at > $3 and start_at < $4`,
    [
      b.customer_id,
      bookingId,
      new Date(targetMs - (ALTERNATIVE_DAYS_BEFORE + 2) * 86_400_000),
      new Date(targetMs + (ALTERNATIVE_DAYS_AFTER + 2) * 86_400_000),
    ],
  );
  const free = (startUtc: string, endUtc: string) => {
    const [s, e] = [Date.parse(startUtc), Date.parse(endUtc)];
    return !busy.some((x) => x.start_at.getTime() < e && x.end_at.getTime() > s);
  };
  const found: (BookingAlternativeDto & { ms: number })[] = [];
  await Promise.all(
    stylists.map(async (st) => {
      const today = DateTime.fromMillis(nowMs, { zone: st.timezone }).startOf('day');
      const day = DateTime.fromMillis(targetMs, { zone: st.timezone }).startOf('day');
      let d = DateTime.max(today, day.minus({ days: ALTERNATIVE_DAYS_BEFORE }));
      const last = day.plus({ days: ALTERNATIVE_DAYS_AFTER });
      // Bounded: at most ALTERNATIVE_DAYS_BEFORE + ALTERNATIVE_DAYS_AFTER + 1 dates.
      for (let i = 0; i <= ALTERNATIVE_DAYS_BEFORE + ALTERNATIVE_DAYS_AFTER && d <= last; i++, d = d.plus({ days: 1 })) {
        const answer = await slots.answerBookable({ stylistId: st.id, serviceId: b.service_id, date: d.toISODate()! }, undefined);
        if (!('slots' in answer)) continue;
        for (const s of answer.slots) {
          if (s.status !== 'available' || !free(s.startUtc, s.endUtc)) continue;
          found.push({ stylistId: st.id, startUtc: s.startUtc, endUtc: s.endUtc, startLocal: s.startLocal, ms: Date.parse(s.startUtc) });
        }
      }
    }),
  );
  found.sort(
    (x, y) =>
      Math.abs(x.ms - targetMs) - Math.abs(y.ms - targetMs) ||
      Number(y.stylistId === b.stylist_id) - Number(x.stylistId === b.stylist_id) ||
      x.ms - y.ms ||
      (x.stylistId < y.stylistId ? -1 : 1),
  );
  return {
    bookingId,
    serviceId: b.service_id,
    alternatives: found.slice(0, MAX_ALTERNATIVES).map(({ ms: _ms, ...a }) => a),
  };
}

const idParams = z.strictObject({ id: uuid });
const noQuery = z.strictObject({});

/** The alternatives route (docs/api.md "Holds and bookings"). */
export function alternativeRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/api/bookings/:id/alternatives', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseOr400(idParams, req.params);
    parseOr400(noQuery, req.query);
    res.json(await bookingAlternatives(deps, user, id));
  });
  return r;
}
