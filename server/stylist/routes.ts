import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { requireRole } from '../auth/guard.ts';
import type { Actor } from '../actor.ts';
import { safetyNotesBody, stylistBookingsQuery, stylistDayQuery, type SafetyNotesDto, type StylistDayDto } from '../contract/bookings.ts';
import { uuid } from '../contract/common.ts';
import { isDesk } from '../contract/enums.ts';
import { withTransaction, type Pool } from '../db/pool.ts';
import { loadBookingsWithCustomerContext } from '../bookings/present.ts';
import { dayAttention } from '../bookings/attention.ts';
import { AppError, parseOr400 } from '../errors.ts';
import { OVERRIDE_DTO, overrideDto } from '../overrides/present.ts';
import { loadHours, workingWindows } from './hours.ts';

/** Longest range of one dashboard query, in days. */
const MAX_RANGE_DAYS = 92;
const DEFAULT_RANGE_DAYS = 7;

const customerParams = z.strictObject({ customerId: uuid });

/**
 * Whose dashboard: a stylist's own (naming another stylist answers 404, like an unknown one); a
 * front-desk user (reception, admin) must name the stylist (400 otherwise). Answers the stylist's id and zone.
 */
async function resolveStylist(pool: Pool, user: Actor, named: string | undefined): Promise<{ id: string; timezone: string }> {
  let stylistId: string;
  if (isDesk(user.role)) {
    if (!named)
      throw new AppError('INVALID_INPUT', 'Name the stylist', {
        fields: [{ field: 'stylistId', code: 'invalid_type', message: 'required for the front desk' }],
      });
    stylistId = named;
  } else {
    if (!user.stylistId || (named && named !== user.stylistId)) throw new AppError('NOT_FOUND', 'No such stylist');
    stylistId = user.stylistId;
  }
  const { rows } = await pool.query<{ id: string; timezone: string }>('select id, timezone from stylists where id = $1', [stylistId]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'No such stylist');
  return rows[0];
}

/** The stylist's dashboard (docs/api.md "Stylist"); the front desk may use it too, naming the stylist. */
export function stylistRoutes(deps: { pool: Pool; now: () => number }): Router {
  const { pool, now } = deps;
  const r = Router();

  r.get('/api/stylist/bookings', async (req, res) => {
    const user = requireRole(req, 'stylist', 'reception', 'admin');
    const q = parseOr400(stylistBookingsQuery, req.query);
    const { id: stylistId, timezone: zone } = await resolveStylist(pool, user, q.stylistId);
    const from = q.from ?? DateTime.fromMillis(now(), { zone }).toISODate()!;
    const to =
      q.to ??
      DateTime.fromISO(from, { zone })
        .plus({ days: DEFAULT_RANGE_DAYS - 1 })
        .toISODate()!;
    const span = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days;
    if (span < 0)
      throw new AppError('INVALID_INPUT', '`to` is before `from`', {
        fields: [{ field: 'to', code: 'too_small', message: 'before from' }],
      });
    if (span >= MAX_RANGE_DAYS)
      throw new AppError('INVALID_INPUT', `At most ${MAX_RANGE_DAYS} days at once`, {
        fields: [{ field: 'to', code: 'too_big', message: `at most ${MAX_RANGE_DAYS} days` }],
      });
    // Local dates of the stylist: [from 00:00, to + 1 day 00:00) in their zone.
    const { rows } = await pool.query<{ id: string }>(
      `select b.id from bookings b
        where b.stylist_id = $1 and b.start_at >= ($2::date::timestamp at time zone $4)
          and b.start_at < (($3::date + 1)::timestamp at time zone $4)`,
      [stylistId, from, to, zone],
    );
    res.json(
      await loadBookingsWithCustomerContext(
        pool,
        rows.map((b) => b.id),
      ),
    );
  });

  // One local day for the timeline: working windows after overrides (from the slot engine), holds
  // without who holds them, and the overrides behind the windows.
  r.get('/api/stylist/day', async (req, res) => {
    const user = requireRole(req, 'stylist', 'reception', 'admin');
    const q = parseOr400(stylistDayQuery, req.query);
    const st = await resolveStylist(pool, user, q.stylistId);
    const [hours, { rows: holds }, { rows: overrides }, attention] = await Promise.all([
      loadHours(pool, [st.id], q.date, q.date),
      pool.query<{ start_at: Date; end_at: Date; expires_at: Date }>(
        `select h.start_at, h.end_at, h.expires_at from holds h
          where h.stylist_id = $1 and h.expires_at > $5
            and h.start_at < (($2::date + 1)::timestamp at time zone $3) and h.end_at > ($2::date::timestamp at time zone $3)
            and h.start_at > ($2::date::timestamp at time zone $3) - $4::interval
          order by h.start_at, h.id`,
        // Holds are judged by the app's clock, as when booking; an appointment is at most a day long.
        [st.id, q.date, st.timezone, '1 day', new Date(now())],
      ),
      pool.query(
        `select ${OVERRIDE_DTO} from overrides o
          where (o.stylist_id = $1 or o.stylist_id is null) and $2::date between o.start_date and o.end_date
          order by o.created_at, o.id`,
        [st.id, q.date],
      ),
      dayAttention(pool, st.id, q.date),
    ]);
    const day: StylistDayDto = {
      stylistId: st.id,
      date: q.date,
      timezone: st.timezone,
      windows: workingWindows(st.timezone, q.date, hours.get(st.id)!).map((w) => ({
        startUtc: new Date(w.startMs).toISOString(),
        endUtc: new Date(w.endMs).toISOString(),
      })),
      holds: holds.map((h) => ({
        startUtc: h.start_at.toISOString(),
        endUtc: h.end_at.toISOString(),
        expiresAt: h.expires_at.toISOString(),
      })),
      overrides: overrides.map(overrideDto),
      attention,
    };
    res.json(day);
  });

  // Safety notes (allergies, conditions) only with a stated reason; every read leaves an audit row.
  r.post('/api/stylist/customers/:customerId/safety-notes', async (req, res) => {
    const user = requireRole(req, 'stylist', 'reception', 'admin');
    const { customerId } = parseOr400(customerParams, req.params);
    const { reason } = parseOr400(safetyNotesBody, req.body);
    const notes = await withTransaction(pool, async (db): Promise<SafetyNotesDto> => {
      const { rows } = await db.query<{ safety_notes: string }>(
        `select u.safety_notes from users u
          where u.id = $1 and ($2::uuid is null or exists (
            select 1 from bookings b where b.customer_id = u.id and b.stylist_id = $2))`,
        [customerId, isDesk(user.role) ? null : (user.stylistId ?? '00000000-0000-0000-0000-000000000000')],
      );
      // A customer who never booked this stylist is answered like an unknown one.
      if (!rows[0]) throw new AppError('NOT_FOUND', 'No such customer');
      await audit(db, {
        actorId: user.id,
        action: 'customer.safety_notes.read',
        target: `user:${customerId}`,
        details: { reason, ...(user.stylistId ? { stylistId: user.stylistId } : {}) },
      });
      return { customerId, safetyNotes: rows[0].safety_notes };
    });
    res.json(notes);
  });

  return r;
}
