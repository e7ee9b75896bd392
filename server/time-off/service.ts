// A stylist's own time off (docs/domain.md "Time off"): each request becomes a `closed` override of
// that stylist through the override service (the same locks, outbox events, attention flags and
// pushes as an admin's closure), within the stylist's monthly budgets. Requests are counted against
// the stylist-local month they are made in; a revoked one stays counted.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Actor } from '../actor.ts';
import { audit } from '../audit.ts';
import { lockStylist } from '../bookings/check.ts';
import {
  TIME_OFF_MIN_REACH_DAYS,
  type BudgetExhaustedDetails,
  type TimeOffBody,
  type TimeOffCreatedDto,
  type TimeOffListDto,
  type TimeOffRequestDto,
} from '../contract/time-off.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import type { OverrideService } from '../overrides/service.ts';
import type { SlotService } from '../slots/service.ts';

/** Requests a stylist's list shows, newest first. */
const LIST_LIMIT = 100;

const REQUEST_SQL = `
select t.id, t.stylist_id as "stylistId", t.override_id as "overrideId",
       to_char(t.start_date, 'YYYY-MM-DD') as "startDate", to_char(t.end_date, 'YYYY-MM-DD') as "endDate",
       t.reason, t.emergency,
       case when exists (select 1 from overrides o where o.id = t.override_id) then 'active' else 'revoked' end as status,
       to_char(t.budget_month, 'YYYY-MM') as month,
       to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
       to_char(t.revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "revokedAt"
  from time_off_requests t`;

interface StylistBudget {
  id: string;
  timezone: string;
  horizon_days: number;
  active: boolean;
  time_off_budget: number;
  emergency_budget: number;
}

export class TimeOffService {
  #pool: Pool;
  #slots: SlotService;
  #overrides: OverrideService;
  #now: () => number;

