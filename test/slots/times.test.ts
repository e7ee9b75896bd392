// Times people cannot misread, over HTTP and the socket: every slot names the stylist's zone (salon
// time) and the customer's, zone aliases answer alike and share one rendering and one watch room, a
// fall-back's repeated hour carries its offset, and the horizon's last day is bookable whole in the
// grid and in the booking checks alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { request, SocketJar, startLive, type LiveServer } from '../realtime/helpers.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createStylist } from '../setup/factories.ts';
import { dayKeyString } from '../../server/realtime/rooms.ts';

// 2027-03-01T00:00Z is 05:45 on 2027-03-01 in Kathmandu and 19:00 on 2027-02-28 in New York.
const NOW = Date.parse('2027-03-01T00:00:00Z');
let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
/** A New York stylist working 01:00–03:00 on Sundays, a year of horizon: the fall-back night. */
let nightOwl: Awaited<ReturnType<typeof createStylist>>;
/** A Kathmandu stylist whose horizon is two days. */
let shortHorizon: Awaited<ReturnType<typeof createStylist>>;
/** A Kathmandu stylist with a year of horizon. */
let yearAhead: Awaited<ReturnType<typeof createStylist>>;
let customer: HttpClient;
const jar = new SocketJar();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', slotStepMinutes: 30, durationMinutes: 60 });
  nightOwl = await createStylist(db.pool, {
    timezone: 'America/New_York',
    slotStepMinutes: 30,
    horizonDays: 365,
    serviceIds: [salon.service.id],
    windows: [{ dayOfWeek: 0, start: '01:00', end: '03:00' }],
  });
  shortHorizon = await createStylist(db.pool, { timezone: 'Asia/Kathmandu', horizonDays: 2, serviceIds: [salon.service.id] });
  yearAhead = await createStylist(db.pool, { timezone: 'Asia/Kathmandu', horizonDays: 365, serviceIds: [salon.service.id] });
  srv = await startLive(db.pool, { now: () => NOW, env: NO_LIMITS });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
});
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

interface WireSlot {
  startUtc: string;
  startLocal: string;
  localDisplay: string;
  localZone: string;
  display: string;
  displayZone: string;
  displayDate: string;
  status: string;
}

async function slotsOf(stylistId: string, targetDate: string, customerTimezone?: string) {
  const q = new URLSearchParams({ stylistId, serviceId: salon.service.id, targetDate, ...(customerTimezone ? { customerTimezone } : {}) });
  const res = await fetch(`${srv.baseUrl}/api/bookings/available-slots?${q}`);
  expect(res.status).toBe(200);
  return { slots: (await res.json()) as WireSlot[], etag: res.headers.get('etag') };
}

describe('salon time and the customer\u2019s time, both named', () => {
  it('gives a New York customer the salon\u2019s time and zone next to their own, with their own date', async () => {
    const { slots } = await slotsOf(salon.stylist.id, '2027-03-10', 'America/New_York');
    // 09:00 in Kathmandu is 03:15Z, 22:15 the evening before in New York (EST until 14 March).
    expect(slots[0]).toMatchObject({
      startUtc: '2027-03-10T03:15:00.000Z',
      localDisplay: '9:00 AM',
      localZone: 'Asia/Kathmandu',
      display: '10:15 PM',
      displayZone: 'America/New_York',
      displayDate: '2027-03-09',
    });
    // Noon in Kathmandu is 01:15 on the same date in New York.
    expect(slots.find((s) => s.localDisplay === '12:00 PM')).toMatchObject({ display: '1:15 AM', displayDate: '2027-03-10' });
  });

  it('without a customer zone, both displays are the salon\u2019s', async () => {
    const { slots } = await slotsOf(salon.stylist.id, '2027-03-10');
    for (const s of slots) {
      expect(s.display).toBe(s.localDisplay);
      expect(s.displayZone).toBe('Asia/Kathmandu');
      expect(s.displayDate).toBe('2027-03-10');
    }
  });
});

describe('zone aliases', () => {
  it('answer the same bytes for every spelling of the salon\u2019s zone, named as the salon spells it', async () => {
    const plain = await slotsOf(salon.stylist.id, '2027-03-11');
    const answers = await Promise.all(
      ['Asia/Katmandu', 'Asia/Kathmandu', 'asia/kathmandu'].map((z) => slotsOf(salon.stylist.id, '2027-03-11', z)),
    );
    for (const a of answers) {
      expect(a.etag).toBe(plain.etag);
      expect(a.slots).toEqual(plain.slots);
      expect(a.slots[0].displayZone).toBe('Asia/Kathmandu');
    }
    const entry = srv.app.slots.cache.peek({ stylistId: salon.stylist.id, serviceId: salon.service.id, date: '2027-03-11' })!;
    expect(entry.rendered.size).toBe(1);
  });

  it('share one rendering for two names of another zone', async () => {
    const a = await slotsOf(salon.stylist.id, '2027-03-12', 'US/Eastern');
    const b = await slotsOf(salon.stylist.id, '2027-03-12', 'America/New_York');
    expect(a.etag).toBe(b.etag);
    expect(a.slots).toEqual(b.slots);
    expect(a.slots[0]).toMatchObject({ display: '10:15 PM', displayZone: 'America/New_York' });
    const entry = srv.app.slots.cache.peek({ stylistId: salon.stylist.id, serviceId: salon.service.id, date: '2027-03-12' })!;
    expect(entry.rendered.size).toBe(1);
  });

  it('share one watch room on the socket', async () => {
    const key = { stylistId: salon.stylist.id, serviceId: salon.service.id, date: '2027-03-13' };
    const [s1, s2, s3] = await Promise.all([jar.open(srv.baseUrl), jar.open(srv.baseUrl), jar.open(srv.baseUrl)]);
    const acks = [
      await request(s1, 'slots:watch', { ...key, customerTimezone: 'Asia/Katmandu' }),
      await request(s2, 'slots:watch', { ...key, customerTimezone: 'Asia/Kathmandu' }),
      await request(s3, 'slots:watch', { ...key, customerTimezone: 'asia/kathmandu' }),
    ];
    const slots = acks.map((a) => (a.ok ? (a.data as { slots: WireSlot[] }).slots : a.error));
    expect(slots[0]).toHaveLength(15);
    expect(slots[1]).toEqual(slots[0]);
    expect(slots[2]).toEqual(slots[0]);
    const w = srv.app.realtime.watches.get(dayKeyString(key))!;
    expect([...w.zones.entries()]).toEqual([[expect.any(String), 3]]);
  });
});

