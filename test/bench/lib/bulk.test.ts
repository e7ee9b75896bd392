import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../../setup/db.ts';
import { bulkBookings, createBenchSalon, gridDays, gridPlace, type BenchSalon, type BookingGrid } from './bulk.ts';

let db: TestDb;
let salon: BenchSalon;
const grid: BookingGrid = {
  startDate: '2027-03-01',
  cells: ['09:00', '10:00', '11:00', '12:00', '14:00', '15:00', '16:00', '17:00'],
  perDay: 5,
};

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createBenchSalon(db.pool, { stylists: 7, customers: 11, zones: ['Asia/Kathmandu', 'America/New_York'] });
});
afterAll(async () => {
  await db?.drop();
});

describe('bench bulk data', () => {
  it('creates stylists with schedules and services, and customers', async () => {
    expect(salon.stylists).toHaveLength(7);
    expect(salon.customers).toHaveLength(11);
    expect(salon.stylists.map((s) => s.timezone).slice(0, 3)).toEqual(['Asia/Kathmandu', 'America/New_York', 'Asia/Kathmandu']);
    const { rows } = await db.pool.query(`select count(*)::int as windows from schedule_windows where stylist_id = any($1::uuid[])`, [
      salon.stylists.map((s) => s.id),
    ]);
    expect(rows[0].windows).toBe(7 * 7 * 2);
  });

  it('loads rows on the grid in parallel sessions without tripping the exclusion constraint or the outbox', async () => {
    const eventsBefore = (await db.pool.query('select count(*)::int as n from events')).rows[0].n;
    // 7 stylists × 5 per day = 35 rows a day: 1,000 rows end part-way through day 28.
    const r = await bulkBookings(db.pool, salon, grid, 0, 1000, { parallel: 2, chunk: 300 });
    expect(r.rows).toBe(1000);
    const { rows } = await db.pool.query(
      `select count(*)::int as n, count(*) filter (where status = 'cancelled')::int as cancelled from bookings`,
    );
    expect(rows[0]).toEqual({ n: 1000, cancelled: 100 });
    expect(gridDays(salon, grid, 1000)).toBe(29);
    // The loading sessions ran with triggers off; nothing leaked into the pool's other sessions.
    expect((await db.pool.query('select count(*)::int as n from events')).rows[0].n).toBe(eventsBefore);
    expect((await db.pool.query('show session_replication_role')).rows[0].session_replication_role).toBe('origin');
  });

  it('places each row where gridPlace says, in the stylist zone', async () => {
    for (const row of [0, 1, 4, 5, 34, 35, 999]) {
      const p = gridPlace(salon, grid, row);
      const st = salon.stylists[p.stylistIndex];
      const date = new Date(Date.parse(`${grid.startDate}T00:00:00Z`) + p.dayIndex * 86_400_000).toISOString().slice(0, 10);
      const { rows } = await db.pool.query(
        `select count(*)::int as n from bookings where stylist_id = $1 and start_at = ($2::date + $3::time) at time zone $4`,
        [st.id, date, grid.cells[p.cellIndex], st.timezone],
      );
      expect(rows[0].n, `row ${row}`).toBe(1);
    }
  });

  it('rejects a grid whose cells overlap once the buffer is counted', async () => {
    await expect(bulkBookings(db.pool, salon, { ...grid, cells: ['09:00', '09:30'], perDay: 1 }, 0, 10)).rejects.toThrow(/overlaps/);
  });
});
