// Messages over a real SMTP server: a booking made over HTTP gets exactly one confirmation (plain
// text and HTML, in the salon's name, the time in salon time with the zone named, the calendar file
// and manage link of the extras); a reschedule and a cancellation each get theirs (who cancelled);
// a closure that flags a booking tells its customer with the nearest free times; a write that
// rolls back adds no job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, DAY, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { TestSmtp, testExtras, until } from './smtp.ts';

let db: TestDb;
let srv: TestServer;
let smtp: TestSmtp;
let salon: Awaited<ReturnType<typeof createSalon>>;
let customer: HttpClient;
let admin: HttpClient;
const clock = fakeClock();
const ZONE_NAMED = '(Asia/Kathmandu time)';

beforeAll(async () => {
  db = await freshDatabase();
  smtp = new TestSmtp();
  await smtp.start();
  salon = await createSalon(db.pool, { displayName: 'Sita Stylist' });
  await db.pool.query("update users set display_name = 'Ann <b>O''Hara</b>' where id = $1", [salon.customer.id]);
  const a = await createUser(db.pool, { role: 'admin' });
  srv = await startTestServer(db.pool, {
    now: clock.now,
    env: { ...NO_LIMITS, SMTP_URL: smtp.url, SALON_NAME: 'Salon Test', MAIL_FROM: 'hello@salon.example', JOBS_POLL_MS: '100' },
    jobs: { extras: testExtras },
  });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  admin = await loginAs(srv.baseUrl, a.email, a.password);
});
afterAll(async () => {
  await srv?.close();
  await smtp?.stop();
  await db?.drop();
});

const customerEmail = () => salon.customer.email;

