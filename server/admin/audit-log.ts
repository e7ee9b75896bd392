// The audit log as the admin reads it (the writer is server/audit.ts).
import type pg from 'pg';
import type { AuditEntryDto } from '../contract/admin.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

interface AuditRow {
  id: number;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: AuditEntryDto['actorRole'];
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/**
 * Newest first; `before` is the id of the last entry of the previous page. `action` keeps entries
 * whose action starts with it (`booking.` → every booking action), `actorId` those of one user.
 * Each entry names its actor as the account is now (null when there is none or it is gone).
 */
export async function listAudit(
  db: Queryable,
  opts: { limit: number; before?: number; action?: string; actorId?: string },
): Promise<AuditEntryDto[]> {
  const { rows } = await db.query<AuditRow>(
    `select a.id, a.at, a.actor_id, u.display_name as actor_name, u.role as actor_role, a.action, a.target, a.details
       from audit_log a left join users u on u.id = a.actor_id
      where ($1::bigint is null or a.id < $1)
        and ($3::text is null or starts_with(a.action, $3))
        and ($4::uuid is null or a.actor_id = $4)
      order by a.id desc limit $2`,
    [opts.before ?? null, opts.limit, opts.action ?? null, opts.actorId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name ?? null,
    actorRole: r.actor_role ?? null,
    action: r.action,
    target: r.target,
    details: r.details,
  }));
}
