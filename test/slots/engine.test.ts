import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookableRange,
  computeDaySlots,
  horizonAt,
  isValidLocalDate,
  localDateAt,
  isValidZone,
  localTimeToInstant,
  weekdayOf,
  type DayInput,
  type Interval,
  type OverrideRow,
  type ScheduleWindowRow,
} from '../../server/slots/engine.ts';

// Every expected instant below was worked out by hand from the zone's rules and is written as a
// UTC ISO string, which reads the same whatever the process time zone is.
const at = (isoUtc: string): number => Date.parse(isoUtc);
const iso = (ms: number): string => new Date(ms).toISOString();
const isoWindows = (ws: Interval[]): [string, string][] => ws.map((w) => [iso(w.startMs), iso(w.endMs)]);

// 2027-06-01 is a Tuesday. Rule tests run in UTC so that local wall time reads as the instant.
const TUE = '2027-06-01';
const u = (hhmm: string, date = TUE): number => at(`${date}T${hhmm}:00.000Z`);
const span = (from: string, to: string, date = TUE): Interval => ({ startMs: u(from, date), endMs: u(to, date) });

function row(
  dayOfWeek: number,
  start: string,
  end: string,
  effectiveFrom = '2020-01-01',
  effectiveUntil: string | null = null,
): ScheduleWindowRow {
  return { dayOfWeek, start, end, effectiveFrom, effectiveUntil };
}

let nextId = 0;
function override(kind: OverrideRow['kind'], fields: Partial<OverrideRow> = {}): OverrideRow {
  nextId += 1;
  return { id: `o${nextId}`, kind, startDate: TUE, endDate: TUE, start: null, end: null, priority: 0, createdAtMs: 0, ...fields };
}

function day(fields: Partial<DayInput> = {}): DayInput {
  return {
    date: TUE,
    timezone: 'UTC',
    slotStepMinutes: 60,
    durationMinutes: 60,
    bufferMinutes: 0,
    schedule: [row(2, '09:00', '12:00')],
    overrides: [],
    bookings: [],
    holds: [],
    ...fields,
  };
}

const starts = (input: DayInput): string[] => computeDaySlots(input).slots.map((s) => iso(s.startMs));
const statuses = (input: DayInput): [string, string][] => computeDaySlots(input).slots.map((s) => [iso(s.startMs).slice(11, 16), s.status]);

describe('validators', () => {
  it('isValidLocalDate accepts only strict YYYY-MM-DD dates that exist', () => {
    for (const d of ['2027-02-28', '2028-02-29', '2000-02-29', '2027-12-31', '2027-04-30', '0001-01-01']) {
      expect(isValidLocalDate(d), d).toBe(true);
    }
    for (const d of [
      '2027-02-29',
      '2100-02-29',
      '2027-04-31',
      '2027-13-01',
      '2027-00-10',
      '2027-01-00',
      '2027-4-01',
      '27-04-01',
      '2027-04-01T00:00',
      ' 2027-04-01',
      '2027/04/01',
      '',
    ]) {
      expect(isValidLocalDate(d), d).toBe(false);
    }
  });

  it('weekdayOf counts from Sunday = 0 and rejects impossible dates', () => {
    expect(weekdayOf('2027-03-14')).toBe(0);
    expect(weekdayOf(TUE)).toBe(2);
    expect(weekdayOf('2000-01-01')).toBe(6);
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('2024-02-29')).toBe(4);
    expect(weekdayOf('0001-01-01')).toBe(1);
    expect(() => weekdayOf('2027-02-30')).toThrow(RangeError);
  });

  it('isValidZone knows IANA names and rejects unknown names and bare offsets', () => {
    for (const z of ['Asia/Kathmandu', 'America/New_York', 'Europe/London', 'UTC']) expect(isValidZone(z), z).toBe(true);
    for (const z of ['Mars/Olympus_Mons', '', 'local', '+05:45', '-03:00', 'x'.repeat(200)]) expect(isValidZone(z), z).toBe(false);
  });

  it('localTimeToInstant rejects malformed times, dates and zones', () => {
    for (const t of ['25:00', '24:30', '12:60', '9:00', '0900', '']) {
      expect(() => localTimeToInstant(TUE, t, 'UTC', 'start'), t).toThrow(RangeError);
    }
    expect(() => localTimeToInstant('2027-02-30', '09:00', 'UTC', 'start')).toThrow(RangeError);
    expect(() => localTimeToInstant(TUE, '09:00', 'Mars/Olympus_Mons', 'start')).toThrow(RangeError);
  });

  it('localTimeToInstant reads "24:00" as the next midnight and tolerates Postgres "HH:MM:SS"', () => {
    expect(iso(localTimeToInstant(TUE, '24:00', 'UTC', 'end'))).toBe('2027-06-02T00:00:00.000Z');
    expect(iso(localTimeToInstant('2027-12-31', '24:00', 'UTC', 'end'))).toBe('2028-01-01T00:00:00.000Z');
    expect(iso(localTimeToInstant(TUE, '10:00:30', 'Asia/Kathmandu', 'start'))).toBe('2027-06-01T04:15:30.000Z');
  });

  it('computeDaySlots rejects a bad zone, date, step or duration instead of looping or guessing', () => {
    expect(() => computeDaySlots(day({ timezone: 'Nowhere/City' }))).toThrow(RangeError);
    expect(() => computeDaySlots(day({ date: '2027-06-31' }))).toThrow(RangeError);
    expect(() => computeDaySlots(day({ slotStepMinutes: 0 }))).toThrow(RangeError);
    expect(() => computeDaySlots(day({ durationMinutes: -30 }))).toThrow(RangeError);
    expect(() => computeDaySlots(day({ bufferMinutes: Number.NaN }))).toThrow(RangeError);
  });
});

