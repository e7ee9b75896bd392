// Customer search for the front desk: by name, e-mail or phone, customers only (never staff).
import type pg from 'pg';
import { DESK_CUSTOMERS_MAX, type DeskCustomerDto } from '../contract/desk.ts';
import { ACTIVE_STATUSES_SQL } from '../bookings/status.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Upcoming bookings listed per customer. */
export const DESK_UPCOMING_MAX = 5;

/** `s` as a LIKE pattern matching itself literally anywhere (`\` is Postgres' default escape). */
export const containsPattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Customers whose name or e-mail contains `q` (case-insensitive), or whose phone digits contain the
 * digits of `q` (when it has at least two): each condition is served by a trigram index
 * (sql/000013). At most DESK_CUSTOMERS_MAX, by name; each with the last completed visit and the
 * next active bookings from `nowMs`.
 */
export async function searchCustomers(db: Queryable, q: string, nowMs: number): Promise<DeskCustomerDto[]> {
  const digits = q.replace(/[^0-9]/g, '');
  const { rows } = await db.query<{
    id: string;
    display_name: string;
    email: string | null;
    phone: string | null;
    walk_in: boolean;
    last_visit_at: Date | null;
    upcoming: { id: string; stylistId: string; serviceId: string; startUtc: string; status: string }[];
  }>(
    `select u.id, u.display_name, u.email, u.phone, u.walk_in,
            (select max(p.start_at) from bookings p where p.customer_id = u.id and p.status = 'completed') as last_visit_at,
            coalesce((
              select json_agg(json_build_object('id', n.id, 'stylistId', n.stylist_id, 'serviceId', n.service_id,
                       'startUtc', to_char(n.start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'status', n.status)
                       order by n.start_at, n.id)
                from (select p.id, p.stylist_id, p.service_id, p.start_at, p.status from bookings p
                       where p.customer_id = u.id and p.status in (${ACTIVE_STATUSES_SQL}) and p.start_at >= $3
                       order by p.start_at, p.id limit $5) n
            ), '[]'::json) as upcoming
       from users u
      where u.role = 'customer'
        and (lower(u.display_name) like $1 or u.email like $1
             or ($2::text is not null and regexp_replace(coalesce(u.phone, ''), '[^0-9]', '', 'g') like $2))
      order by lower(u.display_name), u.id
      limit $4`,
    [
      containsPattern(q.toLowerCase()),
      digits.length >= 2 ? containsPattern(digits) : null,
      new Date(nowMs),
      DESK_CUSTOMERS_MAX,
      DESK_UPCOMING_MAX,
    ],
  );
  return rows.map((r) => ({
    id: r.id,
    displayName: r.display_name,
    email: r.email,
    phone: r.phone,
    walkIn: r.walk_in,
    lastVisitAt: r.last_visit_at ? r.last_visit_at.toISOString() : null,
    upcoming: r.upcoming,
  }));
}
