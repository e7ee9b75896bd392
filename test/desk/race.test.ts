// The desk and a customer online booking the same slot at the same moment, over real HTTP, many
// rounds: exactly one wins (201), the other is 409 SLOT_TAKEN, and no two bookings ever overlap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, NO_LIMITS, type HttpClient } from '../auth/client.ts';
import { at, countRows, fakeClock, loggedInUsers, overlappingPairs, type LoggedIn } from '../bookings/fixture.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createUser } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

const ROUNDS = 30;
const TIMES = ['09:00', '10:30', '12:00', '13:30', '15:00'];

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;
let desk: HttpClient;
let online: LoggedIn[];
const clock = fakeClock();

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { horizonDays: 60 });
  srv = await startTestServer(db.pool, { now: clock.now, env: NO_LIMITS });
  const r = await createUser(db.pool, { role: 'reception' });
  desk = await loginAs(srv.baseUrl, r.email, r.password);
  online = await loggedInUsers(db.pool, srv.baseUrl, 2);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

describe('desk against online', () => {
  it(`${ROUNDS} rounds of one slot each: exactly one 201 and one 409 SLOT_TAKEN`, async () => {
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < ROUNDS; i++) {
      const date = `2027-03-${String(2 + Math.floor(i / TIMES.length)).padStart(2, '0')}`;
      const target = { stylistId: salon.stylist.id, serviceId: salon.service.id, startUtc: at(TIMES[i % TIMES.length], date) };
      // Alternate who is sent first, and whether the desk books a walk-in or an existing customer.
      const deskCall = () =>
        desk.post(
          '/api/desk/bookings',
          i % 3 === 0 ? { walkIn: { name: `Walk-in ${i}` }, ...target } : { customerId: online[1].id, ...target },
        );
      const onlineCall = () => online[0].http.post('/api/bookings', target);
      const [d, o] =
        i % 2 ? await Promise.all([deskCall(), onlineCall()]) : await Promise.all([onlineCall(), deskCall()]).then(([a, b]) => [b, a]);
      const statuses = [d.status, o.status].sort();
      expect(statuses, `round ${i}: ${JSON.stringify([d.body, o.body])}`).toEqual([201, 409]);
      const loser = d.status === 409 ? d : o;
      expect(loser.body.error.code).toBe('SLOT_TAKEN');
      expect(await countRows(db.pool, 'bookings', 'stylist_id = $1 and start_at = $2', [salon.stylist.id, target.startUtc])).toBe(1);
      const winner = d.status === 201 ? 'desk' : 'online';
      outcomes[winner] = (outcomes[winner] ?? 0) + 1;
    }
    expect(await overlappingPairs(db.pool)).toBe(0);
    // Walk-ins of lost rounds left no customer record behind.
    const walkIns = await countRows(db.pool, 'users', 'walk_in');
    expect(walkIns).toBe(await countRows(db.pool, 'bookings b join users u on u.id = b.customer_id', 'u.walk_in'));
    expect((outcomes.desk ?? 0) + (outcomes.online ?? 0)).toBe(ROUNDS);
  });
});