describe('rule 1: weekly windows', () => {
  it("uses only the rows for the date's weekday", () => {
    const r = computeDaySlots(day({ schedule: [row(1, '08:00', '10:00'), row(2, '09:00', '12:00'), row(3, '13:00', '17:00')] }));
    expect(isoWindows(r.windows)).toEqual([['2027-06-01T09:00:00.000Z', '2027-06-01T12:00:00.000Z']]);
  });

  it('gives no windows and no slots on a weekday without rows', () => {
    expect(computeDaySlots(day({ schedule: [row(1, '09:00', '17:00'), row(3, '09:00', '17:00')] }))).toEqual({ windows: [], slots: [] });
  });

  it('honours effectiveFrom and effectiveUntil inclusively', () => {
    const rows = [
      row(2, '08:00', '09:00', '2027-06-02'), // not yet effective
      row(2, '10:00', '11:00', '2020-01-01', '2027-05-31'), // expired the day before
      row(2, '12:00', '13:00', TUE, TUE), // effective exactly on the date
    ];
    expect(isoWindows(computeDaySlots(day({ schedule: rows })).windows)).toEqual([
      ['2027-06-01T12:00:00.000Z', '2027-06-01T13:00:00.000Z'],
    ]);
  });

  it('uses only the version with the latest effectiveFrom when several apply', () => {
    const schedule = [
      row(2, '09:00', '17:00', '2027-01-01'),
      row(2, '10:00', '12:00', '2027-05-01'),
      row(2, '13:00', '15:00', '2027-05-01'),
    ];
    expect(isoWindows(computeDaySlots(day({ schedule })).windows)).toEqual([
      ['2027-06-01T10:00:00.000Z', '2027-06-01T12:00:00.000Z'],
      ['2027-06-01T13:00:00.000Z', '2027-06-01T15:00:00.000Z'],
    ]);
    // 2027-04-27 is the Tuesday before the newer version starts.
    expect(isoWindows(computeDaySlots(day({ date: '2027-04-27', schedule })).windows)).toEqual([
      ['2027-04-27T09:00:00.000Z', '2027-04-27T17:00:00.000Z'],
    ]);
  });

  it('merges overlapping and touching rows, whatever their order, and steps across the old seams', () => {
    const input = day({
      slotStepMinutes: 30,
      schedule: [row(2, '14:00', '15:00'), row(2, '12:00', '13:00'), row(2, '10:30', '12:00'), row(2, '09:00', '11:00')],
    });
    const r = computeDaySlots(input);
    expect(isoWindows(r.windows)).toEqual([
      ['2027-06-01T09:00:00.000Z', '2027-06-01T13:00:00.000Z'],
      ['2027-06-01T14:00:00.000Z', '2027-06-01T15:00:00.000Z'],
    ]);
    expect(r.slots.map((s) => iso(s.startMs).slice(11, 16))).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
      '12:00',
      '14:00',
    ]);
  });

  it('ignores a row whose end is not after its start', () => {
    expect(computeDaySlots(day({ schedule: [row(2, '12:00', '12:00'), row(2, '15:00', '13:00')] }))).toEqual({ windows: [], slots: [] });
  });
});

