// A computed day writes its times by arithmetic when the zone keeps one offset all day; the texts
// must be exactly those luxon and Intl write, on every kind of day: ordinary, DST changes (whole and
// half hours), zones luxon writes as "Z", quarter-hour offsets, the date line.
import { DateTime } from 'luxon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelRepeated } from '../../server/contract/wall-clock.ts';
import type { Pool } from '../../server/db/pool.ts';
import type { LoadedDay } from '../../server/slots/load.ts';
import { render, SlotService } from '../../server/slots/service.ts';

const ZONES = [
  'Asia/Kathmandu',
  'America/New_York',
  'Europe/London',
  'UTC',
  'Etc/UTC',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'America/Sao_Paulo',
  'Asia/Tehran',
];
const slots = new SlotService({ pool: {} as Pool, cacheEnabled: false, cacheMaxBytes: 1024, cacheTtlMs: 1000, now: () => 0 });

/** A whole day open from 00:00 to 24:00 in `zone`, every 30 minutes. */
function day(date: string, zone: string): LoadedDay {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return {
    settings: {
      timezone: zone,
      slotStepMinutes: 30,
      bufferMinutes: 0,
      minNoticeMinutes: 0,
      horizonDays: 730,
      durationMinutes: 30,
      priceCents: 0,
    },
    version: 1,
    earliestHoldExpiryMs: Infinity,
    dbNowMs: 0,
    input: {
      date,
      timezone: zone,
      slotStepMinutes: 30,
      durationMinutes: 30,
      bufferMinutes: 0,
      schedule: [{ dayOfWeek: dow, start: '00:00', end: '24:00', effectiveFrom: '2000-01-01', effectiveUntil: null }],
      overrides: [],
      bookings: [],
      holds: [],
    },
  };
}

const clock = (zone: string) => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: zone });
const ymd = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
/** What luxon and Intl write for an instant, the repeated hour labelled. */
const expected = (ms: number, zone: string) =>
  labelRepeated(
    clock(zone)
      .format(ms)
      .replace(/\u202f/g, ' '),
    ms,
    zone,
  );

function check(date: string, zone: string, customer: string): void {
  const entry = slots.entryOf({ stylistId: 's', serviceId: 'x', date }, day(date, zone));
  expect(entry.slots.length).toBeGreaterThan(40);
  for (const s of entry.slots) {
    expect(s.startLocal).toBe(DateTime.fromMillis(s.startMs, { zone }).toISO());
    expect(s.localDisplay).toBe(expected(s.startMs, zone));
  }
  for (const s of render(entry, customer, 0).slots) {
    const ms = Date.parse(s.startUtc);
    expect(s.display).toBe(expected(ms, customer));
    expect(s.displayDate).toBe(ymd(customer).format(ms));
  }
}

describe('wall-clock texts of a computed day', () => {
  it('match luxon and Intl on DST changes and in zones of every kind', () => {
    // Spring-forward and fall-back days of New York, London, Lord Howe (30 minutes), Chatham and Sao Paulo (2018).
    const days = [
      '2027-03-14',
      '2027-11-07',
      '2027-03-28',
      '2027-10-31',
      '2027-04-04',
      '2027-10-03',
      '2027-04-04',
      '2018-11-04',
      '2019-02-16',
    ];
    for (const date of days) for (const zone of ZONES) check(date, zone, ZONES[(ZONES.indexOf(zone) + 3) % ZONES.length]);
  });

  it('match luxon and Intl on any date and pair of zones', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-02T00:00:00Z'), max: new Date('2099-12-30T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...ZONES),
        (d, zone, customer) => check(d.toISOString().slice(0, 10), zone, customer),
      ),
      { numRuns: 60 },
    );
  });
});
