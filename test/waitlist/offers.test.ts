// The live waitlist's offers: a freed time goes to the first matching waiter (join order) as an
// exclusive hold with a live `waitlist:offer`; declined or expired, to the next; booked, the entry is
// fulfilled. Real HTTP and Socket.IO clients on a real Postgres; the clock is fake (the hold sweeper
// is run at the fake clock's time).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type HttpClient } from '../auth/client.ts';
import { at, fakeClock } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { Inbox, SocketJar, announce, startLive, type LiveServer } from '../realtime/helpers.ts';

let db: TestDb;
let srv: LiveServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
const clock = fakeClock();
const jar = new SocketJar();
const c = {} as Record<'holder' | 'first' | 'second' | 'third', HttpClient>;
const ids = {} as Record<keyof typeof c, string>;
const DAY = '2027-03-10';
/** "Within a second", asserted generously (a busy machine): the offer's event must arrive within this. */
const PROMPT_MS = 2000;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { durationMinutes: 60 });
  srv = await startLive(db.pool, { now: clock.now, env: { WAITLIST_OFFER_MINUTES: '10' } });
  c.holder = await loginAs(srv.baseUrl, salon.customer.email, salon.customer.password);
  ids.holder = salon.customer.id;
  for (const k of ['first', 'second', 'third'] as const) {
    const u = await createUser(db.pool);
    ids[k] = u.id;
    c[k] = await loginAs(srv.baseUrl, u.email, u.password);
  }
});
afterEach(() => jar.closeAll());
afterAll(async () => {
  jar.closeAll();
  await srv?.close();
  await db?.drop();
});

const open = async (client: HttpClient) => new Inbox(await jar.open(srv.baseUrl, { cookie: client.cookie }));

