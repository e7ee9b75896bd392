import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loginAs } from '../auth/client.ts';
import { createPool, type Pool } from '../../server/db/pool.ts';
import { freshDatabase, silentLog, type TestDb } from '../setup/db.ts';
import { createSalon, createUser, insertBooking } from '../setup/factories.ts';
import { Inbox, announce, byLocal, connect, kathmandu, request, startLive, until, type LiveServer, SocketJar } from './helpers.ts';

let db: TestDb;
let salon: Awaited<ReturnType<typeof createSalon>>;
let adminCreds: { email: string; password: string };
const jar = new SocketJar();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60, slotStepMinutes: 30, bufferMinutes: 15 });
  adminCreds = await createUser(db.pool, { role: 'admin' });
});
afterAll(async () => {
  jar.closeAll();
  for (const c of closers.reverse()) await c();
  await db?.drop();
});

async function server(pool: Pool = db.pool, env: Record<string, string> = {}): Promise<LiveServer> {
  const s = await startLive(pool, { env: { LISTENER_RETRY_MAX_MS: '200', ...env } });
  closers.push(() => s.close());
  return s;
}
const socket = (baseUrl: string, o: Parameters<typeof connect>[1] = {}) => jar.open(baseUrl, o);
const slotsOf = async (baseUrl: string, date: string) => {
  const r = await fetch(
    `${baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: salon.stylist.id, serviceId: salon.service.id, targetDate: date })}`,
  );
  return { hit: r.headers.get('x-cache-hit'), version: Number(r.headers.get('x-availability-version')), slots: await r.json() };
};

