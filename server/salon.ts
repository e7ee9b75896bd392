// The salon's own settings, kept in the `settings` table (sql/000007) so every process and restart
// agrees: its time zone, in which the admin console reads "today" (overrides, schedules), new
// stylists start, and the demo salon is seeded; and its name, in messages, calendar files and the
// manage page. SALON_TIMEZONE and SALON_NAME give the values at first start only.
import type pg from 'pg';
import { DEFAULT_SALON_NAME, SALON_NAME_KEY, salonName } from './calendar/salon-place.ts';
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

/**
 * The salon settings for one app: the zone read once (a failed read is retried by the next caller);
 * the name stored once if missing, then read on every call, so a change shows at once everywhere.
 */
export class SalonSettings {
  #db: Queryable;
  #initial: string;
  #initialName: string;
  #zone: Promise<string> | undefined;
  #nameStored: Promise<unknown> | undefined;

  constructor(db: Queryable, initialTimezone: string, initialName: string = DEFAULT_SALON_NAME) {
    this.#db = db;
    this.#initial = initialTimezone;
    this.#initialName = initialName;
  }

  /** The `salon_name` setting (SALON_NAME stored first when there is none). */
  async name(): Promise<string> {
    await (this.#nameStored ??= settingOrInit(this.#db, SALON_NAME_KEY, () => this.#initialName).catch((err: unknown) => {
      this.#nameStored = undefined;
      throw err;
    }));
    return salonName(this.#db);
  }

  timezone(): Promise<string> {
    return (this.#zone ??= salonTimezone(this.#db, this.#initial).catch((err: unknown) => {
      this.#zone = undefined;
      throw err;
    }));
  }
}