/** Books `hhmm` for the holder over HTTP; returns the booking id. */
async function bookAs(client: HttpClient, hhmm: string): Promise<string> {
  const r = await client.post('/api/bookings', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(hhmm, DAY) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function join(client: HttpClient, from: string, to: string) {
  const r = await client.post('/api/waitlist', { stylistId: salon.stylist.id, serviceId: salon.service.id, date: DAY, from, to });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; offer: unknown };
}

async function liveOffers(startUtc: string) {
  const { rows } = await db.pool.query<{ customer_id: string; status: string }>(
    `select customer_id, status from waitlist_offers where start_at = $1 order by created_at`,
    [startUtc],
  );
  return rows;
}

/** Everything relayed before now has reached these inboxes (an announcement as a barrier). */
async function barrier(inboxes: Inbox[]) {
  const id = await announce(db.pool, 'all');
  await Promise.all(inboxes.map((i) => i.next('announcement', (a) => a.id === id)));
}

describe('waitlist offers', () => {
  it('a cancellation with two waiters offers the time to the first; declined, to the second; booked, the entry is fulfilled', async () => {
    const booking = await bookAs(c.holder, '10:00');
    const a = await join(c.first, '10:00', '10:30');
    const b = await join(c.second, '10:00', '10:30');
    expect(a.offer).toBeNull();
    const [inA, inB] = await Promise.all([open(c.first), open(c.second)]);

    expect((await c.holder.post(`/api/bookings/${booking}/cancel`, {})).status).toBe(200);
    const offer = await inA.next('waitlist:offer', undefined, PROMPT_MS);
    expect(offer).toMatchObject({
      entryId: a.id,
      hold: { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('10:00', DAY) },
      slot: { stylistId: salon.stylist.id, startUtc: at('10:00', DAY), startLocal: expect.stringMatching(/^2027-03-10T10:00:00/) },
    });
    expect(Date.parse(offer.hold.expiresAt)).toBe(clock.now() + 10 * 60_000);
    // Everyone else sees the time held; the second waiter hears nothing.
    const slots = await c.third.get(
      `/api/bookings/available-slots?stylistId=${salon.stylist.id}&serviceId=${salon.service.id}&targetDate=${DAY}`,
    );
    expect(slots.body.find((s: { startUtc: string }) => s.startUtc === at('10:00', DAY)).status).toBe('held');
    expect(
      (await c.third.post('/api/holds', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('10:00', DAY) })).body
        .error.code,
    ).toBe('SLOT_HELD');
    await barrier([inA, inB]);
    expect(inB.of('waitlist:offer')).toEqual([]);
    // The offer is on the entry and in the customer's holds.
    const mine = await c.first.get('/api/waitlist/mine');
    expect(mine.body).toEqual([
      expect.objectContaining({ id: a.id, status: 'waiting', offer: expect.objectContaining({ hold: offer.hold }) }),
    ]);
    expect((await c.first.get('/api/holds/mine')).body).toEqual([offer.hold]);

    // The first declines: the second gets it.
    const declined = await c.first.post(`/api/waitlist/${a.id}/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ id: a.id, status: 'waiting', offer: null });
    const second = await inB.next('waitlist:offer', undefined, PROMPT_MS);
    expect(second).toMatchObject({ entryId: b.id, slot: { startUtc: at('10:00', DAY) } });
    expect(await liveOffers(at('10:00', DAY))).toEqual([
      { customer_id: ids.first, status: 'declined' },
      { customer_id: ids.second, status: 'live' },
    ]);
    // A second decline of the first's (now ended) offer is a 404.
    expect((await c.first.post(`/api/waitlist/${a.id}/decline`)).status).toBe(404);

    // The second books it from the hold: accepted, fulfilled, no longer listed.
    const booked = await c.second.post('/api/bookings', { holdId: second.hold.id });
    expect(booked.status).toBe(201);
    expect(await liveOffers(at('10:00', DAY))).toEqual([
      { customer_id: ids.first, status: 'declined' },
      { customer_id: ids.second, status: 'accepted' },
    ]);
    const { rows } = await db.pool.query('select status from waitlist_entries where id = $1', [b.id]);
    expect(rows[0].status).toBe('fulfilled');
    expect((await c.second.get('/api/waitlist/mine')).body).toEqual([]);
    // The first never got it back: a time is offered to an entry once.
    await barrier([inA]);
    expect(inA.of('waitlist:offer')).toHaveLength(1);
    await c.first.delete(`/api/waitlist/${a.id}`);
  });

  it('an offer that expires passes to the next waiter (fake clock, the hold sweeper)', async () => {
    const booking = await bookAs(c.holder, '13:00');
    const a = await join(c.first, '13:00', '13:30');
    const b = await join(c.second, '13:00', '13:30');
    const [inA, inB] = await Promise.all([open(c.first), open(c.second)]);
    expect((await c.holder.post(`/api/bookings/${booking}/cancel`, {})).status).toBe(200);
    const first = await inA.next('waitlist:offer', (p) => p.entryId === a.id);

    // Not yet expired: the sweeper leaves it.
    clock.advance(9 * 60_000);
    await srv.app.realtime.maintenance.sweep(clock.now());
    expect(await liveOffers(at('13:00', DAY))).toEqual([{ customer_id: ids.first, status: 'live' }]);

    clock.advance(2 * 60_000);
    await srv.app.realtime.maintenance.sweep(clock.now());
    const next = await inB.next('waitlist:offer', (p) => p.entryId === b.id);
    expect(next.slot.startUtc).toBe(first.slot.startUtc);
    expect(Date.parse(next.hold.expiresAt)).toBe(clock.now() + 10 * 60_000);
    expect(await liveOffers(at('13:00', DAY))).toEqual([
      { customer_id: ids.first, status: 'expired' },
      { customer_id: ids.second, status: 'live' },
    ]);
    // Booking the expired offer's hold is refused as expired.
    expect((await c.first.post('/api/bookings', { holdId: first.hold.id })).body.error.code).toBe('HOLD_EXPIRED');

    // Leaving with a live offer releases it; nobody else waits: the time is simply free.
    expect((await c.second.delete(`/api/waitlist/${b.id}`)).status).toBe(204);
    expect(await liveOffers(at('13:00', DAY))).toEqual([
      { customer_id: ids.first, status: 'expired' },
      { customer_id: ids.second, status: 'declined' },
    ]);
    await srv.app.waitlist.queue.idle();
    await barrier([inA, inB]);
    expect((await db.pool.query('select 1 from holds where start_at = $1', [at('13:00', DAY)])).rows).toEqual([]);
    await c.first.delete(`/api/waitlist/${a.id}`);
  });

  it('a waiter holding another time keeps it and is passed over; the next waiter gets the offer', async () => {
    const booking = await bookAs(c.holder, '15:00');
    await join(c.first, '15:00', '15:30');
    const b = await join(c.second, '15:00', '15:30');
    const hold = await c.first.post('/api/holds', { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at('11:30', DAY) });
    expect(hold.status).toBe(201);
    const [inA, inB] = await Promise.all([open(c.first), open(c.second)]);
    expect((await c.holder.post(`/api/bookings/${booking}/cancel`, {})).status).toBe(200);
    expect(await inB.next('waitlist:offer')).toMatchObject({ entryId: b.id });
    await barrier([inA]);
    expect(inA.of('waitlist:offer')).toEqual([]);
    expect((await c.first.get('/api/holds/mine')).body).toEqual([hold.body]);
  });

  it('hours extended by an override offer the new time to a waiter for "any" stylist', async () => {
    const date = '2027-03-12';
    // After the stylist's hours (09:00–17:00): nothing there yet, so nothing is free.
    const joined = await c.third.post('/api/waitlist', { stylistId: 'any', serviceId: salon.service.id, date, from: '17:00', to: '18:00' });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    const inbox = await open(c.third);
    await db.pool.query(
      `insert into overrides (scope, stylist_id, start_date, end_date, kind, start_time, end_time, reason)
       values ('stylist', $1, $2, $2, 'hours', '09:00', '18:00', 'late opening')`,
      [salon.stylist.id, date],
    );
    const offer = await inbox.next('waitlist:offer', (p) => p.entryId === joined.body.id);
    expect(offer.slot).toMatchObject({ stylistId: salon.stylist.id, startUtc: at('17:00', date) });
    expect((await c.third.get('/api/waitlist/mine')).body[0].offer.hold.id).toBe(offer.hold.id);
  });
});
