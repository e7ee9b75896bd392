// Reminders: one job per booking, due exactly 24 hours before its start (an instant: across a DST
// change the reminder's wall time differs from the appointment's), replaced by a reschedule,
// removed by a cancellation; when due it sends once, in salon time with the zone named; a reminder
// of a booking cancelled or moved meanwhile sends nothing. The job queue runs on the database's
// clock, so "the time comes" is the job's run_at moved to now (graphile_worker.reschedule_jobs).
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NO_LIMITS } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { TestSmtp, testExtras, until } from './smtp.ts';

const NY = 'America/New_York';
let db: TestDb;
let srv: TestServer;
let smtp: TestSmtp;
let salon: Awaited<ReturnType<typeof createSalon>>;

beforeAll(async () => {
  db = await freshDatabase();
  smtp = new TestSmtp();
  await smtp.start();
  salon = await createSalon(db.pool, { timezone: NY, displayName: 'Nora' });
  srv = await startTestServer(db.pool, {
    env: { ...NO_LIMITS, SMTP_URL: smtp.url, SALON_TIMEZONE: NY, JOBS_POLL_MS: '100' },
    jobs: { extras: testExtras },
  });
});
afterAll(async () => {
  await srv?.close();
  await smtp?.stop();
  await db?.drop();
});

const ny = (local: string) => DateTime.fromISO(local, { zone: NY }).toJSDate();

async function book(start: Date): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
     values ($1, $2, $3, $4, $4::timestamptz + interval '1 hour', $4::timestamptz + interval '75 minutes', 100) returning id`,
    [salon.customer.id, salon.stylist.id, salon.service.id, start],
  );
  return rows[0].id;
}

async function reminderJobs(bookingId: string) {
  const { rows } = await db.pool.query<{ id: number; run_at: Date; payload: { startAt: string } }>(
    // payload is not in the public view
    'select id, run_at, payload from graphile_worker._private_jobs where key = $1',
    [`message:reminder:${bookingId}`],
  );
  return rows;
}

const reminders = () => smtp.to(salon.customer.email).filter((m) => m.subject?.startsWith('Reminder'));

/** The time comes: the job becomes due now, as on the day. */
async function due(jobId: number): Promise<void> {
  await db.pool.query('select graphile_worker.reschedule_jobs(array[$1::bigint], run_at => now())', [jobId]);
}

it('is due exactly 24 hours before the start across the fall-back and the spring-forward in New York', async () => {
  // 2027-11-07 10:00 EST, the morning the clocks went back: 24 hours earlier is 11:00 EDT the day before.
  const fallBack = await book(ny('2027-11-07T10:00'));
  // 2027-03-14 10:00 EDT, the morning the clocks went forward: 24 hours earlier is 09:00 EST the day before.
  const springForward = await book(ny('2027-03-14T10:00'));
  const [a] = await reminderJobs(fallBack);
  expect(a.run_at.toISOString()).toBe('2027-11-06T15:00:00.000Z');
  expect(DateTime.fromJSDate(a.run_at, { zone: NY }).toFormat('yyyy-MM-dd HH:mm ZZZZ')).toBe('2027-11-06 11:00 EDT');
  const [b] = await reminderJobs(springForward);
  expect(b.run_at.toISOString()).toBe('2027-03-13T14:00:00.000Z');
  expect(DateTime.fromJSDate(b.run_at, { zone: NY }).toFormat('yyyy-MM-dd HH:mm ZZZZ')).toBe('2027-03-13 09:00 EST');
  for (const [id, start] of [
    [fallBack, ny('2027-11-07T10:00')],
    [springForward, ny('2027-03-14T10:00')],
  ] as const) {
    expect((await reminderJobs(id))[0].run_at.getTime()).toBe(start.getTime() - 24 * 3_600_000);
  }

  // Not due yet: the runner leaves it (the confirmations are sent meanwhile).
  await until(
    'the confirmations',
    () => smtp.to(salon.customer.email).filter((m) => m.subject?.startsWith('Booking confirmed')).length === 2,
  );
  expect(reminders()).toHaveLength(0);
  expect(await reminderJobs(fallBack)).toHaveLength(1);

  // Due: sent once, in salon time with the zone named.
  await due(a.id);
  await until('the reminder', () => reminders().length >= 1);
  await new Promise((r) => setTimeout(r, 500));
  expect(reminders()).toHaveLength(1);
  expect(reminders()[0].text).toContain('Sunday, 7 November 2027, 10:00\u201311:00 (America/New_York time)');
  expect(reminders()[0].subject).toContain('tomorrow');
  expect(await reminderJobs(fallBack)).toHaveLength(0);
  const { rows } = await db.pool.query(`select status from messages where booking_id = $1 and kind = 'reminder'`, [fallBack]);
  expect(rows).toEqual([{ status: 'sent' }]);
});

it('a reschedule replaces the reminder; a cancellation removes it', async () => {
  const id = await book(ny('2027-05-20T10:00'));
  expect((await reminderJobs(id)).map((j) => j.run_at.toISOString())).toEqual(['2027-05-19T14:00:00.000Z']);
  await db.pool.query(
    `update bookings set start_at = $2, end_at = $2::timestamptz + interval '1 hour', occupied_until = $2::timestamptz + interval '75 minutes' where id = $1`,
    [id, ny('2027-05-21T15:00')],
  );
  expect((await reminderJobs(id)).map((j) => j.run_at.toISOString())).toEqual(['2027-05-20T19:00:00.000Z']);
  await db.pool.query(`update bookings set status = 'cancelled' where id = $1`, [id]);
  expect(await reminderJobs(id)).toHaveLength(0);
});

it('a reminder of a booking moved or cancelled meanwhile sends nothing', async () => {
  const moved = await book(ny('2027-06-10T10:00'));
  const cancelled = await book(ny('2027-06-11T10:00'));
  // The jobs as they were before the change (as if the change raced the job's start).
  const stale = [...(await reminderJobs(moved)), ...(await reminderJobs(cancelled))];
  await db.pool.query(
    `update bookings set start_at = start_at + interval '2 hours', end_at = end_at + interval '2 hours',
            occupied_until = occupied_until + interval '2 hours' where id = $1`,
    [moved],
  );
  await db.pool.query(`update bookings set status = 'cancelled' where id = $1`, [cancelled]);
  const before = reminders().length;
  for (const j of stale)
    await db.pool.query(`select graphile_worker.add_job('message', $1::json, job_key => $2)`, [JSON.stringify(j.payload), `stale-${j.id}`]);
  await until(
    'the stale jobs to run',
    async () => (await db.pool.query(`select 1 from graphile_worker.jobs where key like 'stale-%'`)).rowCount === 0,
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(reminders()).toHaveLength(before);
  const text = await (await fetch(`${srv.baseUrl}/metrics`)).text();
  expect(text).toMatch(/^kb_messages_skipped_total 2$/m);
});
