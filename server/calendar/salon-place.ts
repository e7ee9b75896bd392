// The salon's name and address as calendars, messages and the manage page show them: the
// `salon_name` and `salon_address` settings (the `settings` table; docs/operations.md "Salon name and
// address"), read on every use. The name is stored from SALON_NAME at first start (server/salon.ts);
// without it (a database no server has started on) the product's name is used. Without an address
// none is shown.
import type pg from 'pg';

type Queryable = Pick<pg.ClientBase, 'query'>;

export const SALON_NAME_KEY = 'salon_name';
export const SALON_ADDRESS_KEY = 'salon_address';
export const DEFAULT_SALON_NAME = 'KB Stylish';

export interface SalonPlace {
  name: string;
  address: string | null;
  timezone: string;
}

/** One line of text from a stored value: a non-empty string of at most `max` characters, else null. */
function line(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return null;
  const s = v.replace(/[\r\n]+/g, ', ').trim();
  return s.length === 0 ? null : s.slice(0, max);
}

/** The salon's name (the one source for messages, calendar files and the manage page). */
export async function salonName(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ value: unknown }>('select value from settings where key = $1', [SALON_NAME_KEY]);
  return line(rows[0]?.value, 120) ?? DEFAULT_SALON_NAME;
}

/** The salon's name, address and zone (the zone as server/salon.ts keeps it, read here from the same table). */
export async function salonPlace(db: Queryable, fallbackZone: string): Promise<SalonPlace> {
  const { rows } = await db.query<{ key: string; value: unknown }>('select key, value from settings where key = any($1::text[])', [
    [SALON_NAME_KEY, SALON_ADDRESS_KEY, 'salon_timezone'],
  ]);
  const v = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  return {
    name: line(v[SALON_NAME_KEY], 120) ?? DEFAULT_SALON_NAME,
    address: line(v[SALON_ADDRESS_KEY], 300),
    timezone: line(v.salon_timezone, 64) ?? fallbackZone,
  };
}
