// The admin's edits of a stylist (docs/api.md "Admin"): profile, zone, slot settings, services,
// time-off budgets, and deactivation. One transaction with its audit row (the before and after of
// what changed); the stylists and stylist_services triggers record `stylist.changed`, which
// invalidates every slot answer of the stylist (server/outbox/own.ts). Deactivating flags the
// stylist's bookings that have not ended (server/bookings/attention.ts), reactivating clears them,
// each change a booking.updated event in the same transaction.
import type { Actor } from '../actor.ts';
import { audit } from '../audit.ts';
import { futureSubjects, trackAttentionOf } from '../bookings/attention.ts';
import { lockStylist } from '../bookings/check.ts';
import { ACTIVE_STATUSES_SQL } from '../bookings/status.ts';
import type { AdminStylistDetailDto, PatchStylistBody, PatchStylistResponse } from '../contract/stylist-admin.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import type { SlotService } from '../slots/service.ts';
import { assertStylistZone } from './service.ts';

const DETAIL_SQL = `
select s.id, s.user_id as "userId", u.email, s.display_name as "displayName", s.timezone, s.bio,
       s.slot_step_minutes as "slotStepMinutes", s.buffer_minutes as "bufferMinutes",
       s.min_notice_minutes as "minNoticeMinutes", s.horizon_days as "horizonDays", s.active,
       s.time_off_budget as "timeOffBudget", s.emergency_budget as "emergencyBudget",
       coalesce((select json_agg(json_build_object('id', sv.id, 'name', sv.name,
                  'durationMinutes', coalesce(ss.duration_minutes, sv.duration_minutes),
                  'priceCents', coalesce(ss.price_cents, sv.price_cents)) order by sv.name)
           from stylist_services ss join services sv on sv.id = ss.service_id where ss.stylist_id = s.id), '[]') as services,
       (select count(*)::int from bookings b
         where b.stylist_id = s.id and b.status in (${ACTIVE_STATUSES_SQL}) and b.end_at > now()) as "futureActiveBookings"
  from stylists s join users u on u.id = s.user_id`;

/** Body fields stored in a `stylists` column, and that column. */
const COLUMNS = {
  displayName: 'display_name',
  bio: 'bio',
  timezone: 'timezone',
  slotStepMinutes: 'slot_step_minutes',
  bufferMinutes: 'buffer_minutes',
  minNoticeMinutes: 'min_notice_minutes',
  horizonDays: 'horizon_days',
  active: 'active',
  timeOffBudget: 'time_off_budget',
  emergencyBudget: 'emergency_budget',
} as const satisfies Partial<Record<keyof PatchStylistBody, string>>;

/** The offered set as compared for the audit: id, and the stylist's own duration and price (null: the salon's). */
type OfferedRow = { serviceId: string; durationMinutes: number | null; priceCents: number | null };

export class StylistEditor {
  #pool: Pool;
  #slots: SlotService;