describe('rule 1: overrides', () => {
  it('closed removes the whole day and beats an hours override of any priority', () => {
    const overrides = [override('hours', { start: '08:00', end: '20:00', priority: 99, createdAtMs: 9e12 }), override('closed')];
    expect(computeDaySlots(day({ overrides }))).toEqual({ windows: [], slots: [] });
  });

  it('applies an override only on the dates of its inclusive range', () => {
    const covering = override('closed', { startDate: '2027-05-30', endDate: TUE });
    const endedBefore = override('closed', { startDate: '2027-05-01', endDate: '2027-05-31' });
    const startsAfter = override('closed', { startDate: '2027-06-02', endDate: '2027-06-09' });
    expect(computeDaySlots(day({ overrides: [covering] })).slots).toEqual([]);
    expect(starts(day({ overrides: [endedBefore, startsAfter] }))).toEqual([
      '2027-06-01T09:00:00.000Z',
      '2027-06-01T10:00:00.000Z',
      '2027-06-01T11:00:00.000Z',
    ]);
  });

  it('hours replaces the weekly windows, and opens a day without weekly rows', () => {
    const hours = override('hours', { start: '12:00', end: '14:00' });
    expect(isoWindows(computeDaySlots(day({ schedule: [row(2, '09:00', '17:00')], overrides: [hours] })).windows)).toEqual([
      ['2027-06-01T12:00:00.000Z', '2027-06-01T14:00:00.000Z'],
    ]);
    expect(starts(day({ schedule: [], overrides: [hours] }))).toEqual(['2027-06-01T12:00:00.000Z', '2027-06-01T13:00:00.000Z']);
  });

  it('hours: the highest priority wins, then the latest createdAt, in any input order', () => {
    const low = override('hours', { start: '10:00', end: '12:00', priority: 1, createdAtMs: 5000 });
    const high = override('hours', { start: '13:00', end: '15:00', priority: 5, createdAtMs: 1000 });
    expect(starts(day({ overrides: [low, high] }))).toEqual(['2027-06-01T13:00:00.000Z', '2027-06-01T14:00:00.000Z']);
    expect(starts(day({ overrides: [high, low] }))).toEqual(['2027-06-01T13:00:00.000Z', '2027-06-01T14:00:00.000Z']);

    const older = override('hours', { start: '10:00', end: '12:00', priority: 3, createdAtMs: 1000 });
    const newer = override('hours', { start: '16:00', end: '17:00', priority: 3, createdAtMs: 2000 });
    expect(starts(day({ overrides: [older, newer] }))).toEqual(['2027-06-01T16:00:00.000Z']);
    expect(starts(day({ overrides: [newer, older] }))).toEqual(['2027-06-01T16:00:00.000Z']);
  });

  it('blocked splits a window, trims its edges, and candidates restart at the block end', () => {
    const input = day({
      slotStepMinutes: 45,
      durationMinutes: 30,
      schedule: [row(2, '09:00', '12:00')],
      overrides: [override('blocked', { start: '10:00', end: '10:20' })],
    });
    const r = computeDaySlots(input);
    expect(isoWindows(r.windows)).toEqual([
      ['2027-06-01T09:00:00.000Z', '2027-06-01T10:00:00.000Z'],
      ['2027-06-01T10:20:00.000Z', '2027-06-01T12:00:00.000Z'],
    ]);
    // 09:45 would end at 10:15, inside the block; 11:50 would end past 12:00.
    expect(r.slots.map((s) => iso(s.startMs).slice(11, 16))).toEqual(['09:00', '10:20', '11:05']);

    const edges = day({
      schedule: [row(2, '09:00', '17:00')],
      overrides: [override('blocked', { start: '08:00', end: '10:00' }), override('blocked', { start: '16:30', end: '18:00' })],
    });
    expect(isoWindows(computeDaySlots(edges).windows)).toEqual([['2027-06-01T10:00:00.000Z', '2027-06-01T16:30:00.000Z']]);
  });

  it('blocked also cuts into hours-override windows, and a block over everything leaves nothing', () => {
    const hoursAndBlock = day({
      overrides: [override('hours', { start: '12:00', end: '16:00' }), override('blocked', { start: '13:00', end: '14:00' })],
    });
    expect(isoWindows(computeDaySlots(hoursAndBlock).windows)).toEqual([
      ['2027-06-01T12:00:00.000Z', '2027-06-01T13:00:00.000Z'],
      ['2027-06-01T14:00:00.000Z', '2027-06-01T16:00:00.000Z'],
    ]);
    const all = day({ overrides: [override('blocked', { start: '00:00', end: '24:00' })] });
    expect(computeDaySlots(all)).toEqual({ windows: [], slots: [] });
  });

  it('a block that splits one row removes only the blocked span, across several windows', () => {
    const input = day({
      schedule: [row(2, '09:00', '12:00'), row(2, '13:00', '17:00')],
      overrides: [override('blocked', { start: '11:00', end: '14:00' })],
    });
    expect(isoWindows(computeDaySlots(input).windows)).toEqual([
      ['2027-06-01T09:00:00.000Z', '2027-06-01T11:00:00.000Z'],
      ['2027-06-01T14:00:00.000Z', '2027-06-01T17:00:00.000Z'],
    ]);
  });

  it('an hours or blocked override without times is rejected rather than guessed', () => {
    expect(() => computeDaySlots(day({ overrides: [override('hours')] }))).toThrow(RangeError);
    expect(() => computeDaySlots(day({ overrides: [override('blocked', { start: '10:00' })] }))).toThrow(RangeError);
  });
});