  constructor(deps: { pool: Pool; slots: SlotService; overrides: OverrideService; now: () => number }) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
    this.#overrides = deps.overrides;
    this.#now = deps.now;
  }

  async request(user: Actor, body: TimeOffBody): Promise<TimeOffCreatedDto> {
    const emergency = body.emergency ?? false;
    return withOutbox(this.#pool, this.#slots, async (db) => {
      const st = await stylistOf(db, user);
      if (!st.active) throw new AppError('CONFLICT', 'Your stylist profile is inactive: ask an admin');
      // One request of a stylist at a time, counted and granted under the lock every booking and
      // override of the stylist takes: parallel requests cannot both see the last unit of budget.
      await lockStylist(db, st.id);
      const today = DateTime.fromMillis(this.#now(), { zone: st.timezone }).startOf('day');
      const earliest = emergency ? today : today.plus({ days: 1 });
      if (body.startDate < earliest.toISODate()!) {
        throw fieldError(
          'startDate',
          emergency
            ? `Time off cannot start before today (${today.toISODate()}, your time zone)`
            : `Time off must start tomorrow (${earliest.toISODate()}) or later; mark it an emergency to start today`,
        );
      }
      const reach = today.plus({ days: Math.max(st.horizon_days, TIME_OFF_MIN_REACH_DAYS) }).toISODate()!;
      if (body.startDate > reach) throw fieldError('startDate', `Time off can be asked for up to ${reach}`);
      const month = today.startOf('month');
      const budget = emergency ? st.emergency_budget : st.time_off_budget;
      const {
        rows: [{ used }],
      } = await db.query<{ used: number }>(
        'select count(*)::int as used from time_off_requests where stylist_id = $1 and budget_month = $2 and emergency = $3',
        [st.id, month.toISODate(), emergency],
      );
      if (used >= budget) {
        const details: BudgetExhaustedDetails = { budget, used, month: month.toFormat('yyyy-MM'), emergency };
        throw new AppError(
          'BUDGET_EXHAUSTED',
          `No ${emergency ? 'emergency ' : ''}time-off requests left for ${month.toFormat('yyyy-MM')} (${used} of ${budget} used)`,
          details,
        );
      }
      const overrideId = randomUUID();
      const reason = body.reason?.trim() ?? '';
      // The request first, so the override's own event already says it is time off (sql/000012).
      const {
        rows: [{ id }],
      } = await db.query<{ id: string }>(
        `insert into time_off_requests (stylist_id, override_id, start_date, end_date, reason, emergency, budget_month, requested_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
        [st.id, overrideId, body.startDate, body.endDate, reason, emergency, month.toISODate(), user.id],
      );
      const created = await this.#overrides.createIn(
        db,
        user,
        {
          scope: 'stylist',
          stylistId: st.id,
          startDate: body.startDate,
          endDate: body.endDate,
          kind: 'closed',
          reason: reason ? `Time off: ${reason}` : 'Time off',
        },
        overrideId,
      );
      await audit(db, {
        actorId: user.id,
        action: 'time_off.request',
        target: `time_off:${id}`,
        details: {
          stylistId: st.id,
          overrideId,
          startDate: body.startDate,
          endDate: body.endDate,
          reason,
          emergency,
          month: month.toFormat('yyyy-MM'),
          affectedBookingIds: created.affectedBookings.map((b) => b.id),
        },
      });
      return { request: await requestById(db, id), override: created.override, affectedBookings: created.affectedBookings };
    });
  }

  async list(user: Actor): Promise<TimeOffListDto> {
    const st = await stylistOf(this.#pool, user);
    const month = DateTime.fromMillis(this.#now(), { zone: st.timezone }).startOf('month');
    const { rows: counts } = await this.#pool.query<{ emergency: boolean; used: number }>(
      `select emergency, count(*)::int as used from time_off_requests where stylist_id = $1 and budget_month = $2 group by emergency`,
      [st.id, month.toISODate()],
    );
    const usedOf = (e: boolean) => counts.find((c) => c.emergency === e)?.used ?? 0;
    const budgetOf = (budget: number, used: number) => ({ budget, used, left: Math.max(0, budget - used) });
    const { rows } = await this.#pool.query<TimeOffRequestDto>(
      `${REQUEST_SQL} where t.stylist_id = $1 order by t.created_at desc, t.id limit ${LIST_LIMIT}`,
      [st.id],
    );
    return {
      month: month.toFormat('yyyy-MM'),
      ordinary: budgetOf(st.time_off_budget, usedOf(false)),
      emergency: budgetOf(st.emergency_budget, usedOf(true)),
      requests: rows,
    };
  }

  /** Revokes a request (admin): deletes its override, keeps the request as revoked; the budget is not refunded. */
  async revoke(admin: Actor, requestId: string): Promise<TimeOffRequestDto> {
    return withOutbox(this.#pool, this.#slots, async (db) => {
      const { rows } = await db.query<{ override_id: string; stylist_id: string }>(
        'select override_id, stylist_id from time_off_requests where id = $1',
        [requestId],
      );
      if (!rows[0]) throw new AppError('NOT_FOUND', 'No such time-off request');
      await lockStylist(db, rows[0].stylist_id);
      const { rows: live } = await db.query('select 1 from overrides where id = $1', [rows[0].override_id]);
      if (!live[0]) throw new AppError('CONFLICT', 'This time off was already revoked');
      await this.#overrides.deleteIn(db, admin, rows[0].override_id);
      await audit(db, {
        actorId: admin.id,
        action: 'time_off.revoke',
        target: `time_off:${requestId}`,
        details: { stylistId: rows[0].stylist_id, overrideId: rows[0].override_id },
      });
      return requestById(db, requestId);
    });
  }
}

function fieldError(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', message, { fields: [{ field, code: 'custom', message }] });
}

async function stylistOf(db: PoolClient | Pool, user: Actor): Promise<StylistBudget> {
  const { rows } = await db.query<StylistBudget>(
    'select id, timezone, horizon_days, active, time_off_budget, emergency_budget from stylists where id = $1',
    [user.stylistId ?? null],
  );
  if (!rows[0]) throw new AppError('NOT_FOUND', 'No stylist profile for this account');
  return rows[0];
}

async function requestById(db: PoolClient, id: string): Promise<TimeOffRequestDto> {
  const { rows } = await db.query<TimeOffRequestDto>(`${REQUEST_SQL} where t.id = $1`, [id]);
  return rows[0];
}
