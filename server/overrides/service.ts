// Overrides (closures, special hours, blocks) as the admin manages them: list, create with the
// bookings it puts outside the hours, preview, delete. Each write is one transaction with its audit
// row; the outbox events it writes invalidate the slot answers of its dates (server/outbox/own.ts).
import type { Actor } from '../actor.ts';
import { audit } from '../audit.ts';
import { lockStylist } from '../bookings/check.ts';
import { trackAttention, withAttention } from '../bookings/attention.ts';
import { toBookingDto } from '../bookings/present.ts';
import type { CreateOverrideBody, CreateOverrideResponse, OverrideDto, OverridePreviewResponse } from '../contract/admin.ts';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import type { OverrideRow } from '../slots/engine.ts';
import type { SlotService } from '../slots/service.ts';
import { newlyOutside, withCustomerContact } from './impact.ts';
import { OVERRIDE_DTO, OVERRIDE_ENGINE_COLUMNS, overrideDto, toOverrideRow, type OverrideEngineColumns } from './present.ts';

export interface OverrideDeps {
  pool: Pool;
  slots: SlotService;
}

export class OverrideService {
  #pool: Pool;
  #slots: SlotService;

  constructor(deps: OverrideDeps) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
  }

  async list(q: { from?: string; to?: string; stylistId?: string }): Promise<OverrideDto[]> {
    const { rows } = await this.#pool.query(
      `select ${OVERRIDE_DTO} from overrides o
        where ($1::date is null or o.end_date >= $1) and ($2::date is null or o.start_date <= $2)
          and ($3::uuid is null or o.stylist_id = $3 or o.stylist_id is null)
        order by o.start_date, o.created_at limit 1000`,
      [q.from ?? null, q.to ?? null, q.stylistId ?? null],
    );
    return rows.map(overrideDto);
  }

  /**
   * Creates an override and answers the active bookings it puts outside the working hours (inside
   * them without it, outside with it). They are reported, not cancelled: someone has to call those
   * customers.
   */
  async create(admin: Actor, body: CreateOverrideBody): Promise<CreateOverrideResponse> {
    return withOutbox(this.#pool, this.#slots, (db) => this.createIn(db, admin, body));
  }

  /**
   * `create` inside the caller's transaction (run through withOutbox): a stylist's time-off request
   * (server/time-off/) creates its closure here, with the same locks, events and audit. `id` gives
   * the override's id, for a row written before it that names it.
   */
  async createIn(db: PoolClient, admin: Actor, body: CreateOverrideBody, id?: string): Promise<CreateOverrideResponse> {
    // Lock every stylist in scope (in id order, so two overrides never deadlock): a booking being
    // written right now is then either visible here or re-checked against this override.
    const scope = await this.#scope(db, body);
    for (const s of scope) await lockStylist(db, s);
    // The bookings it puts outside the hours become flagged: each gets a booking.updated event.
    const o = await trackAttention(db, { stylistIds: scope, from: body.startDate, to: body.endDate }, async () => {
      const { rows } = await db.query<{ dto: unknown } & OverrideEngineColumns>(
        `insert into overrides as o (id, scope, stylist_id, start_date, end_date, kind, start_time, end_time, priority, reason, created_by)
       values (coalesce($11::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       returning ${OVERRIDE_DTO}, ${OVERRIDE_ENGINE_COLUMNS}`,
        [
          body.scope,
          body.stylistId ?? null,
          body.startDate,
          body.endDate,
          body.kind,
          body.start ?? null,
          body.end ?? null,
          body.priority ?? 0,
          body.reason,
          admin.id,
          id ?? null,
        ],
      );
      return rows[0];
    });
    const affected = await newlyOutside(db, scope, toOverrideRow(o));
    await audit(db, {
      actorId: admin.id,
      action: 'override.create',
      target: `override:${o.id}`,
      details: { ...body, affectedBookingIds: affected.map((b) => b.id) },
    });
    const bookings = await withCustomerContact(db, await withAttention(db, affected.map(toBookingDto)));
    return { override: overrideDto(o), affectedBookings: bookings };
  }

  /**
   * What `createOverride` would answer for this body, computed on one snapshot; writes nothing
   * (no override, no audit row) and takes no locks.
   */
  async preview(body: CreateOverrideBody): Promise<OverridePreviewResponse> {
    return withTransaction(this.#pool, async (db) => {
      await db.query('set transaction isolation level repeatable read, read only');
      const scope = await this.#scope(db, body);
      const candidate: OverrideRow = {
        id: 'preview',
        kind: body.kind,
        startDate: body.startDate,
        endDate: body.endDate,
        start: body.start ?? null,
        end: body.end ?? null,
        // Created after every existing override, as it would be: it wins ties between special hours.
        priority: body.priority ?? 0,
        createdAtMs: Number.MAX_SAFE_INTEGER,
      };
      const affected = await newlyOutside(db, scope, candidate);
      return { affectedBookings: await withCustomerContact(db, await withAttention(db, affected.map(toBookingDto))) };
    });
  }

  /**
   * Deletes an override. The bookings it alone put outside the hours lose their flag (one still
   * excluded by another override is flagged by that one); each change is a booking.updated event.
   */
  async delete(admin: Actor, overrideId: string): Promise<void> {
    await withOutbox(this.#pool, this.#slots, (db) => this.deleteIn(db, admin, overrideId));
  }

  /**
   * `delete` inside the caller's transaction. A stylist's time-off request whose closure this is
   * becomes revoked (kept, still counted against its month), by whom and when.
   */
  async deleteIn(db: PoolClient, admin: Actor, overrideId: string): Promise<OverrideDto> {
    const { rows: found } = await db.query<{
      scope: 'salon' | 'stylist';
      stylist_id: string | null;
      start_date: string;
      end_date: string;
    }>('select scope, stylist_id, start_date, end_date from overrides where id = $1', [overrideId]);
    if (!found[0]) throw new AppError('NOT_FOUND', 'No such override');
    const f = found[0];
    // The same locks as creating it, so attention is judged on one state of the scope's overrides.
    const scope = await this.#scope(db, { scope: f.scope, stylistId: f.stylist_id ?? undefined });
    for (const s of scope) await lockStylist(db, s);
    const rows = await trackAttention(db, { stylistIds: scope, from: f.start_date, to: f.end_date }, async () => {
      const r = await db.query<{ dto: unknown }>(`delete from overrides o where o.id = $1 returning ${OVERRIDE_DTO}`, [overrideId]);
      return r.rows;
    });
    // Deleted meanwhile by another admin.
    if (!rows[0]) throw new AppError('NOT_FOUND', 'No such override');
    const dto = overrideDto(rows[0]);
    await db.query('update time_off_requests set revoked_at = now(), revoked_by = $2 where override_id = $1 and revoked_at is null', [
      overrideId,
      admin.id,
    ]);
    await audit(db, { actorId: admin.id, action: 'override.delete', target: `override:${overrideId}`, details: { ...dto } });
    return dto;
  }

  /** Ids of the stylists an override body covers, in id order; 404 for an unknown stylist. */
  async #scope(db: PoolClient, body: Pick<CreateOverrideBody, 'scope' | 'stylistId'>): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>('select id from stylists where ($1::uuid is null or id = $1) order by id', [
      body.stylistId ?? null,
    ]);
    if (body.scope === 'stylist' && rows.length === 0) throw new AppError('NOT_FOUND', 'No such stylist');
    return rows.map((r) => r.id);
  }
}
