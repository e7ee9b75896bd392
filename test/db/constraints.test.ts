import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, insertBooking } from '../setup/factories.ts';

let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool);
});
afterAll(async () => db?.drop());

const book = (startUtc: string, o: { status?: string; durationMinutes?: number; bufferMinutes?: number } = {}) =>
  insertBooking(db.pool, { customerId: salon.customer.id, stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc, ...o });

describe('bookings_no_overlap exclusion constraint', () => {
  it('rejects an overlap inside the buffer of an active booking', async () => {
    await book('2027-05-01T04:00:00Z'); // occupies 04:00–05:15 (60 min + 15 buffer)
    await expect(book('2027-05-01T05:00:00Z')).rejects.toMatchObject({ code: '23P01' });
    await expect(book('2027-05-01T03:30:00Z')).rejects.toMatchObject({ code: '23P01' });
  });

  it('accepts back-to-back bookings where one starts as the other’s buffer ends', async () => {
    await book('2027-05-02T04:00:00Z');
    await expect(book('2027-05-02T05:15:00Z')).resolves.toBeTypeOf('string');
  });

  it('ignores cancelled and completed bookings', async () => {
    await book('2027-05-03T04:00:00Z', { status: 'cancelled' });
    await book('2027-05-03T04:00:00Z', { status: 'completed' });
    await expect(book('2027-05-03T04:00:00Z')).resolves.toBeTypeOf('string');
  });

  it('reactivating a cancelled booking over an active one is refused', async () => {
    const cancelled = await book('2027-05-04T04:00:00Z', { status: 'cancelled' });
    await book('2027-05-04T04:30:00Z');
    await expect(db.pool.query(`update bookings set status = 'confirmed' where id = $1`, [cancelled])).rejects.toMatchObject({
      code: '23P01',
    });
  });

  it('does not constrain different stylists', async () => {
    const other = await createSalon(db.pool);
    await book('2027-05-05T04:00:00Z');
    await expect(
      insertBooking(db.pool, {
        customerId: other.customer.id,
        stylistId: other.stylist.id,
        serviceId: other.service.id,
        startUtc: '2027-05-05T04:00:00Z',
      }),
    ).resolves.toBeTypeOf('string');
  });

  it('rejects rows that break check constraints', async () => {
    await expect(book('2027-05-06T04:00:00Z', { status: 'teleported' })).rejects.toMatchObject({ code: '23514' });
    await expect(book('2027-05-06T04:00:00Z', { durationMinutes: -10 })).rejects.toMatchObject({ code: '23514' });
  });
});

describe('outbox', () => {
  it('assigns event ids in commit order, not in insertion order', async () => {
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      await a.query('begin');
      await b.query('begin');
      // A writes first but commits last.
      await a.query(`insert into announcements (message, audience, level) values ('first written', 'all', 'info')`);
      await b.query(`insert into announcements (message, audience, level) values ('second written', 'all', 'info')`);
      await b.query('commit');
      await a.query('commit');
      const { rows } = await db.pool.query(
        `select e.id, a.message from events e join announcements a on a.id = e.entity_id
          where a.message in ('first written', 'second written') order by e.id`,
      );
      expect(rows.map((r) => r.message)).toEqual(['second written', 'first written']);
      expect(rows[1].id).toBeGreaterThan(rows[0].id);
    } finally {
      a.release();
      b.release();
    }
  });

  it('records the stylist-local dates a booking touches and bumps their availability version', async () => {
    // 23:00 Kathmandu on 2027-06-01 is 17:15Z; a 60 min booking plus buffer runs into 2027-06-02 local.
    const id = await book('2027-06-01T17:15:00Z');
    const { rows } = await db.pool.query(`select kind, dates, id from events where entity_id = $1`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].kind).toBe('booking.created');
    expect(rows[0].dates).toEqual(['2027-06-01', '2027-06-02']);
    const v = await db.pool.query(
      `select day, version from availability_versions where stylist_id = $1 and day in ('2027-06-01', '2027-06-02') order by day`,
      [salon.stylist.id],
    );
    expect(v.rows.map((r) => r.version)).toEqual([rows[0].id, rows[0].id]);
  });

  it('writes one schedule event per stylist per transaction however many rows change', async () => {
    const before = (
      await db.pool.query(`select count(*)::int as n from events where kind = 'schedule.changed' and stylist_id = $1`, [salon.stylist.id])
    ).rows[0].n;
    await db.pool.query(`update schedule_windows set end_time = '16:00' where stylist_id = $1`, [salon.stylist.id]);
    const after = (
      await db.pool.query(`select count(*)::int as n from events where kind = 'schedule.changed' and stylist_id = $1`, [salon.stylist.id])
    ).rows[0].n;
    expect(after - before).toBe(1);
  });

  it("records an event when a booking is deleted outright, bumping its day's version", async () => {
    const id = await book('2027-06-05T04:00:00Z');
    const before = (
      await db.pool.query(`select version from availability_versions where stylist_id = $1 and day = '2027-06-05'`, [salon.stylist.id])
    ).rows[0].version;
    await db.pool.query('delete from bookings where id = $1', [id]);
    const { rows } = await db.pool.query(`select kind, dates, data->>'status' as status, id from events where entity_id = $1 order by id`, [
      id,
    ]);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['booking.created', 'confirmed'],
      ['booking.updated', 'deleted'],
    ]);
    const after = (
      await db.pool.query(`select version from availability_versions where stylist_id = $1 and day = '2027-06-05'`, [salon.stylist.id])
    ).rows[0].version;
    expect(after).toBe(rows[1].id);
    expect(after).toBeGreaterThan(before);
  });

  it('records stylist.changed for every stylist offering a service whose duration changes', async () => {
    await db.pool.query('update services set duration_minutes = 45 where id = $1', [salon.service.id]);
    const { rows } = await db.pool.query(`select stylist_id, dates from events where kind = 'stylist.changed' order by id desc limit 1`);
    expect(rows[0]).toEqual({ stylist_id: salon.stylist.id, dates: null });
  });

  it('a booking starting within the buffer after local midnight also touches the previous day', async () => {
    // 00:05 Kathmandu on 2027-06-10 is 18:20Z on 2027-06-09; the buffer is 15 minutes.
    const id = await book('2027-06-09T18:20:00Z', { durationMinutes: 30 });
    const { rows } = await db.pool.query(`select dates from events where entity_id = $1`, [id]);
    expect(rows[0].dates).toEqual(['2027-06-09', '2027-06-10']);
  });
});
