// Postgres itself stopped for 5 s and started again, on a private embedded instance (not the shared
// test server, which other files are using).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDb } from '../../server/db/embedded.ts';
import { migrate } from '../../server/db/migrate.ts';
import { installJobSchema } from '../../server/jobs/schema.ts';
import { createPool, type Pool } from '../../server/db/pool.ts';
import { freePort } from '../setup/net.ts';
import { pgTempRoot } from '../setup/tmp.ts';
import { silentLog } from '../setup/db.ts';
import { createSalon, insertBooking } from '../setup/factories.ts';
import { Inbox, byLocal, connect, kathmandu, request, startLive, until, type LiveServer, SocketJar } from './helpers.ts';

let root: string;
let pg: EmbeddedDb;
let pool: Pool;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const jar = new SocketJar();

beforeAll(async () => {
  root = await pgTempRoot('kb-outage-');
  pg = await startEmbeddedPostgres(path.join(root, 'pg'), await freePort(), silentLog);
  pool = createPool(pg.url, 5, silentLog);
  const client = await pool.connect();
  try {
    await migrate(client);
  } finally {
    client.release();
  }
  // As the server does at start: booking writes add message jobs to the job queue's schema.
  await installJobSchema(pg.url, silentLog);
  salon = await createSalon(pool, { durationMinutes: 60 });
  srv = await startLive(pool, { env: { LISTENER_RETRY_MAX_MS: '250', LISTENER_CHECK_MS: '500', LISTENER_QUERY_TIMEOUT_MS: '1000' } });
}, 120_000);
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await pool?.end().catch(() => undefined);
  await pg?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const slotsOf = async (date: string) =>
  fetch(
    `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: salon.stylist.id, serviceId: salon.service.id, targetDate: date })}`,
  );

describe('Postgres stopped for 5 s and started again', () => {
  it('keeps the process up, recovers without a restart, and clients converge', async () => {
    const dates = ['2027-03-10', '2027-03-11'];
    const watchers = await Promise.all([connect(srv.baseUrl), connect(srv.baseUrl, { transports: ['polling'] })]);
    jar.add(watchers);
    const inboxes = watchers.map((s) => new Inbox(s));
    for (const s of watchers)
      for (const date of dates) {
        expect((await request(s, 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date })).ok).toBe(true);
      }
    for (const date of dates) expect((await slotsOf(date)).status).toBe(200);

    await pg.instance.stop();
    await until(async () => (await fetch(`${srv.baseUrl}/readyz`)).status === 503, 10_000, 'readyz 503');
    expect((await (await fetch(`${srv.baseUrl}/readyz`)).json()).checks).toEqual({ database: false, listener: false });
    expect(srv.app.slots.trusted).toBe(false);
    // The process answers what it can: health, and an error (not a crash, not a stale list) for slots.
    expect((await fetch(`${srv.baseUrl}/healthz`)).status).toBe(200);
    expect((await slotsOf(dates[0])).status).toBeGreaterThanOrEqual(500);
    expect(
      await request(watchers[0], 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date: '2027-03-12' }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_READY' } });
    // The outage itself lasts 5 s (that is the scenario, not a wait for an event).
    await new Promise((r) => setTimeout(r, 5000));
    expect(watchers.every((s) => s.connected)).toBe(true);

    await pg.instance.start();
    // Written right away, probably before the listener is back: recovered from the events table if so.
    await until(
      async () => {
        try {
          await insertBooking(pool, {
            customerId: salon.customer.id,
            stylistId: salon.stylist.id,
            serviceId: salon.service.id,
            startUtc: kathmandu('11:00', dates[0]),
          });
          return true;
        } catch {
          return false;
        }
      },
      20_000,
      'a write after the restart',
    );
    await until(async () => (await fetch(`${srv.baseUrl}/readyz`)).status === 200, 20_000, 'readyz 200');
    await insertBooking(pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('14:00', dates[1]),
    });

    for (const inbox of inboxes) {
      expect(byLocal((await inbox.next('slots:update', (u) => u.date === dates[0])).slots)['11:00']).toBe('booked');
      expect(byLocal((await inbox.next('slots:update', (u) => u.date === dates[1])).slots)['14:00']).toBe('booked');
    }
    const fresh = await slotsOf(dates[0]);
    expect(fresh.status).toBe(200);
    expect(byLocal(await fresh.json())['11:00']).toBe('booked');
    expect(srv.app.slots.trusted).toBe(true);
    expect((await srv.app.metrics.listenerReconnects.get()).values[0].value).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