describe('listener killed with pg_terminate_backend while bookings are written', () => {
  it('delivers every event in order and serves no stale slots afterwards', async () => {
    const srv = await server();
    const admin = await socket(srv.baseUrl, { cookie: (await loginAs(srv.baseUrl, adminCreds.email, adminCreds.password)).cookie });
    const adminInbox = new Inbox(admin);
    const dates = ['2027-03-20', '2027-03-21', '2027-03-22'];
    const watcher = await socket(srv.baseUrl);
    const watchInbox = new Inbox(watcher);
    for (const date of dates) {
      expect((await request(watcher, 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date })).ok).toBe(true);
      await slotsOf(srv.baseUrl, date); // cached
    }
    const {
      rows: [{ max: before }],
    } = await db.pool.query('select coalesce(max(id), 0)::bigint as max from events');
    const reconnects = () => srv.app.metrics.listenerReconnects.get().then((m) => m.values[0]?.value ?? 0);

    // 5 bookings per date (09:00, 10:30, …: 75 minutes each with the buffer), the listener's
    // backend killed twice along the way.
    const times = ['09:00', '10:30', '12:00', '13:30', '15:00'];
    let n = 0;
    for (const hhmm of times) {
      for (const date of dates) {
        await insertBooking(db.pool, {
          customerId: salon.customer.id,
          stylistId: salon.stylist.id,
          serviceId: salon.service.id,
          startUtc: kathmandu(hhmm, date),
        });
        if (++n === 4 || n === 10) {
          // The second kill must find the listener reconnected from the first one.
          await until(
            async () =>
              (await db.pool.query('select 1 from pg_stat_activity where application_name = $1', [srv.app.realtime.listenerName]))
                .rowCount === 1,
            10_000,
            'the listener connected',
          );
          const { rowCount } = await db.pool.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
            srv.app.realtime.listenerName,
          ]);
          expect(rowCount).toBe(1);
        }
      }
    }
    await until(async () => (await reconnects()) >= 1, 10_000, 'a reconnection');
    const { rows } = await db.pool.query<{ id: number }>(`select id from events where kind = 'booking.created' and id > $1 order by id`, [
      before,
    ]);
    expect(rows).toHaveLength(15);
    await until(() => adminInbox.of('booking:created').length >= 15, 10_000, 'all 15 booking events');
    expect(adminInbox.of('booking:created').map((p) => p.eventId)).toEqual(rows.map((r) => r.id));
    await until(() => srv.app.realtime.relay.ready, 10_000, 'ready');

    // Every watched day converged: its last push and a REST read both show all five bookings,
    // and equal a computation straight from the database.
    for (const date of dates) {
      const last = await watchInbox.next('slots:update', (u) => u.date === date && times.every((t) => byLocal(u.slots)[t] === 'booked'));
      const rest = await slotsOf(srv.baseUrl, date);
      const truth = await srv.app.slots.compute({ stylistId: salon.stylist.id, serviceId: salon.service.id, date });
      expect(rest.version).toBe(truth.version);
      expect(last.version).toBe(truth.version);
      expect(rest.slots.map((s: { status: string }) => s.status)).toEqual(truth.slots.map((s) => s.status));
      expect(last.slots).toEqual(rest.slots);
    }
    const ready = await fetch(`${srv.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('while the listener cannot reconnect: not ready, answers from the database, then catches up from the table', async () => {
    const srv = await server();
    const date = '2027-03-23';
    const watcher = await socket(srv.baseUrl);
    const inbox = new Inbox(watcher);
    const ack = await request(watcher, 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date });
    expect(ack.ok).toBe(true);
    expect((await slotsOf(srv.baseUrl, date)).hit).toBe('true');
    // Keep the pool's connections, refuse new ones, and cut the listener's.
    const held = await Promise.all(Array.from({ length: 3 }, () => db.pool.connect()));
    for (const c of held) c.release();
    // (From another database: a session cannot close the door on its own database.)
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query(`alter database ${db.name} with allow_connections false`);
    try {
      await db.pool.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
        srv.app.realtime.listenerName,
      ]);
      await until(async () => (await fetch(`${srv.baseUrl}/readyz`)).status === 503, 10_000, 'readyz 503');
      const r = await (await fetch(`${srv.baseUrl}/readyz`)).json();
      expect(r).toMatchObject({ ready: false, checks: { database: true, listener: false }, error: { code: 'NOT_READY' } });
      expect(srv.app.slots.trusted).toBe(false);
      expect((await srv.app.metrics.registry.getSingleMetricAsString('kb_listener_up')).trim()).toMatch(/ 0$/);
      // Its notification is lost, but the slots endpoint reads the database meanwhile.
      await insertBooking(db.pool, {
        customerId: salon.customer.id,
        stylistId: salon.stylist.id,
        serviceId: salon.service.id,
        startUtc: kathmandu('11:00', date),
      });
      const during = await slotsOf(srv.baseUrl, date);
      expect(during.hit).toBe('false');
      expect(byLocal(during.slots)['11:00']).toBe('booked');
      expect(inbox.of('slots:update')).toEqual([]);
    } finally {
      await admin.query(`alter database ${db.name} with allow_connections true`);
      await admin.end();
    }
    // Reconnected: the catch-up reads the missed event from the table and pushes it.
    const update = await inbox.next('slots:update');
    expect(byLocal(update.slots)['11:00']).toBe('booked');
    await until(async () => (await fetch(`${srv.baseUrl}/readyz`)).status === 200, 10_000, 'readyz 200');
    expect(srv.app.slots.trusted).toBe(true);
    const after = await slotsOf(srv.baseUrl, date);
    expect(byLocal(after.slots)['11:00']).toBe('booked');
    expect(after.version).toBe(update.version);
  });
});

describe('two server processes on one database', () => {
  it('a booking through A reaches a watcher on B exactly once, and B answers fresh', async () => {
    const poolB = createPool(db.url, 5, silentLog);
    closers.push(() => poolB.end());
    const a = await server(db.pool);
    const b = await server(poolB);
    const date = '2027-03-24';
    // Both caches hold the day before the booking.
    for (const s of [a, b])
      expect((await slotsOf(s.baseUrl, date)).slots.every((x: { status: string }) => x.status === 'available')).toBe(true);
    expect((await slotsOf(b.baseUrl, date)).hit).toBe('true');

    const watcherB = await socket(b.baseUrl);
    const watcherA = await socket(a.baseUrl);
    const adminB = await socket(b.baseUrl, { cookie: (await loginAs(b.baseUrl, adminCreds.email, adminCreds.password)).cookie });
    const [iB, iA, iAdmin] = [watcherB, watcherA, adminB].map((s) => new Inbox(s));
    for (const s of [watcherB, watcherA])
      expect((await request(s, 'slots:watch', { stylistId: salon.stylist.id, serviceId: salon.service.id, date })).ok).toBe(true);

    const customer = await loginAs(a.baseUrl, salon.customer.email, salon.customer.password);
    const res = await customer.post('/api/bookings', {
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('11:00', date),
    });
    expect(res.status).toBe(201);
    // Read-your-writes on A.
    expect(byLocal((await slotsOf(a.baseUrl, date)).slots)['11:00']).toBe('booked');

    const update = await iB.next('slots:update');
    expect(byLocal(update.slots)['11:00']).toBe('booked');
    expect((await iAdmin.next('booking:created')).booking.id).toBe(res.body.id);
    const fresh = await slotsOf(b.baseUrl, date);
    expect(byLocal(fresh.slots)['11:00']).toBe('booked');
    expect(fresh.version).toBe(update.version);

    // Exactly once: everything B relayed for the booking arrived before this later barrier.
    await announce(db.pool, 'all');
    await Promise.all([iB, iA, iAdmin].map((i) => i.next('announcement')));
    expect(iB.of('slots:update')).toHaveLength(1);
    expect(iA.of('slots:update')).toHaveLength(1);
    expect(iAdmin.of('booking:created')).toHaveLength(1);
  });
});
