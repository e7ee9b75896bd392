import type pg from 'pg';
import type { AuditEntryDto } from '../contract/admin.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface AuditRecord {
  actorId: string;
  /** Dotted verb, e.g. `booking.status`, `override.create`, `customer.safety_notes.read`. */
  action: string;
  /** `kind:id`, e.g. `booking:5f…`. */
  target: string;
  details?: Record<string, unknown>;
}

/**
 * Appends one audit row. Call it inside the transaction of the write it records, so the row exists
 * exactly when the change does.
 */
export async function audit(db: Queryable, r: AuditRecord): Promise<void> {
  await db.query('insert into audit_log (actor_id, action, target, details) values ($1, $2, $3, $4)', [
    r.actorId,
    r.action,
    r.target,
    JSON.stringify(r.details ?? {}),
  ]);
}

/** Newest first; `before` is the id of the last entry of the previous page. */
export async function listAudit(db: Queryable, opts: { limit: number; before?: number }): Promise<AuditEntryDto[]> {
  const { rows } = await db.query(
    `select id, at, actor_id, action, target, details from audit_log
      where ($1::bigint is null or id < $1) order by id desc limit $2`,
    [opts.before ?? null, opts.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: (r.at as Date).toISOString(),
    actorId: r.actor_id,
    action: r.action,
    target: r.target,
    details: r.details,
  }));
}
