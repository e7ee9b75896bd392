// One source for the salon's name: the `salon_name` setting, stored from SALON_NAME at first start.
// Changed once (as an operator does, with SQL), the next e-mail (sender, text, HTML), its calendar
// file, the booking's calendar download and the manage page all carry the new name; a restart with
// another SALON_NAME does not overwrite it. Real SMTP, real HTTP, real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let customer: HttpClient;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  smtp = new TestSmtp();
  await smtp.start();
  salon = await createSalon(db.pool);
  srv = await startTestServer(db.pool, {
    now: clock.now,
    env: { ...NO_LIMITS, SMTP_URL: smtp.url, JOBS_POLL_MS: '100', PUBLIC_URL: 'http://salon.example', SALON_NAME: 'First Cut' },
    jobs: { extras: mailExtras(db.pool, () => srv.app.manageKeys()) },
  });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
});
afterAll(async () => {
  await srv?.close();
  await smtp?.stop();
  await db?.drop();
});

const setting = async () => (await db.pool.query(`select value from settings where key = 'salon_name'`)).rows[0]?.value;

/** Books `hhmm` on DAY and returns the booking's id with its confirmation e-mail. */
async function bookAndMail(hhmm: string) {
  const before = smtp.to(salon.customer.email).length;
  const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm) });
  expect(r.status).toBe(201);
  await until('the confirmation', () => smtp.to(salon.customer.email).length > before);
  const mail = smtp.to(salon.customer.email)[before];
  return { id: r.body.id as string, mail };
}

describe('the salon’s name', () => {
  it('is stored from SALON_NAME at first start and used by the e-mail and its calendar file', async () => {
    expect(await setting()).toBe('First Cut');
    const { mail } = await bookAndMail('10:00');
    expect(mail.from?.value[0].name).toBe('First Cut');
    expect(mail.text).toContain('Your booking at First Cut is confirmed');
    expect(parseIcs(mail.attachments[0].content.toString()).name).toBe('First Cut');
  });

  it('changed once in the setting: the next e-mail, its calendar file, the download and the manage page carry the new name', async () => {
    await db.pool.query(`update settings set value = to_jsonb('Hair on Hudson'::text) where key = 'salon_name'`);
    const { id, mail } = await bookAndMail('14:00');
    expect(mail.from?.value[0].name).toBe('Hair on Hudson');
    expect(mail.text).toContain('Your booking at Hair on Hudson is confirmed');
    expect(mail.html).toContain('Hair on Hudson');
    for (const m of [mail.text ?? '', mail.html || '']) expect(m).not.toContain('First Cut');
    expect(parseIcs(mail.attachments[0].content.toString()).name).toBe('Hair on Hudson');

    const download = await fetch(`${srv.baseUrl}/api/bookings/${id}/calendar.ics`, { headers: { cookie: customer.cookie } });
    expect(download.status).toBe(200);
    expect(parseIcs(await download.text()).name).toBe('Hair on Hudson');

    const link = /http:\/\/salon\.example\/manage\/([A-Za-z0-9_.~-]+)/.exec(mail.text ?? '');
    expect(link, mail.text).not.toBeNull();
    const view = await new HttpClient(srv.baseUrl).get(`/api/manage/${link![1]}`);
    expect(view.status).toBe(200);
    expect(view.body.salon.name).toBe('Hair on Hudson');
  });

  it('a process started later with another SALON_NAME keeps the stored name', async () => {
    const later = await startTestServer(db.pool, { now: clock.now, env: { ...NO_LIMITS, SALON_NAME: 'Not This One' } });
    try {
      expect(await later.app.salon.name()).toBe('Hair on Hudson');
      expect(await setting()).toBe('Hair on Hudson');
    } finally {
      await later.close();
    }
  });
});
