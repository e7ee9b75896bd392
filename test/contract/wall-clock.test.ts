// The shared rules for writing a time (server displays and the web app alike).
import { describe, expect, it } from 'vitest';
import {
  canonicalZone,
  formatOffset,
  isRepeatedWallTime,
  labelRepeated,
  mayRepeat,
  offsetMinutes,
  sameZone,
} from '../../server/contract/wall-clock.ts';

const at = (iso: string) => Date.parse(iso);
const NY = 'America/New_York';

describe('zone names', () => {
  it('gives one canonical name to aliases and case variants', () => {
    expect(canonicalZone('Asia/Katmandu')).toBe(canonicalZone('Asia/Kathmandu'));
    expect(canonicalZone('asia/kathmandu')).toBe(canonicalZone('Asia/Kathmandu'));
    expect(canonicalZone('US/Eastern')).toBe(canonicalZone(NY));
    expect(canonicalZone('Mars/Olympus')).toBeNull();
    expect(canonicalZone('+05:45')).toBeNull();
    expect(canonicalZone('')).toBeNull();
  });

  it('compares zones by what they mean', () => {
    expect(sameZone('Asia/Katmandu', 'Asia/Kathmandu')).toBe(true);
    expect(sameZone('Asia/Kolkata', 'Asia/Calcutta')).toBe(true);
    expect(sameZone('Asia/Kathmandu', 'Asia/Kolkata')).toBe(false);
    expect(sameZone('Mars/Olympus', 'Mars/Elysium')).toBe(false);
  });
});

describe('offsets', () => {
  it('reads the offset at an instant, in minutes', () => {
    expect(offsetMinutes(at('2027-01-15T12:00:00Z'), NY)).toBe(-300);
    expect(offsetMinutes(at('2027-07-15T12:00:00Z'), NY)).toBe(-240);
    expect(offsetMinutes(at('2027-07-15T12:00:00Z'), 'Asia/Kathmandu')).toBe(345);
    expect(offsetMinutes(at('2027-01-15T12:00:00Z'), 'Europe/London')).toBe(0);
  });

  it('writes an offset for reading', () => {
    expect(formatOffset(-240)).toBe('\u221204:00');
    expect(formatOffset(345)).toBe('+05:45');
    expect(formatOffset(0)).toBe('+00:00');
  });
});

describe('the repeated hour', () => {
  // New York, 2027-11-07: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:00–01:59 happens twice.
  it.each([
    ['2027-11-07T04:59:00Z', false], // 00:59 EDT
    ['2027-11-07T05:00:00Z', true], // 01:00 EDT
    ['2027-11-07T05:59:00Z', true], // 01:59 EDT
    ['2027-11-07T06:00:00Z', true], // 01:00 EST
    ['2027-11-07T06:59:00Z', true], // 01:59 EST
    ['2027-11-07T07:00:00Z', false], // 02:00 EST
    ['2027-03-14T06:30:00Z', false], // 01:30 EST on the spring-forward day
    ['2027-03-14T07:00:00Z', false], // 03:00 EDT, just after the gap
  ])('%s repeated: %s', (iso, repeated) => {
    expect(isRepeatedWallTime(at(iso), NY)).toBe(repeated);
  });

  it('labels the two occurrences with their offsets, and nothing else', () => {
    expect(labelRepeated('1:00 AM', at('2027-11-07T05:00:00Z'), NY)).toBe('1:00 AM \u221204:00');
    expect(labelRepeated('1:00 AM', at('2027-11-07T06:00:00Z'), NY)).toBe('1:00 AM \u221205:00');
    expect(labelRepeated('2:00 AM', at('2027-11-07T07:00:00Z'), NY)).toBe('2:00 AM');
    expect(labelRepeated('10:45 AM', at('2027-11-07T05:00:00Z'), 'Asia/Kathmandu')).toBe('10:45 AM');
  });

  it('finds a half-hour fall-back too (Lord Howe Island)', () => {
    // 2027-04-04 02:00 +11 becomes 01:30 +10:30 at 15:00Z: 01:30–01:59 happens twice.
    expect(isRepeatedWallTime(at('2027-04-03T14:45:00Z'), 'Australia/Lord_Howe')).toBe(true);
    expect(isRepeatedWallTime(at('2027-04-03T15:15:00Z'), 'Australia/Lord_Howe')).toBe(true);
    expect(isRepeatedWallTime(at('2027-04-03T14:15:00Z'), 'Australia/Lord_Howe')).toBe(false);
  });

  it('says when a range cannot hold one, so a day without a change costs three look-ups', () => {
    expect(mayRepeat(at('2027-06-01T00:00:00Z'), at('2027-06-01T23:00:00Z'), NY)).toBe(false);
    expect(mayRepeat(at('2027-11-07T04:00:00Z'), at('2027-11-07T09:00:00Z'), NY)).toBe(true);
    expect(mayRepeat(at('2027-11-07T04:00:00Z'), at('2027-11-07T09:00:00Z'), 'Asia/Kathmandu')).toBe(false);
  });
});
