// The contract's closed lists, each declared once: the zod schemas, the SQL the server writes and
// the web app all read these. No imports, so the web app may import the values themselves.
// sql/000001 states the same lists in its check constraints; test/contract/enums.test.ts holds the
// two together.

export const ROLES = ['customer', 'stylist', 'reception', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The front desk: reception staff and admins (who may do everything reception can; docs/domain.md §9). */
export const DESK_ROLES = ['reception', 'admin'] as const satisfies readonly Role[];
/** Whether `role` works the front desk (any stylist's bookings, the desk calendar). */
export function isDesk(role: Role): boolean {
  return role === 'reception' || role === 'admin';
}

export const BOOKING_STATUSES = ['pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Statuses that occupy the stylist's time (the exclusion constraint's predicate). */
export const ACTIVE_STATUSES = ['pending', 'confirmed', 'in_progress'] as const satisfies readonly BookingStatus[];

const active: ReadonlySet<string> = new Set(ACTIVE_STATUSES);
/** Whether a booking in status `s` occupies the stylist's time. */
export function isActiveStatus(s: BookingStatus): boolean {
  return active.has(s);
}
