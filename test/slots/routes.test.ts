import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService, insertBooking } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

// A fixed clock: 2027-03-01T00:00Z, so every slot of 2027-03-10 is in the future and bookable.
const NOW = Date.parse('2027-03-01T00:00:00Z');
let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { timezone: 'Asia/Kathmandu', slotStepMinutes: 30, bufferMinutes: 15, durationMinutes: 60 });
  srv = await startTestServer(db.pool, { now: () => NOW });
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const url = (q: Record<string, string>) => `${srv.baseUrl}/api/bookings/available-slots?${new URLSearchParams(q)}`;
const q = (extra: Record<string, string> = {}) => ({
  stylistId: salon.stylist.id,
  serviceId: salon.service.id,
  targetDate: '2027-03-10',
  ...extra,
});

describe('GET /api/bookings/available-slots', () => {
  it('answers every candidate of the day in the stylist zone, a miss then a hit', async () => {
    const first = await fetch(url(q()));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache-hit')).toBe('false');
    const slots = await first.json();
    // 09:00–17:00 Kathmandu, 60 min service, 30 min step: 09:00 … 16:00 = 15 candidates.
    expect(slots).toHaveLength(15);
    expect(slots[0]).toEqual({
      startUtc: '2027-03-10T03:15:00.000Z',
      endUtc: '2027-03-10T04:15:00.000Z',
      startLocal: '2027-03-10T09:00:00.000+05:45',
      localDisplay: '9:00 AM',
      localZone: 'Asia/Kathmandu',
      display: '9:00 AM',
      displayZone: 'Asia/Kathmandu',
      displayDate: '2027-03-10',
      status: 'available',
    });
    expect(slots.at(-1).startLocal).toBe('2027-03-10T16:00:00.000+05:45');
    const second = await fetch(url(q()));
    expect(second.headers.get('x-cache-hit')).toBe('true');
    expect(second.headers.get('x-availability-version')).toBe(first.headers.get('x-availability-version'));
    expect(await second.json()).toEqual(slots);
  });

  it('shows display times in the customer zone without changing the instants', async () => {
    const res = await fetch(url(q({ customerTimezone: 'America/New_York' })));
    const slots = await res.json();
    expect(slots[0].startUtc).toBe('2027-03-10T03:15:00.000Z');
    expect(slots[0].display).toBe('10:15 PM');
  });

  it('answers 304 to a matching If-None-Match and 200 after a change', async () => {
    const a = await fetch(url(q()));
    const etag = a.headers.get('etag')!;
    const b = await fetch(url(q()), { headers: { 'If-None-Match': etag } });
    expect(b.status).toBe(304);
    await insertBooking(db.pool, {
      customerId: salon.customer.id,
      stylistId: salon.stylist.id,
      serviceId: salon.service.id,
      startUtc: '2027-03-10T05:15:00.000Z',
    });
    srv.app.slots.invalidate(salon.stylist.id, ['2027-03-10']);
    const c = await fetch(url(q()), { headers: { 'If-None-Match': etag } });
    expect(c.status).toBe(200);
    expect(Number(c.headers.get('x-availability-version'))).toBeGreaterThan(Number(a.headers.get('x-availability-version')));
    const slots = await c.json();
    const byLocal = Object.fromEntries(slots.map((s: { startLocal: string; status: string }) => [s.startLocal.slice(11, 16), s.status]));
    // Booking 11:00–12:00 (+15 buffer): 10:00 (ends 11:15 with its buffer) through 12:00 are booked.
    expect(byLocal['09:30']).toBe('available');
    expect(byLocal['10:00']).toBe('booked');
    expect(byLocal['12:00']).toBe('booked');
    expect(byLocal['12:30']).toBe('available');
  });

  it('reports slots before now plus the minimum notice as unavailable', async () => {
    const early = await startTestServer(db.pool, { now: () => Date.parse('2027-03-11T04:00:00Z') });
    try {
      const slots = await (
        await fetch(`${early.baseUrl}/api/bookings/available-slots?${new URLSearchParams(q({ targetDate: '2027-03-11' }))}`)
      ).json();
      const status = (hhmm: string) => slots.find((s: { startLocal: string }) => s.startLocal.slice(11, 16) === hhmm).status;
      // now = 09:45 local, notice 60 min: 10:45 is the earliest bookable start.
      expect(status('10:30')).toBe('unavailable');
      expect(status('11:00')).toBe('available');
    } finally {
      await early.close();
    }
  });

  it.each([
    [{ stylistId: 'nope' }, 400, 'INVALID_INPUT'],
    [{ serviceId: '123' }, 400, 'INVALID_INPUT'],
    [{ targetDate: '2027-13-01' }, 400, 'INVALID_INPUT'],
    [{ targetDate: '2027-02-30' }, 400, 'INVALID_INPUT'],
    [{ targetDate: '10/03/2027' }, 400, 'INVALID_INPUT'],
    [{ customerTimezone: 'Mars/Olympus' }, 400, 'UNKNOWN_TIMEZONE'],
    [{ customerTimezone: '../../etc' }, 400, 'INVALID_INPUT'],
    [{ stylistId: '00000000-0000-4000-8000-000000000000' }, 404, 'NOT_FOUND'],
    [{ serviceId: '00000000-0000-4000-8000-000000000000' }, 404, 'NOT_FOUND'],
    [{ extra: '1' }, 400, 'INVALID_INPUT'],
  ])('rejects %j with %i %s', async (patch, status, code) => {
    const res = await fetch(url(q(patch)));
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
  });

  it('answers 404 for a service the stylist does not offer', async () => {
    const other = await createService(db.pool);
    const res = await fetch(url(q({ serviceId: other.id })));
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('NOT_FOUND');
  });

  it('answers 400 for a missing parameter and for repeated parameters', async () => {
    const missing = await fetch(`${srv.baseUrl}/api/bookings/available-slots?stylistId=${salon.stylist.id}`);
    expect(missing.status).toBe(400);
    const repeated = await fetch(`${url(q())}&targetDate=2027-03-11`);
    expect(repeated.status).toBe(400);
    expect((await repeated.json()).error.code).toBe('INVALID_INPUT');
  });

  it('with CACHE=off answers every request from the database', async () => {
    const off = await startTestServer(db.pool, { now: () => NOW, env: { CACHE: 'off' } });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await fetch(`${off.baseUrl}/api/bookings/available-slots?${new URLSearchParams(q())}`);
        expect(r.status).toBe(200);
        expect(r.headers.get('x-cache-hit')).toBe('false');
      }
    } finally {
      await off.close();
    }
  });
});
