// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import { formatPrice } from '../../web/src/lib/time.ts';
import { fakeFetch } from './fakes.ts';

const money = (cents: number, currency: string, digits: number) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    cents / 100,
  );

describe('prices', () => {
  it('are formatted in the currency the catalogue states', () => {
    expect(formatPrice(150000, 'NPR')).toBe(money(150000, 'NPR', 0));
    expect(formatPrice(120050, 'EUR')).toBe(money(120050, 'EUR', 2));
    // Not known yet (or not a currency code): the plain amount, never a guessed currency.
    expect(formatPrice(150000, null)).toBe(new Intl.NumberFormat().format(1500));
    expect(formatPrice(150000, 'not-a-code')).toBe(new Intl.NumberFormat().format(1500));
  });

  it('take the catalogue\u2019s currency once it is loaded', async () => {
    const api = new Api(
      fakeFetch({
        'GET /api/salon': () => ({ body: { timezone: 'Asia/Kathmandu', currency: 'EUR' } }),
        'GET /api/services': () => ({
          body: [{ id: 's1', name: 'Cut', category: 'Hair', durationMinutes: 45, priceCents: 150000, currency: 'EUR' }],
        }),
        'GET /api/stylists': () => ({
          body: [
            {
              id: 'st1',
              displayName: 'Ana',
              timezone: 'Europe/Lisbon',
              bio: '',
              services: [{ id: 's1', name: 'Cut', durationMinutes: 50, priceCents: 160000, currency: 'EUR' }],
            },
          ],
        }),
      }),
    );
    const catalogue = new Catalogue(api);
    expect(catalogue.currency).toBeNull();
    await catalogue.load();
    expect(catalogue.currency).toBe('EUR');
    expect(catalogue.offer('st1', 's1')).toEqual({ id: 's1', name: 'Cut', durationMinutes: 50, priceCents: 160000, currency: 'EUR' });
  });
});
