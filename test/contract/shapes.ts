// Valid bodies for the routes whose schemas have cross-field rules a JSON Schema does not carry
// (either a hold or a stylist, service and start; an override's scope, kind and date range): built
// by hand from the same field arbitraries, so valid requests of these routes reach the domain too.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { instant, localDate, text, uuidOf, wallTime, type FieldContext } from './arbitraries.ts';

export function shapedBodies(ctx: FieldContext): Record<string, fc.Arbitrary<unknown>> {
  const s = ctx.seeded;
  const real = ctx.realOnly ?? false;
  const notes = fc.option(text(0, 2000, real), { nil: undefined });
  const booking = fc.oneof(
    fc.record({ holdId: uuidOf(s.holdIds, real), notes }, { requiredKeys: ['holdId'] }),
    fc.record(
      { stylistId: uuidOf(s.stylistIds, real), serviceId: uuidOf(s.serviceIds, real), startUtc: instant(s, real), notes },
      { requiredKeys: ['stylistId', 'serviceId', 'startUtc'] },
    ),
  );
  const hours = fc.tuple(wallTime, wallTime).filter(([a, b]) => a < b);
  const override = fc
    .record({
      stylist: fc.option(uuidOf(s.stylistIds, real), { nil: undefined }),
      startDate: localDate(s, ctx.boundaryDates, real),
      days: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom('closed', 'hours', 'blocked'),
      hours,
      priority: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }),
      reason: text(1, 500, real),
    })
    .map((o) => {
      const end = DateTime.fromISO(o.startDate, { zone: 'UTC' }).plus({ days: o.days }).toISODate();
      return {
        scope: o.stylist ? 'stylist' : 'salon',
        ...(o.stylist ? { stylistId: o.stylist } : {}),
        startDate: o.startDate,
        // Past the last four-digit year Luxon writes +010000-…, which the schema refuses: keep the day.
        endDate: end && /^\d{4}-/.test(end) ? end : o.startDate,
        kind: o.kind,
        ...(o.kind === 'closed' ? {} : { start: o.hours[0], end: o.hours[1] }),
        ...(o.priority === undefined ? {} : { priority: o.priority }),
        reason: o.reason,
      };
    });
  // Exactly one of an existing customer and a walk-in; `forceReason` only with `force`.
  const deskBooking = fc
    .record({
      who: fc.oneof(
        uuidOf(s.customerIds, real).map((customerId) => ({ customerId })),
        fc
          .record(
            {
              name: text(1, 120, real),
              phone: fc.constantFrom('+977 9841-000111', '01 234 567'),
              email: fc.constantFrom('walk-in@example.test'),
            },
            { requiredKeys: ['name'] },
          )
          .map((walkIn) => ({ walkIn })),
      ),
      stylistId: uuidOf(s.stylistIds, real),
      serviceId: uuidOf(s.serviceIds, real),
      startUtc: instant(s, real),
      notes,
      force: fc.option(text(5, 500, real), { nil: undefined }),
    })
    .map(({ who, force, ...rest }) => ({ ...who, ...rest, ...(force === undefined ? {} : { force: true, forceReason: force }) }));
  return {
    'POST /api/desk/bookings': deskBooking,
    'POST /api/bookings': booking,
    'POST /api/admin/overrides': override,
    'POST /api/admin/overrides/preview': override,
  };
}