  constructor(deps: { pool: Pool; slots: SlotService }) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
  }

  /** Every stylist, inactive ones too, by name (a salon has tens). */
  async list(): Promise<AdminStylistDetailDto[]> {
    const { rows } = await this.#pool.query<AdminStylistDetailDto>(`${DETAIL_SQL} order by s.display_name, s.id limit 1000`);
    return rows;
  }

  async get(db: PoolClient | Pool, id: string): Promise<AdminStylistDetailDto> {
    const { rows } = await db.query<AdminStylistDetailDto>(`${DETAIL_SQL} where s.id = $1`, [id]);
    if (!rows[0]) throw new AppError('NOT_FOUND', 'No such stylist');
    return rows[0];
  }

  async patch(admin: Actor, id: string, body: PatchStylistBody): Promise<PatchStylistResponse> {
    if (body.timezone !== undefined) await assertStylistZone(this.#pool, body.timezone);
    return withOutbox(this.#pool, this.#slots, async (db) => {
      const exists = await db.query('select 1 from stylists where id = $1', [id]);
      if (!exists.rows[0]) throw new AppError('NOT_FOUND', 'No such stylist');
      // The booking lock: a booking being written now is either seen here or sees this change.
      await lockStylist(db, id);
      const before = await this.get(db, id);
      const offeredBefore = await offered(db, id);
      const changes: Record<string, unknown> = {};
      for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
        const v = body[field];
        if (v !== undefined && v !== before[field]) changes[column] = v;
      }
      const write = async () => {
        const cols = Object.keys(changes);
        if (cols.length) {
          await db.query(`update stylists set ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')} where id = $1`, [
            id,
            ...Object.values(changes),
          ]);
        }
        if (body.services) await replaceServices(db, id, body.services, offeredBefore);
      };
      // Only a change of `active` moves flags; the bookings looked at are those not ended yet.
      const subjects = 'active' in changes ? await futureSubjects(db, id) : [];
      const { changed, after: attention } = await trackAttentionOf(db, subjects, write);
      const after = await this.get(db, id);
      const offeredAfter = await offered(db, id);
      const diff: { before: Record<string, unknown>; after: Record<string, unknown> } = { before: {}, after: {} };
      for (const field of Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]) {
        if (before[field] !== after[field]) {
          diff.before[field] = before[field];
          diff.after[field] = after[field];
        }
      }
      if (JSON.stringify(offeredBefore) !== JSON.stringify(offeredAfter)) {
        diff.before.services = offeredBefore;
        diff.after.services = offeredAfter;
      }
      await audit(db, {
        actorId: admin.id,
        action: 'stylist.update',
        target: `stylist:${id}`,
        details: { ...diff, ...(changed.length ? { attentionChangedBookingIds: changed } : {}) },
      });
      return {
        stylist: after,
        flaggedBookingIds: changed.filter((b) => attention.has(b)),
        clearedBookingIds: changed.filter((b) => !attention.has(b)),
      };
    });
  }
}

async function offered(db: PoolClient, stylistId: string): Promise<OfferedRow[]> {
  const { rows } = await db.query<OfferedRow>(
    `select service_id as "serviceId", duration_minutes as "durationMinutes", price_cents as "priceCents"
       from stylist_services where stylist_id = $1 order by service_id`,
    [stylistId],
  );
  return rows;
}

/**
 * Makes `wanted` the stylist's offered set. A service newly offered must be active; one already
 * offered may stay even if the salon has since retired it (its own duration and price may change).
 */
async function replaceServices(
  db: PoolClient,
  stylistId: string,
  wanted: NonNullable<PatchStylistBody['services']>,
  current: readonly OfferedRow[],
): Promise<void> {
  const ids = wanted.map((s) => s.serviceId);
  const { rows } = await db.query<{ id: string; active: boolean }>('select id, active from services where id = any($1::uuid[])', [ids]);
  const had = new Set(current.map((c) => c.serviceId));
  const usable = new Set(rows.filter((r) => r.active || had.has(r.id)).map((r) => r.id));
  const missing = ids.filter((i) => !usable.has(i));
  if (missing.length) throw new AppError('NOT_FOUND', 'Unknown or retired service', { serviceIds: missing });
  await db.query('delete from stylist_services where stylist_id = $1 and not (service_id = any($2::uuid[]))', [stylistId, ids]);
  if (ids.length) {
    // An unchanged row is rewritten with the same values: the trigger then records nothing new
    // (one stylist.changed per transaction at most).
    await db.query(
      `insert into stylist_services (stylist_id, service_id, duration_minutes, price_cents)
       select $1, s, d, p from unnest($2::uuid[], $3::int[], $4::int[]) as t(s, d, p)
       on conflict (stylist_id, service_id) do update
         set duration_minutes = excluded.duration_minutes, price_cents = excluded.price_cents
       where (stylist_services.duration_minutes, stylist_services.price_cents)
             is distinct from (excluded.duration_minutes, excluded.price_cents)`,
      [stylistId, ids, wanted.map((s) => s.durationMinutes ?? null), wanted.map((s) => s.priceCents ?? null)],
    );
  }
}
