// Delivery that survives: an SMTP server down mid-run (retried with backoff, visible in the
// messages table and /metrics), a process restarted meanwhile (nothing lost), then every message
// delivered exactly once; two job runners on one database (two processes) send each message once;
// a job run again for a message already sent sends nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool, type Pool } from '../../server/db/pool.ts';
import { NO_LIMITS, loginAs } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { TestSmtp, testExtras, until } from './smtp.ts';

let db: TestDb;
let smtp: TestSmtp;
let salon: Awaited<ReturnType<typeof createSalon>>;
const extraPools: Pool[] = [];
const servers: TestServer[] = [];
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  smtp = new TestSmtp();
  await smtp.start();
  salon = await createSalon(db.pool);
});
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  for (const p of extraPools) await p.end().catch(() => undefined);
  await smtp?.stop();
  await db?.drop();
});

/** A server process of its own (own pool) running jobs against the test database. */
async function process(): Promise<TestServer> {
  const pool = createPool(db.url, 5, silentLog);
  extraPools.push(pool);
  const s = await startTestServer(pool, {
    now: clock.now,
    env: { ...NO_LIMITS, SMTP_URL: smtp.url, JOBS_POLL_MS: '100', JOBS_CONCURRENCY: '4' },
    jobs: { extras: testExtras },
  });
  servers.push(s);
  return s;
}

async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').pop()) : NaN;
}

const confirmationsTo = (email: string) => smtp.to(email).filter((m) => m.subject?.startsWith('Booking confirmed'));

it('SMTP down mid-run, the process restarted meanwhile, SMTP up: every message delivered exactly once', async () => {
  const first = await process();
  const customers = await Promise.all([0, 1, 2].map(() => createUser(db.pool)));
  await smtp.stop();
  for (const [i, c] of customers.entries()) {
    const http = await loginAs(first.baseUrl, c.email, c.password);
    const r = await http.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(`1${2 * i}:00`) });
    expect(r.status).toBe(201);
  }
  // Each failed, is waiting for its retry, and says why.
  await until('three failed attempts', async () => {
    const { rows } = await db.pool.query(`select 1 from messages where status = 'retrying' and attempts >= 1`);
    return rows.length === 3;
  });
  const { rows } = await db.pool.query<{ last_error: string }>('select last_error from messages');
  for (const r of rows) expect(r.last_error).toMatch(/ECONNREFUSED|connect/i);
  expect(await metric(first.baseUrl, 'kb_messages_send_failures_total')).toBeGreaterThanOrEqual(3);
  expect(await metric(first.baseUrl, 'kb_messages{status="retrying"}')).toBe(3);
  expect(
    (await metric(first.baseUrl, 'kb_jobs_queued{due="false"}')) + (await metric(first.baseUrl, 'kb_jobs_queued{due="true"}')),
  ).toBeGreaterThanOrEqual(3);
  expect(smtp.received).toHaveLength(0);

  // The process stops (gracefully) and another starts; the SMTP server comes back.
  await first.close();
  servers.splice(servers.indexOf(first), 1);
  await smtp.start();
  const second = await process();
  await until('every confirmation', () => customers.every((c) => confirmationsTo(c.email).length >= 1), 45_000);
  await new Promise((r) => setTimeout(r, 1000));
  for (const c of customers) expect(confirmationsTo(c.email)).toHaveLength(1);
  const after = await db.pool.query<{ status: string; attempts: number }>('select status, attempts from messages');
  expect(after.rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  for (const r of after.rows) expect(r.attempts).toBeGreaterThanOrEqual(2);
  expect(await metric(second.baseUrl, 'kb_messages_sent_total{transport="smtp"}')).toBe(3);
  expect(await metric(second.baseUrl, 'kb_messages{status="retrying"}')).toBe(0);
  await second.close();
  servers.splice(servers.indexOf(second), 1);
}, 90_000);

it('two job runners on one database send each message once', async () => {
  const [a, b] = [await process(), await process()];
  const before = smtp.received.length;
  // Twenty bookings written at once (as psql or a batch would): forty jobs with their reminders.
  const customers = await Promise.all(Array.from({ length: 20 }, () => createUser(db.pool)));
  await db.pool.query(
    `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
     select c.id, $2, $3, $4::timestamptz + (n * interval '2 hours'), $4::timestamptz + (n * interval '2 hours') + interval '1 hour',
            $4::timestamptz + (n * interval '2 hours') + interval '75 minutes', 100
       from unnest($1::uuid[]) with ordinality as c(id, n)`,
    [customers.map((c) => c.id), salon.stylist.id, salon.service.id, '2027-04-01T00:00:00Z'],
  );
  await until('twenty confirmations', () => smtp.received.length - before >= 20, 45_000);
  await new Promise((r) => setTimeout(r, 1000));
  expect(smtp.received.length - before).toBe(20);
  for (const c of customers) expect(confirmationsTo(c.email)).toHaveLength(1);
  const sentA = await metric(a.baseUrl, 'kb_messages_sent_total{transport="smtp"}');
  const sentB = await metric(b.baseUrl, 'kb_messages_sent_total{transport="smtp"}');
  expect((sentA || 0) + (sentB || 0)).toBe(20);

  // A job run again for a message already sent (its record says so) sends nothing.
  const { rows } = await db.pool.query<{ booking_id: string; dedupe_key: string }>(
    `select booking_id, dedupe_key from messages where booking_id = $1`,
    [(await db.pool.query<{ id: string }>('select id from bookings where customer_id = $1', [customers[0].id])).rows[0].id],
  );
  const [, , version] = rows[0].dedupe_key.split(':');
  await db.pool.query(`select graphile_worker.add_job('message', $1::json, job_key => 'again')`, [
    JSON.stringify({ kind: 'confirmed', bookingId: rows[0].booking_id, version }),
  ]);
  await until(
    'the repeated job to be done',
    async () => (await db.pool.query(`select 1 from graphile_worker.jobs where key = 'again'`)).rowCount === 0,
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(confirmationsTo(customers[0].email)).toHaveLength(1);
}, 90_000);
