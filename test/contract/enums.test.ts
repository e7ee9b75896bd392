// The contract's closed lists (server/contract/enums.ts) are declared once; the database states
// them again in its constraints, and the two must agree: a status the database refuses, or an
// active status its exclusion constraint does not guard, would be a double booking or a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { role } from '../../server/contract/auth.ts';
import { bookingStatus } from '../../server/contract/bookings.ts';
import { ACTIVE_STATUSES, BOOKING_STATUSES, ROLES, isActiveStatus } from '../../server/contract/enums.ts';
import { ACTIVE_STATUSES_SQL } from '../../server/bookings/status.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';

let db: TestDb;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

/** The quoted literals of a constraint's definition, in order. */
const literals = (def: string) => [...def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]);

async function constraintDef(table: string, contype: 'c' | 'x', mentioning: string): Promise<string> {
  const { rows } = await db.pool.query<{ def: string }>(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c
      where c.conrelid = $1::regclass and c.contype = $2 and pg_get_constraintdef(c.oid) like '%' || $3 || '%'`,
    [table, contype, mentioning],
  );
  expect(rows).toHaveLength(1);
  return rows[0].def;
}

describe('the contract lists', () => {
  it('are what the zod schemas accept', () => {
    expect(bookingStatus.options).toEqual([...BOOKING_STATUSES]);
    expect(role.options).toEqual([...ROLES]);
  });

  it('agree with the database: booking statuses, roles and the statuses the no-overlap constraints guard', async () => {
    expect(literals(await constraintDef('bookings', 'c', 'status'))).toEqual([...BOOKING_STATUSES]);
    expect(literals(await constraintDef('users', 'c', 'role = ANY'))).toEqual([...ROLES]);
    expect(literals(await constraintDef('bookings', 'x', 'stylist_id WITH'))).toEqual([...ACTIVE_STATUSES]);
    // One customer, one chair at a time (sql/000009_customer_overlap.sql).
    expect(literals(await constraintDef('bookings', 'x', 'customer_id WITH'))).toEqual([...ACTIVE_STATUSES]);
  });

  it('active statuses: the SQL list and the predicate say the same', async () => {
    const { rows } = await db.pool.query<{ s: string; active: boolean }>(
      `select s, s in (${ACTIVE_STATUSES_SQL}) as active from unnest($1::text[]) as s`,
      [[...BOOKING_STATUSES]],
    );
    expect(rows.map((r) => r.active)).toEqual(BOOKING_STATUSES.map(isActiveStatus));
    expect(BOOKING_STATUSES.filter(isActiveStatus)).toEqual([...ACTIVE_STATUSES]);
  });
});
