// The audit writer: every audited write (admin changes, booking status moves, safety-note reads)
// appends its row here, inside its own transaction. Reading the log is the admin's (admin/audit-log.ts).
import type pg from 'pg';

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