describe('booking messages', () => {
  let bookingId: string;

  it('a booking made over HTTP gets exactly one confirmation, with the calendar file and the manage link', async () => {
    const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('10:00') });
    expect(r.status).toBe(201);
    bookingId = r.body.id;
    await until('the confirmation', () => smtp.to(customerEmail()).length >= 1);
    // Nothing more arrives (a second send would come right after the first).
    await new Promise((res) => setTimeout(res, 500));
    const mails = smtp.to(customerEmail());
    expect(mails).toHaveLength(1);
    const m = mails[0];
    expect(m.from?.value[0]).toEqual({ name: 'Salon Test', address: 'hello@salon.example' });
    expect(m.subject).toContain('Booking confirmed');
    // 10:00 in Kathmandu on 2027-03-10, a Wednesday, with the zone named.
    expect(m.text).toContain(`Wednesday, 10 March 2027, 10:00\u201311:00 ${ZONE_NAMED}`);
    expect(m.text).toContain('with Sita Stylist');
    expect(m.text).toContain('The calendar file attached adds it to your calendar.');
    expect(m.text).toContain(`https://salon.example/manage/${bookingId}?token=abc&for=manage`);
    // HTML part: the same facts, every value escaped, the link as a link.
    expect(m.html).toContain('Hello Ann &lt;b&gt;O&#39;Hara&lt;/b&gt;,');
    expect(m.html).not.toContain('<b>O');
    expect(m.html).toContain(`href="https://salon.example/manage/${bookingId}?token=abc&amp;for=manage"`);
    expect(m.text).toContain("Hello Ann <b>O'Hara</b>,");
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0].filename).toBe('booking.ics');
    expect(m.attachments[0].contentType).toBe('text/calendar');
    expect(m.attachments[0].content.toString()).toContain(`UID:${bookingId}`);
    // Recorded as sent over SMTP, once.
    const { rows } = await db.pool.query('select status, transport, attempts, kind from messages where booking_id = $1', [bookingId]);
    expect(rows).toEqual([{ status: 'sent', transport: 'smtp', attempts: 1, kind: 'confirmed' }]);
  });

  it('a reschedule sends the new and the old time', async () => {
    const r = await customer.post(`/api/bookings/${bookingId}/reschedule`, { startUtc: at('13:00') });
    expect(r.status).toBe(200);
    await until('the reschedule message', () => smtp.to(customerEmail()).some((m) => m.subject?.startsWith('Booking moved')));
    const m = smtp.to(customerEmail()).find((x) => x.subject?.startsWith('Booking moved'))!;
    expect(m.text).toContain(`It is now:`);
    expect(m.text).toContain(`Wednesday, 10 March 2027, 13:00\u201314:00 ${ZONE_NAMED}`);
    expect(m.text).toContain(`It was Wednesday, 10 March 2027, 10:00\u201311:00 ${ZONE_NAMED} with Sita Stylist.`);
    expect(m.attachments.map((a) => a.filename)).toEqual(['booking.ics']);
    // The reminder follows the booking: one job, due 24 hours before the new time.
    const { rows } = await db.pool.query<{ run_at: Date }>('select run_at from graphile_worker.jobs where key = $1', [
      `message:reminder:${bookingId}`,
    ]);
    expect(rows.map((x) => x.run_at.toISOString())).toEqual([new Date(Date.parse(at('13:00')) - 86_400_000).toISOString()]);
  });

  it('a cancellation by the customer says who cancelled, and removes the reminder', async () => {
    const r = await customer.post(`/api/bookings/${bookingId}/cancel`, { reason: 'Travelling' });
    expect(r.status).toBe(200);
    await until('the cancellation', () => smtp.to(customerEmail()).some((m) => m.subject?.startsWith('Booking cancelled')));
    const m = smtp.to(customerEmail()).find((x) => x.subject?.startsWith('Booking cancelled'))!;
    expect(m.text).toContain('You cancelled your booking at Salon Test:');
    expect(m.text).toContain(`13:00\u201314:00 ${ZONE_NAMED}`);
    expect(m.text).toContain('Reason given: Travelling');
    const { rows } = await db.pool.query('select 1 from graphile_worker.jobs where key = $1', [`message:reminder:${bookingId}`]);
    expect(rows).toHaveLength(0);
  });

  it('a cancellation by the front desk says the salon cancelled', async () => {
    const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('15:00') });
    expect(r.status).toBe(201);
    const c = await admin.post(`/api/bookings/${r.body.id}/cancel`, {});
    expect(c.status).toBe(200);
    await until('the desk cancellation', () =>
      smtp.to(customerEmail()).some((m) => m.subject?.startsWith('Booking cancelled') && m.text?.includes('15:00')),
    );
    const m = smtp.to(customerEmail()).find((x) => x.subject?.startsWith('Booking cancelled') && x.text?.includes('15:00'))!;
    expect(m.text).toContain('The salon cancelled your booking at Salon Test:');
  });

  it('a closure that flags a booking tells its customer, with the nearest free times and the manage link', async () => {
    const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('11:00') });
    expect(r.status).toBe(201);
    const o = await admin.post('/api/admin/overrides', {
      scope: 'salon',
      startDate: DAY,
      endDate: DAY,
      kind: 'hours',
      start: '09:00',
      end: '10:30',
      reason: 'Short day',
    });
    expect(o.status).toBe(201);
    await until('the flag message', () => smtp.to(customerEmail()).some((m) => m.subject?.startsWith('Action needed')));
    const m = smtp.to(customerEmail()).find((x) => x.subject?.startsWith('Action needed'))!;
    expect(m.text).toContain('the opening hours that day have changed');
    expect(m.text).toContain(`11:00\u201312:00 ${ZONE_NAMED}`);
    expect(m.text).toContain('The nearest free times for the same service:');
    // The nearest free time that day is 09:30 (09:00–10:00 is inside the new hours; the customer's
    // 11:00 is not). Listed in salon time, with the stylist.
    expect(m.text).toMatch(/- Wednesday, 10 March 2027, \d\d:\d\d\u2013\d\d:\d\d \(Asia\/Kathmandu time\) with Sita Stylist/);
    expect(m.text).toContain(`https://salon.example/manage/${r.body.id}`);
  });
});

describe('in the same transaction as the write', () => {
  it('a booking written and rolled back adds no job; committed, it adds one', async () => {
    const jobsOf = async (id: string) =>
      (await db.pool.query('select 1 from graphile_worker.jobs where key like $1', [`message:%:${id}%`])).rowCount;
    const client = await db.pool.connect();
    let id: string;
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string }>(
        `insert into bookings (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, price_cents)
         values ($1, $2, $3, $4, $4::timestamptz + interval '1 hour', $4::timestamptz + interval '75 minutes', 100) returning id`,
        [salon.customer.id, salon.stylist.id, salon.service.id, '2027-03-12T03:15:00Z'],
      );
      id = rows[0].id;
      // Inside the transaction the jobs are there (confirmation and reminder)...
      expect(
        await (async () => (await client.query('select 1 from graphile_worker.jobs where key like $1', [`message:%:${id}%`])).rowCount)(),
      ).toBe(2);
      await client.query('rollback');
    } finally {
      client.release();
    }
    // ...and gone with it.
    expect(await jobsOf(id)).toBe(0);
    expect((await db.pool.query('select 1 from messages where booking_id = $1', [id])).rowCount).toBe(0);
  });
});
