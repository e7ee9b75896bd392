// The e-mail of a waitlist offer over a real SMTP server: a cancellation with a waiter sends that
// waiter exactly one offer e-mail (plain text and HTML, in the salon's name, the offered stylist,
// service and time in salon time with the zone named, when the offer ends, the link to the web app);
// an offer that has ended by the time its job runs sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import type { JobRunner } from '../../server/jobs/runner.ts';
import { startMessaging } from '../../server/mail/index.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { TestSmtp, testExtras, until } from './smtp.ts';

let db: TestDb;
let srv: TestServer;
let smtp: TestSmtp;
let jobs: JobRunner | undefined;
let salon: Awaited<ReturnType<typeof createSalon>>;
let holder: HttpClient;
const waiters: { http: HttpClient; email: string; id: string }[] = [];
const clock = fakeClock();
const DAY = '2027-03-10';

beforeAll(async () => {
  db = await freshDatabase();
  smtp = new TestSmtp();
  await smtp.start();
  salon = await createSalon(db.pool, { displayName: 'Sita Stylist', durationMinutes: 60 });
  // The job runner is started by the tests (the offer's job is added whether or not one runs).
  srv = await startTestServer(db.pool, {
    now: clock.now,
    env: {
      ...NO_LIMITS,
      SMTP_URL: smtp.url,
      SALON_NAME: 'Salon Test',
      MAIL_FROM: 'hello@salon.example',
      JOBS_POLL_MS: '100',
      PUBLIC_URL: 'https://salon.example/',
      WAITLIST_OFFER_MINUTES: '10',
    },
  });
  holder = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  for (let i = 0; i < 2; i++) {
    const u = await createUser(db.pool);
    await db.pool.query(`update users set display_name = $2 where id = $1`, [u.id, i === 0 ? "Ann <b>O'Hara</b>" : 'Bo']);
    waiters.push({ http: await loginAs(srv.baseUrl, u.email, u.password), email: u.email, id: u.id });
  }
});
afterAll(async () => {
  await jobs?.stop();
  await srv?.close();
  await smtp?.stop();
  await db?.drop();
});

const offerMails = (email: string) => smtp.to(email).filter((m) => m.subject?.startsWith('A time opened up'));

async function bookAndJoin(hhmm: string, waiter: HttpClient): Promise<string> {
  const b = await holder.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm, DAY) });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  const j = await waiter.post('/api/waitlist', {
    stylistId: salon.stylist.id,
    serviceId: salon.service.id,
    date: DAY,
    from: hhmm,
    to: hhmm.replace(':00', ':30'),
  });
  expect(j.status, JSON.stringify(j.body)).toBe(201);
  expect((await holder.post(`/api/bookings/${b.body.id}/cancel`, {})).status).toBe(200);
  return j.body.id as string;
}

async function offerOf(entryId: string) {
  await until(
    'the offer',
    async () => (await db.pool.query(`select 1 from waitlist_offers where entry_id = $1`, [entryId])).rowCount === 1,
  );
  const { rows } = await db.pool.query<{ id: string; status: string }>(`select id, status from waitlist_offers where entry_id = $1`, [
    entryId,
  ]);
  return rows[0];
}

describe('waitlist offer e-mail', () => {
  it('an offer that ended before its job runs sends nothing', async () => {
    const entry = await bookAndJoin('14:00', waiters[1].http);
    const offer = await offerOf(entry);
    expect(offer.status).toBe('live');
    // The job was added in the offer's transaction: one, keyed by the offer.
    const key = `message:waitlist_offer:${offer.id}`;
    expect((await db.pool.query('select 1 from graphile_worker.jobs where key = $1', [key])).rowCount).toBe(1);
    expect((await waiters[1].http.post(`/api/waitlist/${entry}/decline`)).status).toBe(200);

    jobs = await startMessaging({
      config: srv.config,
      pool: db.pool,
      log: silentLog,
      slots: srv.app.slots,
      salon: srv.app.salon,
      metrics: srv.app.mailMetrics,
      extras: testExtras,
    });
    await until(
      'the job to run',
      async () => (await db.pool.query('select 1 from graphile_worker.jobs where key = $1', [key])).rowCount === 0,
    );
    // The holder's cancellation arrives; the ended offer's e-mail never does.
    await until('the cancellation', () => smtp.to(salon.customer.email).some((m) => m.subject?.startsWith('Booking cancelled')));
    expect(offerMails(waiters[1].email)).toEqual([]);
    expect((await db.pool.query(`select 1 from messages where kind = 'waitlist_offer'`)).rowCount).toBe(0);
  });

  it('a cancellation with a waiter sends exactly one offer e-mail, in salon time', async () => {
    const w = waiters[0];
    const entry = await bookAndJoin('10:00', w.http);
    const offer = await offerOf(entry);
    const serviceName = (await db.pool.query<{ name: string }>('select name from services where id = $1', [salon.service.id])).rows[0].name;
    await until('the offer e-mail', () => offerMails(w.email).length >= 1);
    // Nothing more arrives (a second send would come right after the first).
    await new Promise((res) => setTimeout(res, 500));
    const mails = offerMails(w.email);
    expect(mails).toHaveLength(1);
    const m = mails[0];
    expect(m.from?.value[0]).toEqual({ name: 'Salon Test', address: 'hello@salon.example' });
    expect(m.subject).toBe(`A time opened up: ${serviceName} with Sita Stylist, Wednesday, 10 March 2027, 10:00 (Asia/Kathmandu time)`);
    // 10:00–11:00 in Kathmandu on 2027-03-10, the zone named; held for 10 minutes of the (fake) clock.
    expect(m.text).toContain('Wednesday, 10 March 2027, 10:00\u201311:00 (Asia/Kathmandu time)');
    expect(m.text).toContain(`${serviceName} with Sita Stylist`);
    expect(m.text).toContain('The offer is yours until Monday, 1 March 2027, 05:55 (Asia/Kathmandu time)');
    expect(m.text).toContain('Book it: https://salon.example/bookings');
    expect(m.text).toContain('Salon Test');
    expect(m.text).toContain("Hello Ann <b>O'Hara</b>,");
    expect(m.html).toContain('Hello Ann &lt;b&gt;O&#39;Hara&lt;/b&gt;,');
    expect(m.html).toContain('href="https://salon.example/bookings"');
    expect(m.attachments).toHaveLength(0);
    const { rows } = await db.pool.query('select status, transport, attempts, booking_id, dedupe_key from messages where kind = $1', [
      'waitlist_offer',
    ]);
    expect(rows).toEqual([
      { status: 'sent', transport: 'smtp', attempts: 1, booking_id: null, dedupe_key: `waitlist_offer:${offer.id}:1` },
    ]);
  });
});
