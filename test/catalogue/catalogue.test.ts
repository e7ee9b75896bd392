// The public catalogue: services and stylists, with the currency of their prices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { freshDatabase, type TestDb } from '../setup/db.ts';
import { createSalon, createService } from '../setup/factories.ts';
import { startTestServer, type TestServer } from '../setup/server.ts';

let db: TestDb;
let srv: TestServer;
let salon: Awaited<ReturnType<typeof createSalon>>;

beforeAll(async () => {
  db = await freshDatabase();
  salon = await createSalon(db.pool, { displayName: 'Aarav Shrestha' });
  const colour = await createService(db.pool, { name: 'Colour', category: 'Colour', durationMinutes: 120, priceCents: 650000 });
  await db.pool.query('insert into stylist_services (stylist_id, service_id, duration_minutes, price_cents) values ($1, $2, 150, 700050)', [
    salon.stylist.id,
    colour.id,
  ]);
  srv = await startTestServer(db.pool);
});
afterAll(async () => {
  await srv?.close();
  await db?.drop();
});

const get = async (base: string, path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.json() };
};

describe('catalogue', () => {
  it('carries the configured currency with every price (NPR by default)', async () => {
    const services = await get(srv.baseUrl, '/api/services');
    expect(services.status).toBe(200);
    expect(services.body).toEqual(
      expect.arrayContaining([
        { id: expect.any(String), name: 'Colour', category: 'Colour', durationMinutes: 120, priceCents: 650000, currency: 'NPR' },
        { id: salon.service.id, name: expect.any(String), category: 'Hair', durationMinutes: 60, priceCents: 5000, currency: 'NPR' },
      ]),
    );
    const stylists = await get(srv.baseUrl, '/api/stylists');
    expect(stylists.body).toEqual([
      {
        id: salon.stylist.id,
        displayName: 'Aarav Shrestha',
        timezone: 'Asia/Kathmandu',
        bio: '',
        services: [
          { id: expect.any(String), name: 'Colour', durationMinutes: 150, priceCents: 700050, currency: 'NPR' },
          { id: salon.service.id, name: expect.any(String), durationMinutes: 60, priceCents: 5000, currency: 'NPR' },
        ],
      },
    ]);
  });

  it('uses CURRENCY when set', async () => {
    const eur = await startTestServer(db.pool, { env: { CURRENCY: 'EUR' } });
    try {
      expect((await get(eur.baseUrl, '/api/services')).body.map((s: { currency: string }) => s.currency)).toEqual(['EUR', 'EUR']);
      const [st] = (await get(eur.baseUrl, '/api/stylists')).body;
      expect(st.services.map((s: { currency: string }) => s.currency)).toEqual(['EUR', 'EUR']);
    } finally {
      await eur.close();
    }
  });

  it('accepts only an ISO 4217 code as CURRENCY', () => {
    expect(parseConfig({}).currency).toBe('NPR');
    expect(parseConfig({ CURRENCY: 'USD' }).currency).toBe('USD');
    for (const bad of ['eur', 'EURO', 'E1R', '']) expect(() => parseConfig({ CURRENCY: bad }), bad).toThrow(/CURRENCY/);
  });

  it('refuses parameters on both lists', async () => {
    for (const path of ['/api/services?category=Hair', '/api/stylists?serviceId=x']) {
      const r = await get(srv.baseUrl, path);
      expect([path, r.status, r.body.error.code]).toEqual([path, 400, 'INVALID_INPUT']);
    }
  });
});
