import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist, createUser, insertBooking } from '../setup/factories.ts';
import { loginAs } from '../auth/client.ts';
import { DAY, Inbox, announce, byLocal, connect, kathmandu, request, startLive, until, type LiveServer, SocketJar } from './helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const logLines: { level: number; msg: string; payload?: string }[] = [];
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', slotStepMinutes: 30, bufferMinutes: 15, durationMinutes: 60 });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      cb();
    },
  });
  srv = await startLive(db.pool, { log: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const open = (o: Parameters<typeof connect>[1] = {}) => jar.open(srv.baseUrl, o);
const key = (date = DAY) => ({ stylistId: salon.stylist.id, serviceId: salon.service.id, date });
const slotsUrl = (date = DAY) =>
  `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams({ stylistId: salon.stylist.id, serviceId: salon.service.id, targetDate: date })}`;

describe('relay', () => {
  it('is ready once caught up: /readyz is 200 with the listener check', async () => {
    const r = await fetch(`${srv.baseUrl}/readyz`);
    expect(r.status).toBe(200);
    expect((await r.json()).checks).toEqual({ database: true, listener: true });
    expect(srv.app.slots.trusted).toBe(true);
  });

  it('pushes a booking written straight into Postgres to every watcher and refreshes the cache', async () => {
    const watchers = await Promise.all([open(), open(), open()]);
    const inboxes = watchers.map((s) => new Inbox(s));
    const acks = await Promise.all([
      request(watchers[0], 'slots:watch', key()),
      request(watchers[1], 'slots:watch', key()),
      request(watchers[2], 'slots:watch', { ...key(), customerTimezone: 'America/New_York' }),
    ]);
    for (const a of acks) expect(a.ok).toBe(true);
    const before = acks[0].ok ? acks[0].data : null;
    expect(byLocal(before!.slots)['11:00']).toBe('available');
    // The REST answer is the same list and is now cached.
    const rest = await fetch(slotsUrl());
    expect(await rest.json()).toEqual(before!.slots);

    const compute = vi.spyOn(srv.app.slots, 'compute');
    await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('11:00'),
    });
    const updates = await Promise.all(inboxes.map((i) => i.next('slots:update', (u) => u.version > before!.version)));
    for (const u of updates) {
      expect(u).toMatchObject({ ...key(), reason: 'booking' });
      expect(byLocal(u.slots)['11:00']).toBe('booked');
      expect(byLocal(u.slots)['10:00']).toBe('booked');
      expect(byLocal(u.slots)['12:30']).toBe('available');
    }
    expect(updates[2].slots[0].display).toBe('10:15 PM');
    expect(updates[0].slots[0].display).toBe('9:00 AM');
    // One computation for the key, however many watch it in however many zones.
    expect(compute).toHaveBeenCalledTimes(1);
    compute.mockRestore();
    // The next REST read is a cache hit with the new version.
    const after = await fetch(slotsUrl());
    expect(after.headers.get('x-cache-hit')).toBe('true');
    expect(Number(after.headers.get('x-availability-version'))).toBe(updates[0].version);
    expect(byLocal(await after.json())['11:00']).toBe('booked');
    // Exactly one update each: a later event (a barrier) arrives after anything the first produced.
    await announce(db.pool);
    await Promise.all(inboxes.map((i) => i.next('announcement')));
    for (const i of inboxes) expect(i.of('slots:update')).toHaveLength(1);
  });

  it('stops pushing after slots:unwatch and on other dates only to their watchers', async () => {
    const s = await open();
    const inbox = new Inbox(s);
    expect((await request(s, 'slots:watch', key('2027-03-11'))).ok).toBe(true);
    expect(await request(s, 'slots:unwatch', key('2027-03-11'))).toEqual({ ok: true, data: { watching: 0 } });
    expect((await request(s, 'slots:watch', key('2027-03-12'))).ok).toBe(true);
    await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('09:00', '2027-03-11'),
    });
    await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('09:00', '2027-03-12'),
    });
    const u = await inbox.next('slots:update');
    expect(u.date).toBe('2027-03-12');
    await announce(db.pool);
    await inbox.next('announcement');
    expect(inbox.of('slots:update').map((x) => x.date)).toEqual(['2027-03-12']);
  });

  it('invalidates every stylist for a salon-wide override and tells staff, not customers', async () => {
    const other = await createStylist(db.pool, { serviceIds: [salon.service.id] });
    const admin = await createUser(db.pool, { role: 'admin' });
    const adminHttp = await loginAs(srv.baseUrl, admin.email, admin.password);
    const staff = await open({ cookie: adminHttp.cookie });
    const staffInbox = new Inbox(staff);
    const watcher = await open();
    const inbox = new Inbox(watcher);
    expect((await request(watcher, 'slots:watch', { stylistId: other.id, serviceId: salon.service.id, date: '2027-03-15' })).ok).toBe(true);
    expect((await request(watcher, 'slots:watch', key('2027-03-15'))).ok).toBe(true);
    // Cache an unwatched day of the first stylist too: it must be dropped as well.
    await fetch(slotsUrl('2027-03-15'));
    const { rows } = await db.pool.query(
      `insert into overrides (scope, start_date, end_date, kind, reason) values ('salon', '2027-03-15', '2027-03-15', 'closed', 'Holiday') returning id`,
    );
    const updates = [
      await inbox.next('slots:update', (u) => u.stylistId === other.id),
      await inbox.next('slots:update', (u) => u.stylistId === salon.stylist.id),
    ];
    for (const u of updates) {
      expect(u.reason).toBe('override');
      expect(u.slots).toEqual([]);
    }
    const changed = await staffInbox.next('override:changed');
    expect(changed).toMatchObject({
      action: 'created',
      override: {
        id: rows[0].id,
        scope: 'salon',
        stylistId: null,
        kind: 'closed',
        startDate: '2027-03-15',
        endDate: '2027-03-15',
        reason: 'Holiday',
        start: null,
        end: null,
      },
    });
    await db.pool.query('delete from overrides where id = $1', [rows[0].id]);
    const deleted = await staffInbox.next('override:changed', (p) => p.action === 'deleted');
    expect(deleted.override.id).toBe(rows[0].id);
    expect(deleted.eventId).toBeGreaterThan(changed.eventId);
    const reopened = await inbox.next('slots:update', (u) => u.stylistId === other.id && u.slots.length > 0);
    expect(reopened.reason).toBe('override');
    await announce(db.pool);
    await inbox.next('announcement');
    expect(inbox.of('override:changed')).toEqual([]);
  });

  it('makes hold expiry an event: the sweeper deletes the hold and watchers see the slot come back', async () => {
    const s = await open();
    const inbox = new Inbox(s);
    expect((await request(s, 'slots:watch', key('2027-03-16'))).ok).toBe(true);
    const customer = await createUser(db.pool);
    await db.pool.query(
      `insert into holds (customer_id, stylist_id, service_id, start_at, end_at, occupied_until, expires_at)
       values ($1, $2, $3, $4, $4::timestamptz + interval '60 minutes', $4::timestamptz + interval '75 minutes', now() + interval '300 milliseconds')`,
      [customer.id, salon.stylist.id, salon.service.id, kathmandu('13:00', '2027-03-16')],
    );
    const held = await inbox.next('slots:update', (u) => u.reason === 'hold' && byLocal(u.slots)['13:00'] === 'held');
    const released = await inbox.next('slots:update', (u) => u.reason === 'hold' && u.version > held.version);
    expect(byLocal(released.slots)['13:00']).toBe('available');
    expect((await db.pool.query('select count(*)::int as n from holds')).rows[0].n).toBe(0);
  });

  it('logs and skips a garbage notification, and keeps relaying', async () => {
    const s = await open();
    const inbox = new Inbox(s);
    const invalidBefore = (await srv.app.metrics.registry.getSingleMetricAsString('kb_relay_notifications_invalid_total')).trim();
    for (const payload of ['not json', '{"id":"seven"}', '[]', '', '{"id":-1,"kind":"x"}']) {
      await db.pool.query(`select pg_notify('kb_events', $1)`, [payload]);
    }
    await announce(db.pool, 'all', 'still alive');
    expect((await inbox.next('announcement')).message).toBe('still alive');
    await until(() => logLines.filter((l) => l.msg === 'invalid notification on kb_events skipped').length >= 5, 5000, 'log lines');
    expect(logLines.find((l) => l.payload === 'not json')?.level).toBe(40);
    expect(invalidBefore).toMatch(/ 0$/);
    expect(await srv.app.metrics.registry.getSingleMetricAsString('kb_relay_notifications_invalid_total')).toMatch(/ 5\n?$/);
    expect(srv.app.realtime.relay.ready).toBe(true);
  });

  it('cannot be fooled by a well-formed notification naming the wrong scope', async () => {
    const date = '2027-03-17';
    expect((await (await fetch(slotsUrl(date))).json()).every((s: { status: string }) => s.status === 'available')).toBe(true);
    const {
      rows: [{ max }],
    } = await db.pool.query('select coalesce(max(id), 0)::bigint as max from events');
    // Claims the next event touches someone else; the real next event is a booking on this day.
    await db.pool.query(`select pg_notify('kb_events', $1)`, [
      JSON.stringify({ id: max + 1, kind: 'booking.created', stylistId: '00000000-0000-4000-8000-000000000001', dates: [date] }),
    ]);
    await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: kathmandu('11:00', date),
    });
    expect(await srv.app.realtime.relay.waitFor(max + 1, 5000)).toBe(true);
    expect(byLocal(await (await fetch(slotsUrl(date))).json())['11:00']).toBe('booked');
  });

  it('serves the metrics at /metrics', async () => {
    const r = await fetch(`${srv.baseUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    for (const name of [
      'kb_slot_cache_hits_total',
      'kb_slot_cache_misses_total',
      'kb_slot_cache_entries',
      'kb_slot_cache_bytes',
      'kb_slot_cache_evictions_total',
      'kb_slot_cache_invalidations_total',
      'kb_relay_events_total',
      'kb_relay_lag_seconds_bucket',
      'kb_listener_up 1',
      'kb_listener_reconnects_total',
      'kb_sockets_connected',
      'kb_watched_keys',
      'kb_http_request_duration_seconds_bucket',
    ])
      expect(text).toContain(name);
    expect(text).toMatch(/kb_relay_events_total\{kind="booking.created"\} [1-9]/);
    expect(text).toContain('route="/api/bookings/available-slots"');
    expect(text).not.toMatch(/route="\/api\/bookings\/available-slots\?/);
  });
});