describe('rule 3: candidates', () => {
  it('steps by the slot step while start + duration fits the window', () => {
    const r = computeDaySlots(day({ slotStepMinutes: 30, durationMinutes: 45, schedule: [row(2, '09:00', '11:00')] }));
    expect(r.slots).toEqual([
      { startMs: u('09:00'), endMs: u('09:45'), status: 'available' },
      { startMs: u('09:30'), endMs: u('10:15'), status: 'available' },
      { startMs: u('10:00'), endMs: u('10:45'), status: 'available' },
    ]);
  });

  it('a duration exactly filling the window fits; one minute more does not', () => {
    expect(starts(day({ schedule: [row(2, '09:00', '10:00')], durationMinutes: 60 }))).toEqual(['2027-06-01T09:00:00.000Z']);
    expect(starts(day({ schedule: [row(2, '09:00', '10:00')], durationMinutes: 61 }))).toEqual([]);
  });

  it("the candidate's buffer may run past the window end", () => {
    expect(starts(day({ schedule: [row(2, '09:00', '10:00')], bufferMinutes: 15 }))).toEqual(['2027-06-01T09:00:00.000Z']);
  });

  it('a window shorter than the duration is still reported as a window', () => {
    const r = computeDaySlots(day({ schedule: [row(2, '09:00', '09:30')] }));
    expect(isoWindows(r.windows)).toEqual([['2027-06-01T09:00:00.000Z', '2027-06-01T09:30:00.000Z']]);
    expect(r.slots).toEqual([]);
  });

  it('a window ending at "24:00" runs to the next midnight', () => {
    expect(starts(day({ schedule: [row(2, '22:00', '24:00')] }))).toEqual(['2027-06-01T22:00:00.000Z', '2027-06-01T23:00:00.000Z']);
  });
});

describe('rule 4: statuses', () => {
  it('buffers count on both sides and touching is not overlapping', () => {
    // Booking 11:00–12:00 plus its 15 min buffer; candidates occupy 60 + 15 min.
    const input = day({
      slotStepMinutes: 15,
      durationMinutes: 60,
      bufferMinutes: 15,
      schedule: [row(2, '09:00', '14:00')],
      bookings: [span('11:00', '12:15')],
    });
    expect(statuses(input)).toEqual([
      ['09:00', 'available'],
      ['09:15', 'available'],
      ['09:30', 'available'],
      ['09:45', 'available'], // occupies until 11:00 exactly: touching
      ['10:00', 'booked'], // its own buffer runs into the booking
      ['10:15', 'booked'],
      ['10:30', 'booked'],
      ['10:45', 'booked'],
      ['11:00', 'booked'],
      ['11:15', 'booked'],
      ['11:30', 'booked'],
      ['11:45', 'booked'],
      ['12:00', 'booked'], // inside the booking's buffer
      ['12:15', 'available'], // starts when the booking's buffer ends: touching
      ['12:30', 'available'],
      ['12:45', 'available'],
      ['13:00', 'available'],
    ]);
  });

  it('booked takes precedence over held; held only where a hold overlaps', () => {
    const input = day({
      bookings: [span('09:30', '10:00')],
      holds: [span('09:00', '09:15'), span('10:30', '10:45')],
    });
    expect(statuses(input)).toEqual([
      ['09:00', 'booked'],
      ['10:00', 'held'],
      ['11:00', 'available'],
    ]);
  });

  it('a hold touching a slot does not hold it', () => {
    expect(statuses(day({ holds: [span('10:00', '11:00')] }))).toEqual([
      ['09:00', 'available'],
      ['10:00', 'held'],
      ['11:00', 'available'],
    ]);
  });

  it('finds a long early booking behind a later short one, in any input order', () => {
    const input = day({
      schedule: [row(2, '08:00', '13:00')],
      bookings: [span('11:30', '11:40'), span('08:30', '08:40'), span('08:00', '10:30')],
    });
    expect(statuses(input)).toEqual([
      ['08:00', 'booked'],
      ['09:00', 'booked'],
      ['10:00', 'booked'], // only the 08:00–10:30 booking reaches it
      ['11:00', 'booked'],
      ['12:00', 'available'],
    ]);
  });

  it('ignores empty intervals and bookings on other days', () => {
    const input = day({
      bookings: [span('10:30', '10:30'), { startMs: u('10:00', '2027-05-31'), endMs: u('11:00', '2027-05-31') }],
      holds: [span('09:30', '09:30')],
    });
    expect(statuses(input)).toEqual([
      ['09:00', 'available'],
      ['10:00', 'available'],
      ['11:00', 'available'],
    ]);
  });

  it('does not mutate its input', () => {
    const bookings = [span('11:00', '12:00'), span('09:00', '10:00')];
    const schedule = [row(2, '10:00', '12:00'), row(2, '09:00', '10:00')];
    const input = day({ bookings, schedule });
    const snapshot = structuredClone(input);
    computeDaySlots(input);
    expect(input).toEqual(snapshot);
  });
});

