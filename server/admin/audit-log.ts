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
  customer_id: string | null;
  customer_name: string | null;
  stylist_id: string | null;
  stylist_name: string | null;
  date: string | null;
  start_at: Date | null;
}

/** A uuid-shaped text (a target's id, an id in the details) as uuid, else null; never a cast error. */
const UUID_OF = (expr: string) =>
  `(case when ${expr} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then (${expr})::uuid end)`;
const TARGET_ID = (kind: string) =>
  `(case when starts_with(a.target, '${kind}:') then ${UUID_OF(`substr(a.target, ${kind.length + 2})`)} end)`;

/**
 * Newest first; `before` is the id of the last entry of the previous page. `action` keeps entries
 * whose action starts with it (`booking.` → every booking action), `actorId` those of one user,
 * `from`/`to` those on those salon-local dates (in `timezone`). Each entry names its actor, and the
 * customer and stylist of its target, as the accounts are now (null when there is none or it is
 * gone); a booking's target carries its local date and start, an override's its first date.
 */
export async function listAudit(
  db: Queryable,
  opts: { limit: number; before?: number; action?: string; actorId?: string; from?: string; to?: string; timezone: string },
): Promise<AuditEntryDto[]> {
  const { rows } = await db.query<AuditRow>(
    `select a.id, a.at, a.actor_id, u.display_name as actor_name, u.role as actor_role, a.action, a.target, a.details,
            cu.id as customer_id, cu.display_name as customer_name, st.id as stylist_id, st.display_name as stylist_name,
            to_char(coalesce((b.start_at at time zone st.timezone)::date, o.start_date,
                             case when a.details->>'startDate' ~ '^\\d{4}-\\d{2}-\\d{2}$' then (a.details->>'startDate')::date end),
                    'YYYY-MM-DD') as date,
            b.start_at
       from audit_log a
       left join users u on u.id = a.actor_id
       left join bookings b on b.id = ${TARGET_ID('booking')}
       left join overrides o on o.id = ${TARGET_ID('override')}
       left join users cu on cu.id = coalesce(b.customer_id, ${TARGET_ID('user')}, ${UUID_OF(`a.details->>'customerId'`)})
       left join stylists st on st.id = coalesce(b.stylist_id, o.stylist_id, ${TARGET_ID('stylist')}, ${UUID_OF(`a.details->>'stylistId'`)})
      where ($1::bigint is null or a.id < $1)
        and ($3::text is null or starts_with(a.action, $3))
        and ($4::uuid is null or a.actor_id = $4)
        and ($5::date is null or a.at >= ($5::date)::timestamp at time zone $7)
        and ($6::date is null or a.at < ($6::date + 1)::timestamp at time zone $7)
      order by a.id desc limit $2`,
    [opts.before ?? null, opts.limit, opts.action ?? null, opts.actorId ?? null, opts.from ?? null, opts.to ?? null, opts.timezone],
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
    customerId: r.customer_id,
    customerName: r.customer_name,
    stylistId: r.stylist_id,
    stylistName: r.stylist_name,
    date: r.date,
    startUtc: r.start_at ? r.start_at.toISOString() : null,
  }));
}
