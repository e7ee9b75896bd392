// One booking as an .ics file, parsed with ical.js: the booked instants (also across both 2027 DST
// changes of America/New_York), UTC times, a stable UID, the salon's name and address, the stylist
// and service, and a cancellation with the same UID, a higher SEQUENCE and STATUS:CANCELLED.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIcs } from '../../server/calendar/booking-ics.ts';
import { fakeClock } from '../bookings/fixture.ts';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';
import { parseIcs } from './parse.ts';

const NY = 'America/New_York';
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let customer: HttpClient;
const clock = fakeClock(Date.parse('2027-03-01T00:00:00Z'));

const ny = (local: string) => DateTime.fromISO(local, { zone: NY }).toUTC().toISO()!;

beforeAll(async () => {
  db = await freshDatabase();
  await db.pool.query(`insert into settings (key, value) values ('salon_timezone', '"America/New_York"')
    on conflict (key) do update set value = excluded.value`);
  await db.pool.query(`insert into settings (key, value) values ('salon_name', $1), ('salon_address', $2)`, [
    JSON.stringify('Hair on Hudson'),
    JSON.stringify('12 River St\nNew York'),
  ]);
  salon = await createSalon(db.pool, { timezone: NY, horizonDays: 365, minNoticeMinutes: 0 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  customer = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

async function book(startUtc: string): Promise<string> {
  const r = await customer.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

describe('bookingIcs', () => {
  it('the booked instant, in UTC, with the salon, stylist, service and status', async () => {
    const id = await book(ny('2027-03-05T10:00'));
    const ics = (await bookingIcs(db.pool, id))!;
    expect(ics.filename).toBe(`booking-${id}.ics`);
    const cal = parseIcs(ics.content);
    expect(cal.method).toBe('PUBLISH');
    expect(cal.events).toHaveLength(1);
    const [ev] = cal.events;
    expect(ev.uid).toBe(`booking-${id}@kb-stylish-live`);
    expect(ev.startUtc).toBe('2027-03-05T15:00:00.000Z');
    expect(ev.endUtc).toBe('2027-03-05T16:00:00.000Z');
    expect(ev.startZone).toBe('Z');
    expect(ev.status).toBe('CONFIRMED');
    expect(ev.sequence).toBe(0);
    expect(ev.location).toBe('Hair on Hudson, 12 River St, New York');
    const { rows } = await db.pool.query(
      'select s.display_name as stylist, sv.name as service from stylists s, services sv where s.id = $1 and sv.id = $2',
      [salon.stylist.id, salon.service.id],
    );
    expect(ev.summary).toBe(`${rows[0].service} — ${rows[0].stylist}`);
    expect(ev.description).toContain('Fri 5 Mar 2027, 10:00 (America/New_York)');
    expect(ev.description).toContain('Status: Confirmed');
  });

  it('across the spring-forward change (2027-03-14): 09:00 before and 10:00 after are one hour apart in UTC', async () => {
    const before = await book(ny('2027-03-13T09:00'));
    const after = await book(ny('2027-03-15T09:00'));
    const a = parseIcs((await bookingIcs(db.pool, before))!.content).events[0];
    const b = parseIcs((await bookingIcs(db.pool, after))!.content).events[0];
    expect(a.startUtc).toBe('2027-03-13T14:00:00.000Z'); // EST, UTC-5
    expect(b.startUtc).toBe('2027-03-15T13:00:00.000Z'); // EDT, UTC-4
    // On the day itself: 03:00 local is the first hour after the jump.
    const onDay = await book(ny('2027-03-14T10:00'));
    expect(parseIcs((await bookingIcs(db.pool, onDay))!.content).events[0].startUtc).toBe('2027-03-14T14:00:00.000Z');
  });

  it('across the fall-back change (2027-11-07)', async () => {
    const onDay = await book(ny('2027-11-07T10:00'));
    const after = await book(ny('2027-11-08T10:00'));
    expect(parseIcs((await bookingIcs(db.pool, onDay))!.content).events[0].startUtc).toBe('2027-11-07T15:00:00.000Z');
    expect(parseIcs((await bookingIcs(db.pool, after))!.content).events[0].startUtc).toBe('2027-11-08T15:00:00.000Z');
  });

  it('a reschedule raises SEQUENCE and moves the times; a cancellation keeps the UID, raises SEQUENCE and says CANCELLED', async () => {
    const id = await book(ny('2027-03-20T11:00'));
    const first = parseIcs((await bookingIcs(db.pool, id))!.content).events[0];
    const moved = await customer.post(`/api/bookings/${id}/reschedule`, { startUtc: ny('2027-03-20T13:00') });
    expect(moved.status).toBe(200);
    const second = parseIcs((await bookingIcs(db.pool, id))!.content).events[0];
    expect(second.uid).toBe(first.uid);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    expect(second.startUtc).toBe('2027-03-20T17:00:00.000Z');
    expect((await customer.post(`/api/bookings/${id}/cancel`, {})).status).toBe(200);
    const cancelled = parseIcs((await bookingIcs(db.pool, id))!.content);
    expect(cancelled.method).toBe('CANCEL');
    const third = cancelled.events[0];
    expect(third.uid).toBe(first.uid);
    expect(third.sequence).toBeGreaterThan(second.sequence);
    expect(third.status).toBe('CANCELLED');
  });

  it('a change that does not show in a calendar leaves SEQUENCE alone', async () => {
    const id = await book(ny('2027-03-21T11:00'));
    await db.pool.query('update bookings set cancel_reason = $2 where id = $1', [id, 'nothing visible']);
    expect(parseIcs((await bookingIcs(db.pool, id))!.content).events[0].sequence).toBe(0);
  });

  it('no such booking: null', async () => {
    expect(await bookingIcs(db.pool, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('GET /api/bookings/:id/calendar.ics', () => {
  it('its customer and the desk get the file; another customer and the stylist get 404', async () => {
    const id = await book(ny('2027-03-22T11:00'));
    const mine = await customer.get(`/api/bookings/${id}/calendar.ics`);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(mine.headers.get('content-disposition')).toBe(`attachment; filename="booking-${id}.ics"`);
    expect(parseIcs(mine.body as string).events[0].startUtc).toBe('2027-03-22T15:00:00.000Z');
    const desk = await createUser(db.pool, { role: 'reception' });
    const deskClient = await loginAs(srv.baseUrl, desk.email, desk.password);
    expect((await deskClient.get(`/api/bookings/${id}/calendar.ics`)).status).toBe(200);
    const other = await createUser(db.pool);
    const otherClient = await loginAs(srv.baseUrl, other.email, other.password);
    const refused = await otherClient.get(`/api/bookings/${id}/calendar.ics`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('NOT_FOUND');
    const stylist = await loginAs(srv.baseUrl, salon.stylist.email, salon.stylist.password);
    expect((await stylist.get(`/api/bookings/${id}/calendar.ics`)).status).toBe(404);
  });
});
