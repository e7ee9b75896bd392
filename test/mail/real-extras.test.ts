// A confirmation with the real calendar file and manage link (what server/main.ts wires): the
// attached ICS parses (ical.js) to the booked instant, and the link opens that booking without a
// session.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpClient, loginAs, NO_LIMITS } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { parseIcs } from '../calendar/parse.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { mailExtras } from '../../server/mail-extras.ts';
import { TestSmtp, until } from './smtp.ts';

let db: TestDb;
let srv: TestServer;
let smtp: TestSmtp;
let salon: Awaited<ReturnType<typeof createSalon>>;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  smtp = new TestSmtp();
  await smtp.start();
  salon = await createSalon(db.pool);
  srv = await startTestServer(db.pool, {
    now: clock.now,
    env: { ...NO_LIMITS, SMTP_URL: smtp.url, JOBS_POLL_MS: '100', PUBLIC_URL: 'http://salon.example' },
    jobs: { extras: mailExtras(db.pool, () => srv.app.manageKeys()) },
  });
});
afterAll(async () => {
  await srv?.close();
  await smtp?.stop();
  await db?.drop();
});

it('a booking over HTTP gets one confirmation whose calendar file is the booked instant and whose link opens it', async () => {
  const customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  const startUtc = at('11:00');
  const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc });
  expect(r.status).toBe(201);
  await until('the confirmation', () => smtp.to(salon.customer.email).length >= 1);
  const [mail, ...more] = smtp.to(salon.customer.email);
  expect(more).toEqual([]);
  expect(mail.attachments).toHaveLength(1);
  const cal = parseIcs(mail.attachments[0].content.toString());
  expect(cal.events).toHaveLength(1);
  expect(cal.events[0].startUtc).toBe(new Date(startUtc).toISOString());
  expect(cal.events[0].endUtc).toBe(r.body.endUtc);
  expect(cal.events[0].uid).toContain(r.body.id);

  const link = /http:\/\/salon\.example\/manage\/([A-Za-z0-9_.~-]+)/.exec(mail.text ?? '');
  expect(link, mail.text).not.toBeNull();
  const view = await new HttpClient(srv.baseUrl).get(`/api/manage/${link![1]}`);
  expect(view.status, JSON.stringify(view.body)).toBe(200);
  expect(JSON.stringify(view.body)).toContain(r.body.id);
});
