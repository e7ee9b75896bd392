// The salon's own settings, kept in the `settings` table (sql/000007) so every process and restart
// agrees: today its time zone, in which the admin console reads "today" (overrides, schedules), new
// stylists start, and the demo salon is seeded. SALON_TIMEZONE gives the value at first start only.
import type pg from 'pg';
import { settingOrInit } from './db/settings.ts';
import { isValidZone } from './slots/engine.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export const SALON_TIMEZONE_KEY = 'salon_timezone';

/**
 * The salon's time zone: the stored setting, or `initial` stored first when there is none. A stored
 * value that is not an IANA zone both the runtime and Postgres know stops the start with the fix.
 */
export async function salonTimezone(db: Queryable, initial: string): Promise<string> {
  const zone = await settingOrInit(db, SALON_TIMEZONE_KEY, () => initial);
  const fix = `update settings set value = to_jsonb('Asia/Kathmandu'::text) where key = '${SALON_TIMEZONE_KEY}' (with the salon's zone)`;
  if (typeof zone !== 'string' || !isValidZone(zone)) {
    throw new Error(`settings.${SALON_TIMEZONE_KEY} is ${JSON.stringify(zone)}, not an IANA time zone; set it: ${fix}`);
  }
  const { rows } = await db.query('select 1 from pg_timezone_names where name = $1', [zone]);
  if (rows.length === 0) throw new Error(`settings.${SALON_TIMEZONE_KEY} is ${zone}, a zone Postgres does not know; set it: ${fix}`);
  return zone;
}

/** The salon setting for one app: read once (a failed read is retried by the next caller). */
export class SalonSettings {
  #db: Queryable;
  #initial: string;
  #zone: Promise<string> | undefined;

  constructor(db: Queryable, initialTimezone: string) {
    this.#db = db;
    this.#initial = initialTimezone;
  }

  timezone(): Promise<string> {
    return (this.#zone ??= salonTimezone(this.#db, this.#initial).catch((err: unknown) => {
      this.#zone = undefined;
      throw err;
    }));
  }
}
