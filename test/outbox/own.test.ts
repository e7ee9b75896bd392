// The scope rule's one home is SQL (kb_local_dates, sql/000006); writers read it back from their
// own events (server/outbox/own.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../../server/db/pool.ts';
import type { Invalidates } from '../../server/outbox/effects.ts';
import { readOwnEffects, readOwnEvents, withOutbox } from '../../server/outbox/own.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, insertBooking } from '../setup/factories.ts';

let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;
let utc: Awaited<ReturnType<typeof createStylist>>;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', bufferMinutes: 15 });
  utc = await createStylist(db.pool, { timezone: 'UTC', bufferMinutes: 0, serviceIds: [salon.service.id] });
});
afterAll(async () => db?.drop());

const localDates = async (stylistId: string, from: string, until: string) =>
  (await db.pool.query<{ d: string[] }>('select kb_local_dates($1, $2, $3)::text[] as d', [stylistId, from, until])).rows[0].d;

describe('kb_local_dates: the stylist-local dates an appointment changes', () => {
  it('is the local date of a daytime appointment (Kathmandu, +05:45)', async () => {
    expect(await localDates(salon.stylist.id, '2027-03-10T05:15:00Z', '2027-03-10T06:30:00Z')).toEqual(['2027-03-10']);
  });
  it('covers both days of an appointment across local midnight', async () => {
    // 23:15 → 00:30 local
    expect(await localDates(salon.stylist.id, '2027-03-10T17:30:00Z', '2027-03-10T18:45:00Z')).toEqual(['2027-03-10', '2027-03-11']);
  });
  it('includes the previous day when its last candidate plus buffer can reach the appointment', async () => {
    // 00:10 local with a 15 min buffer: a candidate ending at midnight occupies until 00:15.
    expect(await localDates(salon.stylist.id, '2027-03-10T18:25:00Z', '2027-03-10T19:40:00Z')).toEqual(['2027-03-10', '2027-03-11']);
    // 00:15 local: that candidate's buffer ends as it starts.
    expect(await localDates(salon.stylist.id, '2027-03-10T18:30:00Z', '2027-03-10T19:45:00Z')).toEqual(['2027-03-11']);
  });
  it('ends an appointment that ends exactly at midnight on its own day', async () => {
    expect(await localDates(utc.id, '2027-03-10T23:00:00Z', '2027-03-11T00:00:00Z')).toEqual(['2027-03-10']);
  });
});

function recorder() {
  const calls: string[] = [];
  const slots: Invalidates = {
    invalidate: (stylistId, dates) => (calls.push(`${stylistId} ${dates?.join(',') ?? '*'}`), 0),
    invalidateDates: (dates) => (calls.push(`* ${dates.join(',')}`), 0),
    invalidateAll: () => (calls.push('* *'), 0),
  };
  return { calls, slots };
}

describe('a writer reads its own events', () => {
  it('sees the events its transaction recorded before commit, and no one else\u2019s', async () => {
    const own = await db.pool.connect();
    const other = await db.pool.connect();
    try {
      await own.query('begin');
      await other.query('begin');
      expect(await readOwnEvents(own)).toEqual([]);
      // A transaction that wrote nothing is not given a transaction id by asking.
      expect((await own.query('select pg_current_xact_id_if_assigned() as x')).rows[0].x).toBeNull();
      await insertBooking(own as unknown as Pool, {
        customerId: salon.customer.id,
        stylistId: salon.stylist.id,
        serviceId: salon.service.id,
        startUtc: '2027-04-01T18:20:00Z',
        durationMinutes: 30,
      });
      await insertBooking(other as unknown as Pool, {
        customerId: salon.customer.id,
        stylistId: utc.id,
        serviceId: salon.service.id,
        startUtc: '2027-04-02T10:00:00Z',
      });
      await own.query(`update stylists set bio = 'new' where id = $1`, [salon.stylist.id]);
      expect(await readOwnEvents(own)).toEqual([
        // 00:05 local on 04-02 with a 15 min buffer: the day before too, as the trigger decided.
        { kind: 'booking.created', stylist_id: salon.stylist.id, dates: ['2027-04-01', '2027-04-02'] },
        { kind: 'stylist.changed', stylist_id: salon.stylist.id, dates: null },
      ]);
      expect(await readOwnEffects(own)).toEqual([
        { stylistId: salon.stylist.id, dates: ['2027-04-01', '2027-04-02'], reason: 'booking' },
        { stylistId: salon.stylist.id, dates: null, reason: 'schedule' },
      ]);
      expect((await readOwnEvents(other)).map((e) => e.stylist_id)).toEqual([utc.id]);
    } finally {
      await own.query('rollback');
      await other.query('rollback');
      own.release();
      other.release();
    }
  });

  it('withOutbox applies the effects after commit, and nothing when the transaction rolls back', async () => {
    const r = recorder();
    const answer = await withOutbox(db.pool, r.slots, async (c) => {
      await c.query(
        `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason) values ('salon', null, '2027-05-01', '2027-05-02', 'closed', 'x')`,
      );
      await c.query(
        `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason) values ('stylist', $1, '2027-05-03', '2027-05-03', 'closed', 'y')`,
        [utc.id],
      );
      // Nothing is applied before the commit: another reader could refill the cache from the old state.
      expect(r.calls).toEqual([]);
      return 42;
    });
    expect(answer).toBe(42);
    expect(r.calls).toEqual(['* 2027-05-01,2027-05-02', `${utc.id} 2027-05-03`]);

    const failed = recorder();
    await expect(
      withOutbox(db.pool, failed.slots, async (c) => {
        await c.query(
          `insert into overrides (scope, stylist_id, start_date, end_date, kind, reason) values ('salon', null, '2027-05-04', '2027-05-04', 'closed', 'z')`,
        );
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(failed.calls).toEqual([]);
    expect((await db.pool.query(`select count(*)::int as n from overrides where start_date = '2027-05-04'`)).rows[0].n).toBe(0);
  });
});