describe('the repeated hour of a fall-back (America/New_York, first Sunday of November)', () => {
  it('labels the two 1:00 AMs with their offsets in the salon\u2019s display', async () => {
    const { slots } = await slotsOf(nightOwl.id, '2027-11-07');
    expect(slots.map((s) => [s.startUtc.slice(11, 16), s.localDisplay, s.display])).toEqual([
      ['05:00', '1:00 AM \u221204:00', '1:00 AM \u221204:00'],
      ['05:30', '1:30 AM \u221204:00', '1:30 AM \u221204:00'],
      ['06:00', '1:00 AM \u221205:00', '1:00 AM \u221205:00'],
      ['06:30', '1:30 AM \u221205:00', '1:30 AM \u221205:00'],
      ['07:00', '2:00 AM', '2:00 AM'],
    ]);
    expect(new Set(slots.map((s) => s.localDisplay)).size).toBe(slots.length);
  });

  it('labels only the zone where the hour repeats: a Kathmandu customer reads plain times', async () => {
    const { slots } = await slotsOf(nightOwl.id, '2027-11-07', 'Asia/Kathmandu');
    expect(slots.map((s) => s.display)).toEqual(['10:45 AM', '11:15 AM', '11:45 AM', '12:15 PM', '12:45 PM']);
    expect(slots[0].localDisplay).toBe('1:00 AM \u221204:00');
  });

  it('labels a customer\u2019s repeated hour when the salon\u2019s is not', async () => {
    // 05:00Z–06:59Z on 2027-11-07 is the New York repeated hour; in Kathmandu it is 10:45–12:44.
    const { slots } = await slotsOf(yearAhead.id, '2027-11-07', 'America/New_York');
    const at = (utc: string) => slots.find((s) => s.startUtc === utc)!;
    expect(at('2027-11-07T05:15:00.000Z')).toMatchObject({ localDisplay: '11:00 AM', display: '1:15 AM \u221204:00' });
    expect(at('2027-11-07T06:15:00.000Z')).toMatchObject({ localDisplay: '12:00 PM', display: '1:15 AM \u221205:00' });
    expect(at('2027-11-07T07:15:00.000Z')).toMatchObject({ localDisplay: '1:00 PM', display: '2:15 AM' });
  });
});

describe('the horizon counts calendar days in the stylist\u2019s zone', () => {
  // Today in Kathmandu is 2027-03-01 (05:45); with two days the last bookable day is 2027-03-03.
  it('offers the last day whole in the grid', async () => {
    const { slots } = await slotsOf(shortHorizon.id, '2027-03-03');
    expect(slots).toHaveLength(15);
    // 16:00 on 2027-03-03 is 10:15Z: past now + 48 h, still bookable.
    expect(slots.at(-1)).toMatchObject({ startUtc: '2027-03-03T10:15:00.000Z', status: 'available' });
    expect(slots.every((s) => s.status === 'available')).toBe(true);
    expect((await slotsOf(shortHorizon.id, '2027-03-04')).slots).toEqual([]);
  });

  it('holds and books the last day\u2019s last time, as the grid offers it', async () => {
    const body = { stylistId: shortHorizon.id, serviceId: salon.service.id, startUtc: '2027-03-03T10:15:00.000Z' };
    const hold = await customer.post('/api/holds', body);
    expect(hold.status).toBe(201);
    const booking = await customer.post('/api/bookings', { holdId: hold.body.id });
    expect(booking.status).toBe(201);
    expect(booking.body.startUtc).toBe(body.startUtc);
  });

  it('refuses the next day\u2019s first time with OUTSIDE_HOURS naming the last day, and writes nothing', async () => {
    const before = (await db.pool.query('select count(*)::int as n from holds')).rows[0].n;
    const r = await customer.post('/api/holds', {
      stylistId: shortHorizon.id,
      serviceId: salon.service.id,
      startUtc: '2027-03-04T03:15:00.000Z',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('OUTSIDE_HOURS');
    expect(r.body.error.details).toEqual({ horizonDays: 2, lastDate: '2027-03-03' });
    expect((await db.pool.query('select count(*)::int as n from holds')).rows[0].n).toBe(before);
  });
});
