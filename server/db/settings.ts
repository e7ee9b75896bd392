// The `settings` table (sql/000007): installation settings by key, as JSON values.
import type pg from 'pg';

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * The value of `key`, storing `initial()` first if the key has none. Safe when several processes
 * start at once: the first insert wins, the others' do nothing, and every caller reads the winner.
 */
export async function settingOrInit<T>(pool: Queryable, key: string, initial: () => T): Promise<T> {
  await pool.query('insert into settings (key, value) values ($1, $2) on conflict (key) do nothing', [key, JSON.stringify(initial())]);
  // A separate statement: it sees a row a concurrent first insert committed meanwhile.
  const { rows } = await pool.query<{ value: T }>('select value from settings where key = $1', [key]);
  if (rows.length === 0) throw new Error(`setting ${key} is missing right after it was stored`);
  return rows[0].value;
}
