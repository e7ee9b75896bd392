// Which local dates of a stylist in another zone make up a salon-local day ("any stylist" unions).
import { describe, expect, it } from 'vitest';
import { coveringDates } from '../../server/slots/any.ts';

describe('coveringDates', () => {
  it('is the date itself when the zones agree', () => {
    expect(coveringDates('2027-03-10', 'Asia/Kathmandu', 'Asia/Kathmandu')).toEqual(['2027-03-10']);
  });

  it('is two dates for a zone behind or ahead of the salon', () => {
    // Kathmandu 2027-03-10 00:00–24:00 is 2027-03-09 13:15 → 2027-03-10 13:15 in New York.
    expect(coveringDates('2027-03-10', 'Asia/Kathmandu', 'America/New_York')).toEqual(['2027-03-09', '2027-03-10']);
    // … and 2027-03-10 05:15 → 2027-03-11 05:15 in Auckland.
    expect(coveringDates('2027-03-10', 'Asia/Kathmandu', 'Pacific/Auckland')).toEqual(['2027-03-10', '2027-03-11']);
  });

  it('stays within three dates across a DST change', () => {
    // New York falls back on 2027-11-07 (a 25-hour day); London is an hour off New York's midnight then.
    const d = coveringDates('2027-11-07', 'America/New_York', 'Europe/London');
    expect(d).toEqual(['2027-11-07', '2027-11-08']);
    expect(coveringDates('2027-11-07', 'America/New_York', 'Pacific/Kiritimati').length).toBeLessThanOrEqual(3);
  });
});
