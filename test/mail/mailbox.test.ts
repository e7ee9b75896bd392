// Without SMTP_URL messages go to the local mailbox: a row in `messages` (shown to admins at
// /api/admin/messages) and an .eml file under MAIL_DIR, the bytes SMTP would have carried.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { testExtras, until } from './smtp.ts';

let db: TestDb;
let srv: TestServer;
let root: string;
let dir: string;
let salon: Awaited<ReturnType<typeof createSalon>>;
let admin: HttpClient;
let customer: HttpClient;
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  root = await mkdtemp(path.join(os.tmpdir(), 'kb-mail-'));
  dir = path.join(root, 'mail');
  salon = await createSalon(db.pool);
  const a = await createUser(db.pool, { role: 'admin' });
  srv = await startTestServer(db.pool, {
    now: clock.now,
    env: { ...NO_LIMITS, MAIL_DIR: dir, JOBS_POLL_MS: '100' },
    jobs: { extras: testExtras },
  });
  admin = await loginAs(srv.baseUrl, a.email, a.password);
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

it('keeps each message as a row and an .eml file, and shows it to admins only', async () => {
  const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('10:00') });
  expect(r.status).toBe(201);
  await until('the mailbox row', async () => (await db.pool.query(`select 1 from messages where status = 'sent'`)).rowCount === 1);
  const { rows } = await db.pool.query<{ id: number; transport: string; to_address: string }>(
    'select id, transport, to_address from messages',
  );
  expect(rows).toEqual([{ id: rows[0].id, transport: 'mailbox', to_address: salon.customer.email }]);

  // The folder was created, with one file: the message as it would have gone out.
  const files = await readdir(dir);
  expect(files).toEqual([`${String(rows[0].id).padStart(8, '0')}.eml`]);
  const eml = await simpleParser(await readFile(path.join(dir, files[0])));
  expect(eml.subject).toMatch(/^Booking confirmed/);
  expect(eml.to && !Array.isArray(eml.to) ? eml.to.value[0].address : null).toBe(salon.customer.email);
  expect(eml.attachments.map((a) => a.filename)).toEqual(['booking.ics']);
  expect(eml.html).toContain('<ul>');

  // The console's list and one message.
  const list = await admin.get('/api/admin/messages');
  expect(list.status).toBe(200);
  expect(list.headers.get('cache-control')).toBe('no-store');
  expect(list.body).toEqual([
    expect.objectContaining({
      id: rows[0].id,
      kind: 'confirmed',
      bookingId: r.body.id,
      to: salon.customer.email,
      status: 'sent',
      transport: 'mailbox',
      attempts: 1,
      lastError: null,
    }),
  ]);
  const one = await admin.get(`/api/admin/messages/${rows[0].id}`);
  expect(one.status).toBe(200);
  expect(one.body.text).toContain('Your booking at KB Stylish is confirmed');
  expect(one.body.html).toContain('<!doctype html>');
  expect(one.body.attachments).toEqual([
    { filename: 'booking.ics', contentType: expect.stringMatching(/^text\/calendar/), bytes: expect.any(Number) },
  ]);
  expect(one.body.messageId).toMatch(/^<[0-9a-f]{32}@kbstylish\.test>$/);
  expect(eml.messageId).toBe(one.body.messageId);

  // Filters and pages.
  expect((await admin.get('/api/admin/messages?status=failed')).body).toEqual([]);
  expect((await admin.get(`/api/admin/messages?before=${rows[0].id}`)).body).toEqual([]);
});

it('answers bad input and other roles with the usual errors', async () => {
  expect((await customer.get('/api/admin/messages')).status).toBe(403);
  expect((await customer.get('/api/admin/messages/1')).status).toBe(403);
  const bad = await admin.get('/api/admin/messages?limit=5000');
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('INVALID_INPUT');
  expect((await admin.get('/api/admin/messages?status=lost')).status).toBe(400);
  expect((await admin.get('/api/admin/messages/abc')).status).toBe(400);
  const missing = await admin.get('/api/admin/messages/999999');
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('NOT_FOUND');
});
