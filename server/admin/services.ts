// The salon's service catalogue as the admin manages it (docs/api.md "Admin"): list (retired ones
// too), create, edit. Each write is one transaction with its audit row. A change of duration, price
// or active records `stylist.changed` for every stylist offering the service (sql/000006), which
// invalidates their slot answers; name and category are not part of any slot answer.
import type { Actor } from '../actor.ts';
import { audit } from '../audit.ts';
import type { AdminServiceDto, CreateServiceBody, PatchServiceBody } from '../contract/stylist-admin.ts';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import type { SlotService } from '../slots/service.ts';

const SERVICE_SQL = `
select sv.id, sv.name, sv.category, sv.duration_minutes as "durationMinutes", sv.price_cents as "priceCents", sv.active,
       (select count(*)::int from stylist_services ss where ss.service_id = sv.id) as "stylistCount"
  from services sv`;

const COLUMNS = {
  name: 'name',
  category: 'category',
  durationMinutes: 'duration_minutes',
  priceCents: 'price_cents',
  active: 'active',
} as const satisfies Record<keyof PatchServiceBody, string>;

export class ServiceCatalogueAdmin {
  #pool: Pool;
  #slots: SlotService;

  constructor(deps: { pool: Pool; slots: SlotService }) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
  }

  async list(): Promise<AdminServiceDto[]> {
    const { rows } = await this.#pool.query<AdminServiceDto>(`${SERVICE_SQL} order by sv.category, sv.name, sv.id limit 1000`);
    return rows;
  }

  async create(admin: Actor, body: CreateServiceBody): Promise<AdminServiceDto> {
    return withTransaction(this.#pool, async (db) => {
      const {
        rows: [{ id }],
      } = await db.query<{ id: string }>(
        'insert into services (name, category, duration_minutes, price_cents, active) values ($1, $2, $3, $4, $5) returning id',
        [body.name, body.category ?? '', body.durationMinutes, body.priceCents, body.active ?? true],
      );
      const created = await get(db, id);
      await audit(db, { actorId: admin.id, action: 'service.create', target: `service:${id}`, details: { after: created } });
      return created;
    });
  }

  async patch(admin: Actor, id: string, body: PatchServiceBody): Promise<AdminServiceDto> {
    return withOutbox(this.#pool, this.#slots, async (db) => {
      const { rows: locked } = await db.query('select 1 from services where id = $1 for update', [id]);
      if (!locked[0]) throw new AppError('NOT_FOUND', 'No such service');
      const before = await get(db, id);
      const changes: [string, unknown][] = [];
      for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
        const v = body[field];
        if (v !== undefined && v !== before[field]) changes.push([column, v]);
      }
      if (changes.length) {
        await db.query(`update services set ${changes.map(([c], i) => `${c} = $${i + 2}`).join(', ')} where id = $1`, [
          id,
          ...changes.map(([, v]) => v),
        ]);
      }
      const after = await get(db, id);
      const diff: { before: Record<string, unknown>; after: Record<string, unknown> } = { before: {}, after: {} };
      for (const field of Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]) {
        if (before[field] !== after[field]) {
          diff.before[field] = before[field];
          diff.after[field] = after[field];
        }
      }
      await audit(db, { actorId: admin.id, action: 'service.update', target: `service:${id}`, details: diff });
      return after;
    });
  }
}

async function get(db: PoolClient, id: string): Promise<AdminServiceDto> {
  const { rows } = await db.query<AdminServiceDto>(`${SERVICE_SQL} where sv.id = $1`, [id]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'No such service');
  return rows[0];
}
