import { describe, expect, it } from 'vitest';
import { applyEffect, slotEffect, SLOT_REASON, type Invalidates } from '../../server/outbox/effects.ts';
import { notificationEffect, slotEffectOf } from '../../server/realtime/events.ts';

const S = '11111111-1111-4111-8111-111111111111';
const DATES = ['2027-03-13', '2027-03-14'];

/** Records what an effect asks of the cache. */
function recorder() {
  const calls: string[] = [];
  const slots: Invalidates = {
    invalidate: (stylistId, dates) => (calls.push(`stylist ${stylistId} ${dates?.join(',') ?? '*'}`), 1),
    invalidateDates: (dates) => (calls.push(`all ${dates.join(',')}`), 1),
    invalidateAll: () => (calls.push('all *'), 1),
  };
  return { calls, slots };
}

describe('slotEffect: the one reading of what an event changes', () => {
  it('bookings and holds name one stylist and the dates the trigger recorded', () => {
    for (const kind of ['booking.created', 'booking.updated', 'hold.created', 'hold.deleted']) {
      const reason = kind.startsWith('booking') ? 'booking' : 'hold';
      expect(slotEffect(kind, S, DATES)).toEqual({ stylistId: S, dates: DATES, reason });
      // A booking or hold always has a stylist and dates: another shape is not trusted.
      expect(slotEffect(kind, null, DATES)).toBeNull();
      expect(slotEffect(kind, S, null)).toBeNull();
    }
  });

  it('an override names its dates, for one stylist or (null) every stylist', () => {
    for (const kind of ['override.created', 'override.deleted']) {
      expect(slotEffect(kind, S, DATES)).toEqual({ stylistId: S, dates: DATES, reason: 'override' });
      expect(slotEffect(kind, null, DATES)).toEqual({ stylistId: null, dates: DATES, reason: 'override' });
      expect(slotEffect(kind, S, null)).toBeNull();
    }
  });

  it('a schedule or stylist change is every date of one stylist', () => {
    for (const kind of ['schedule.changed', 'stylist.changed']) {
      expect(slotEffect(kind, S, null)).toEqual({ stylistId: S, dates: null, reason: 'schedule' });
      expect(slotEffect(kind, S, DATES)).toBeNull();
      expect(slotEffect(kind, null, null)).toBeNull();
    }
  });

  it('announcements and unknown kinds change no slots', () => {
    expect(slotEffect('announcement.created', null, null)).toBeNull();
    expect(slotEffect('booking.exploded', S, DATES)).toBeNull();
    expect(slotEffect('__proto__', S, DATES)).toBeNull();
    expect(Object.keys(SLOT_REASON)).toHaveLength(11);
    expect(slotEffect('waitlist.offered', null, [])).toBeNull();
    // Who waits for a date names a stylist (or any) and the date, yet frees or takes no time.
    expect(slotEffect('waitlist.changed', S, DATES.slice(0, 1))).toBeNull();
    expect(notificationEffect({ id: 7, kind: 'waitlist.changed', stylistId: null, dates: DATES.slice(0, 1) })).toBeNull();
  });

  it('the relay reads rows and notifications through it', () => {
    const row = { id: 7, kind: 'override.created' as const, stylistId: null, dates: DATES, entityId: S, data: {}, ageMs: 0 };
    expect(slotEffectOf(row)).toEqual(slotEffect('override.created', null, DATES));
    expect(notificationEffect({ id: 7, kind: 'hold.deleted', stylistId: S, dates: DATES })).toEqual(slotEffect('hold.deleted', S, DATES));
    expect(notificationEffect({ id: 7, kind: 'schedule.changed', stylistId: S, dates: null })).toEqual(
      slotEffect('schedule.changed', S, null),
    );
    // No scope in the payload (a long range): wait for the row.
    expect(notificationEffect({ id: 7, kind: 'override.created' })).toBeNull();
  });
});

describe('applyEffect', () => {
  it('drops exactly the entries an effect names', () => {
    const r = recorder();
    applyEffect(r.slots, { stylistId: S, dates: DATES, reason: 'booking' });
    applyEffect(r.slots, { stylistId: S, dates: null, reason: 'schedule' });
    // A salon-wide override: its dates, for every stylist, and nothing else.
    applyEffect(r.slots, { stylistId: null, dates: DATES, reason: 'override' });
    applyEffect(r.slots, { stylistId: null, dates: null, reason: 'override' });
    expect(r.calls).toEqual([`stylist ${S} ${DATES.join(',')}`, `stylist ${S} *`, `all ${DATES.join(',')}`, 'all *']);
  });
});