describe('rule 5: bookableRange', () => {
  const slots = ['09:00', '09:30', '10:00', '10:30', '11:00'].map((t) => ({ startMs: u(t) }));
  const FAR = u('00:00', '2027-08-01');

  it('starts at the first slot at or after now + minimum notice', () => {
    expect(bookableRange(slots, u('08:30'), 60, FAR)).toEqual({ from: 1, to: 5 }); // 09:30 is exactly now + notice
    expect(bookableRange(slots, u('08:31'), 60, FAR)).toEqual({ from: 2, to: 5 });
    expect(bookableRange(slots, u('06:00'), 0, FAR)).toEqual({ from: 0, to: 5 });
  });

  it('ends before the horizon end, exclusively', () => {
    expect(bookableRange(slots, u('06:00'), 0, u('10:30'))).toEqual({ from: 0, to: 3 });
    expect(bookableRange(slots, u('06:00'), 0, u('10:31'))).toEqual({ from: 0, to: 4 });
  });

  it('is empty when everything has passed, when the list is empty, or when notice reaches past the horizon', () => {
    expect(bookableRange(slots, u('11:00'), 1, FAR)).toEqual({ from: 5, to: 5 });
    expect(bookableRange([], u('09:00'), 60, FAR)).toEqual({ from: 0, to: 0 });
    expect(bookableRange(slots, u('08:00'), 150, u('10:00'))).toEqual({ from: 3, to: 3 }); // 10:30 is the first start after the notice
  });

  it('rejects a non-finite now or horizon end', () => {
    expect(() => bookableRange(slots, Number.NaN, 60, FAR)).toThrow(RangeError);
    expect(() => bookableRange(slots, u('08:00'), 60, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('rule 5: the horizon counts calendar days in the stylist\u2019s zone', () => {
  it('makes the last day bookable whole, whatever the time of day now', () => {
    // 2027-06-01 22:00 in Kathmandu (+05:45) is 16:15Z; today there is 2027-06-01, so with 2 days the
    // last bookable day is 2027-06-03, until its midnight (2027-06-03T18:15Z), not now + 48 h.
    const h = horizonAt(at('2027-06-01T16:15:00Z'), 2, 'Asia/Kathmandu');
    expect(h).toEqual({
      today: '2027-06-01',
      lastDate: '2027-06-03',
      endMs: at('2027-06-03T18:15:00Z'),
      fromMs: at('2027-05-31T18:15:00Z'),
      untilMs: at('2027-06-01T18:15:00Z'),
    });
    // Early in the morning the same day gives the same horizon.
    expect(horizonAt(at('2027-05-31T18:15:00Z'), 2, 'Asia/Kathmandu').endMs).toBe(h.endMs);
    // One minute after local midnight, a day later.
    expect(horizonAt(at('2027-06-01T18:16:00Z'), 2, 'Asia/Kathmandu').lastDate).toBe('2027-06-04');
  });

  it('keeps a slot late on the last day bookable that now + N × 24 h would cut off', () => {
    const now = at('2027-06-01T16:15:00Z'); // 22:00 in Kathmandu
    const lateOnLastDay = at('2027-06-03T17:00:00Z'); // 22:45 on 2027-06-03 in Kathmandu
    const nextMorning = at('2027-06-04T03:15:00Z'); // 09:00 on 2027-06-04
    const list = [{ startMs: lateOnLastDay }, { startMs: nextMorning }];
    expect(lateOnLastDay).toBeGreaterThan(now + 2 * 86_400_000);
    expect(bookableRange(list, now, 60, horizonAt(now, 2, 'Asia/Kathmandu').endMs)).toEqual({ from: 0, to: 1 });
  });

  it('ends the last day at its real midnight on a 25-hour day', () => {
    // New York, 2027-11-07 is a fall-back day: it ends at 2027-11-08T05:00Z (midnight EST).
    const h = horizonAt(at('2027-11-05T16:00:00Z'), 2, 'America/New_York');
    expect(h.lastDate).toBe('2027-11-07');
    expect(iso(h.endMs)).toBe('2027-11-08T05:00:00.000Z');
    expect(iso(h.fromMs)).toBe('2027-11-05T04:00:00.000Z');
  });

  it('reads the local date of an instant in the zone', () => {
    expect(localDateAt(at('2027-06-01T18:14:59Z'), 'Asia/Kathmandu')).toBe('2027-06-01');
    expect(localDateAt(at('2027-06-01T18:15:00Z'), 'Asia/Kathmandu')).toBe('2027-06-02');
    expect(localDateAt(at('2027-06-01T03:59:59Z'), 'America/New_York')).toBe('2027-05-31');
    expect(() => horizonAt(Number.NaN, 2, 'UTC')).toThrow(RangeError);
    expect(() => horizonAt(0, 2, 'Mars/Olympus')).toThrow(RangeError);
  });
});

// ─── time zones ──────────────────────────────────────────────────────────────────────────────────

const NY = 'America/New_York';
const LON = 'Europe/London';
const KTM = 'Asia/Kathmandu';

function zoned(zone: string, date: string, start: string, end: string, fields: Partial<DayInput> = {}): DayInput {
  return day({ timezone: zone, date, slotStepMinutes: 30, durationMinutes: 30, schedule: [row(weekdayOf(date), start, end)], ...fields });
}
const zWindows = (input: DayInput): [string, string][] => isoWindows(computeDaySlots(input).windows);
const zStarts = (input: DayInput): string[] => starts(input);

// The same hand-computed expectations must hold whatever the process's own zone is. Chatham
// (+12:45/+13:45) and New York are chosen because they disagree with every stylist zone here.
describe.each(['UTC', 'Pacific/Chatham', 'America/New_York'])('DST and offsets with process TZ=%s', (processZone) => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = processZone;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('really runs in that process zone', () => {
    const januaryOffset = { UTC: 0, 'Pacific/Chatham': -825, 'America/New_York': 300 }[processZone];
    expect(new Date(at('2027-01-15T00:00:00Z')).getTimezoneOffset()).toBe(januaryOffset);
  });

  describe('America/New_York, spring forward 2027-03-14 (02:00 EST → 03:00 EDT at 07:00Z)', () => {
    const D = '2027-03-14';

    it('maps gap times to the transition instant, not luxon’s shifted time', () => {
      expect(iso(localTimeToInstant(D, '02:30', NY, 'start'))).toBe('2027-03-14T07:00:00.000Z');
      expect(iso(localTimeToInstant(D, '02:30', NY, 'end'))).toBe('2027-03-14T07:00:00.000Z');
      expect(iso(localTimeToInstant(D, '02:00', NY, 'start'))).toBe('2027-03-14T07:00:00.000Z');
      expect(iso(localTimeToInstant(D, '01:59', NY, 'end'))).toBe('2027-03-14T06:59:00.000Z');
      expect(iso(localTimeToInstant(D, '03:00', NY, 'start'))).toBe('2027-03-14T07:00:00.000Z');
    });

    it('a window across the gap is three real hours and offers no 02:xx time', () => {
      expect(zWindows(zoned(NY, D, '01:00', '05:00'))).toEqual([['2027-03-14T06:00:00.000Z', '2027-03-14T09:00:00.000Z']]);
      // 01:00, 01:30 EST then 03:00 … 04:30 EDT
      expect(zStarts(zoned(NY, D, '01:00', '05:00'))).toEqual([
        '2027-03-14T06:00:00.000Z',
        '2027-03-14T06:30:00.000Z',
        '2027-03-14T07:00:00.000Z',
        '2027-03-14T07:30:00.000Z',
        '2027-03-14T08:00:00.000Z',
        '2027-03-14T08:30:00.000Z',
      ]);
    });

    it('a window starting in the gap starts at 03:00 EDT', () => {
      expect(zWindows(zoned(NY, D, '02:30', '05:00'))).toEqual([['2027-03-14T07:00:00.000Z', '2027-03-14T09:00:00.000Z']]);
      expect(zStarts(zoned(NY, D, '02:30', '04:00'))).toEqual(['2027-03-14T07:00:00.000Z', '2027-03-14T07:30:00.000Z']);
    });

    it('a window ending in the gap ends at the transition', () => {
      const input = zoned(NY, D, '00:00', '02:30', { slotStepMinutes: 60, durationMinutes: 60 });
      expect(zWindows(input)).toEqual([['2027-03-14T05:00:00.000Z', '2027-03-14T07:00:00.000Z']]);
      expect(zStarts(input)).toEqual(['2027-03-14T05:00:00.000Z', '2027-03-14T06:00:00.000Z']);
    });

    it('rows meeting inside the gap merge into one window', () => {
      const input = zoned(NY, D, '00:00', '02:30', { schedule: [row(0, '00:00', '02:30'), row(0, '02:30', '05:00')] });
      expect(zWindows(input)).toEqual([['2027-03-14T05:00:00.000Z', '2027-03-14T09:00:00.000Z']]);
    });

    it('a window wholly inside the gap is empty', () => {
      expect(computeDaySlots(zoned(NY, D, '02:10', '02:50'))).toEqual({ windows: [], slots: [] });
    });

    it('an ordinary day a week later uses EDT (-04:00)', () => {
      expect(zWindows(zoned(NY, '2027-03-21', '09:00', '17:00'))).toEqual([['2027-03-21T13:00:00.000Z', '2027-03-21T21:00:00.000Z']]);
    });
  });

  describe('America/New_York, fall back 2027-11-07 (02:00 EDT → 01:00 EST at 06:00Z)', () => {
    const D = '2027-11-07';

    it('an ambiguous bound is the earlier instant as a start and the later as an end', () => {
      expect(iso(localTimeToInstant(D, '01:30', NY, 'start'))).toBe('2027-11-07T05:30:00.000Z');
      expect(iso(localTimeToInstant(D, '01:30', NY, 'end'))).toBe('2027-11-07T06:30:00.000Z');
      expect(iso(localTimeToInstant(D, '01:00', NY, 'start'))).toBe('2027-11-07T05:00:00.000Z');
      expect(iso(localTimeToInstant(D, '01:00', NY, 'end'))).toBe('2027-11-07T06:00:00.000Z');
      expect(iso(localTimeToInstant(D, '02:00', NY, 'start'))).toBe('2027-11-07T07:00:00.000Z');
      expect(iso(localTimeToInstant(D, '00:59', NY, 'end'))).toBe('2027-11-07T04:59:00.000Z');
    });

    it('a window across the repeated hour is four real hours; 01:00 and 01:30 are offered twice', () => {
      const input = zoned(NY, D, '00:00', '03:00');
      expect(zWindows(input)).toEqual([['2027-11-07T04:00:00.000Z', '2027-11-07T08:00:00.000Z']]);
      expect(zStarts(input)).toEqual([
        '2027-11-07T04:00:00.000Z', // 00:00 EDT
        '2027-11-07T04:30:00.000Z',
        '2027-11-07T05:00:00.000Z', // 01:00 EDT
        '2027-11-07T05:30:00.000Z', // 01:30 EDT
        '2027-11-07T06:00:00.000Z', // 01:00 EST
        '2027-11-07T06:30:00.000Z', // 01:30 EST
        '2027-11-07T07:00:00.000Z', // 02:00 EST
        '2027-11-07T07:30:00.000Z',
      ]);
    });

    it('windows starting and ending inside the repeated hour take the outer instants', () => {
      expect(zWindows(zoned(NY, D, '01:30', '03:00'))).toEqual([['2027-11-07T05:30:00.000Z', '2027-11-07T08:00:00.000Z']]);
      expect(zWindows(zoned(NY, D, '00:00', '01:30'))).toEqual([['2027-11-07T04:00:00.000Z', '2027-11-07T06:30:00.000Z']]);
      expect(zWindows(zoned(NY, D, '01:10', '01:50'))).toEqual([['2027-11-07T05:10:00.000Z', '2027-11-07T06:50:00.000Z']]);
    });

    it('rows meeting inside the repeated hour overlap as instants and merge', () => {
      const input = zoned(NY, D, '00:00', '01:30', { schedule: [row(0, '00:00', '01:30'), row(0, '01:30', '03:00')] });
      expect(zWindows(input)).toEqual([['2027-11-07T04:00:00.000Z', '2027-11-07T08:00:00.000Z']]);
    });

    it('an empty or inverted local range stays empty even inside the repeated hour', () => {
      expect(computeDaySlots(zoned(NY, D, '01:30', '01:30'))).toEqual({ windows: [], slots: [] });
      expect(computeDaySlots(zoned(NY, D, '01:50', '01:10'))).toEqual({ windows: [], slots: [] });
      const blockedNothing = zoned(NY, D, '00:00', '03:00', {
        overrides: [override('blocked', { startDate: D, endDate: D, start: '01:30', end: '01:30' })],
      });
      expect(zWindows(blockedNothing)).toEqual([['2027-11-07T04:00:00.000Z', '2027-11-07T08:00:00.000Z']]);
    });

    it('a block over the repeated hour removes both occurrences', () => {
      const input = zoned(NY, D, '00:00', '03:00', {
        overrides: [override('blocked', { startDate: D, endDate: D, start: '01:00', end: '02:00' })],
      });
      expect(zWindows(input)).toEqual([
        ['2027-11-07T04:00:00.000Z', '2027-11-07T05:00:00.000Z'],
        ['2027-11-07T07:00:00.000Z', '2027-11-07T08:00:00.000Z'],
      ]);
    });

    it('a booking at 01:00 EST leaves 01:00 EDT available', () => {
      const input = zoned(NY, D, '01:00', '02:00', {
        slotStepMinutes: 60,
        durationMinutes: 60,
        bookings: [{ startMs: at('2027-11-07T06:00:00Z'), endMs: at('2027-11-07T06:45:00Z') }],
      });
      expect(computeDaySlots(input).slots).toEqual([
        { startMs: at('2027-11-07T05:00:00Z'), endMs: at('2027-11-07T06:00:00Z'), status: 'available' },
        { startMs: at('2027-11-07T06:00:00Z'), endMs: at('2027-11-07T07:00:00Z'), status: 'booked' },
      ]);
    });
  });

  describe('Europe/London 2027-03-28 (01:00 GMT → 02:00 BST) and 2027-10-31 (02:00 BST → 01:00 GMT)', () => {
    it('spring: 01:30 is in the gap and becomes 01:00Z; 00:00–04:00 is three hours', () => {
      expect(iso(localTimeToInstant('2027-03-28', '01:30', LON, 'start'))).toBe('2027-03-28T01:00:00.000Z');
      const input = zoned(LON, '2027-03-28', '00:00', '04:00', { slotStepMinutes: 60, durationMinutes: 60 });
      expect(zWindows(input)).toEqual([['2027-03-28T00:00:00.000Z', '2027-03-28T03:00:00.000Z']]);
      expect(zStarts(input)).toEqual(['2027-03-28T00:00:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-28T02:00:00.000Z']);
    });

    it('spring: a window from inside the gap starts at 02:00 BST', () => {
      expect(zWindows(zoned(LON, '2027-03-28', '01:15', '03:00'))).toEqual([['2027-03-28T01:00:00.000Z', '2027-03-28T02:00:00.000Z']]);
    });

    it('autumn: 01:30 is 00:30Z as a start and 01:30Z as an end; 00:00–04:00 is five hours', () => {
      expect(iso(localTimeToInstant('2027-10-31', '01:30', LON, 'start'))).toBe('2027-10-31T00:30:00.000Z');
      expect(iso(localTimeToInstant('2027-10-31', '01:30', LON, 'end'))).toBe('2027-10-31T01:30:00.000Z');
      const input = zoned(LON, '2027-10-31', '00:00', '04:00', { slotStepMinutes: 60, durationMinutes: 60 });
      expect(zWindows(input)).toEqual([['2027-10-30T23:00:00.000Z', '2027-10-31T04:00:00.000Z']]);
      expect(zStarts(input)).toEqual([
        '2027-10-30T23:00:00.000Z',
        '2027-10-31T00:00:00.000Z', // 01:00 BST
        '2027-10-31T01:00:00.000Z', // 01:00 GMT
        '2027-10-31T02:00:00.000Z',
        '2027-10-31T03:00:00.000Z',
      ]);
    });

    it('autumn: a window ending inside the repeated hour ends at its second occurrence', () => {
      expect(zWindows(zoned(LON, '2027-10-31', '00:30', '01:45'))).toEqual([['2027-10-30T23:30:00.000Z', '2027-10-31T01:45:00.000Z']]);
    });
  });

  describe('Asia/Kathmandu (+05:45, no DST)', () => {
    it('maps local times by exactly 5 h 45 min, on DST days elsewhere too', () => {
      expect(iso(localTimeToInstant('2027-06-01', '10:00', KTM, 'start'))).toBe('2027-06-01T04:15:00.000Z');
      expect(iso(localTimeToInstant('2027-03-14', '00:00', KTM, 'start'))).toBe('2027-03-13T18:15:00.000Z');
      expect(iso(localTimeToInstant('2027-10-31', '24:00', KTM, 'end'))).toBe('2027-10-31T18:15:00.000Z');
    });

    it('a 10:00–12:00 window yields 04:15Z, 04:45Z, 05:15Z for an hour-long service', () => {
      const input = zoned(KTM, '2027-03-14', '10:00', '12:00', { durationMinutes: 60 });
      expect(zWindows(input)).toEqual([['2027-03-14T04:15:00.000Z', '2027-03-14T06:15:00.000Z']]);
      expect(zStarts(input)).toEqual(['2027-03-14T04:15:00.000Z', '2027-03-14T04:45:00.000Z', '2027-03-14T05:15:00.000Z']);
    });
  });

  describe('transitions at midnight and of half an hour', () => {
    it('America/Santiago skips 2027-09-05 00:00 (-04 → -03 at 04:00Z): midnight and "24:00" of the day before map to 04:00Z', () => {
      expect(iso(localTimeToInstant('2027-09-05', '00:00', 'America/Santiago', 'start'))).toBe('2027-09-05T04:00:00.000Z');
      expect(iso(localTimeToInstant('2027-09-04', '24:00', 'America/Santiago', 'end'))).toBe('2027-09-05T04:00:00.000Z');
    });

    it('America/Santiago repeats 23:00–24:00 on 2027-04-03 (-03 → -04 at 03:00Z)', () => {
      expect(iso(localTimeToInstant('2027-04-03', '23:30', 'America/Santiago', 'start'))).toBe('2027-04-04T02:30:00.000Z');
      expect(iso(localTimeToInstant('2027-04-03', '23:30', 'America/Santiago', 'end'))).toBe('2027-04-04T03:30:00.000Z');
    });

    it('Australia/Lord_Howe moves by 30 minutes (+10:30 ↔ +11)', () => {
      expect(iso(localTimeToInstant('2027-10-03', '02:15', 'Australia/Lord_Howe', 'start'))).toBe('2027-10-02T15:30:00.000Z');
      expect(iso(localTimeToInstant('2027-04-04', '01:45', 'Australia/Lord_Howe', 'start'))).toBe('2027-04-03T14:45:00.000Z');
      expect(iso(localTimeToInstant('2027-04-04', '01:45', 'Australia/Lord_Howe', 'end'))).toBe('2027-04-03T15:15:00.000Z');
    });
  });
});
