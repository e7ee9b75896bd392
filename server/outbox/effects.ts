// What an outbox event does to slot answers. The triggers (sql/) decide which stylist and local
// dates a write changes and record them on the event; this is the one reading of that record, used
// by the relay for every committed event and by the writers for their own (see ./own.ts). No other
// code works out which days a write touches.
import type { SlotsUpdateReason } from '../contract/socket.ts';

/** Why watchers are told, by event kind; null: slots are not affected (announcements). */
export const SLOT_REASON = {
  'booking.created': 'booking',
  'booking.updated': 'booking',
  'hold.created': 'hold',
  'hold.deleted': 'hold',
  'override.created': 'override',
  'override.deleted': 'override',
  'schedule.changed': 'schedule',
  'stylist.changed': 'schedule',
  'announcement.created': null,
  // An offer's hold records its own hold.created; the offer itself changes no slots.
  'waitlist.offered': null,
  // Joining or leaving the waitlist takes or frees no time (sql/000018): the desk's counts only.
  'waitlist.changed': null,
} as const satisfies Record<string, SlotsUpdateReason | null>;

export type EventKind = keyof typeof SLOT_REASON;
export const isEventKind = (k: string): k is EventKind => Object.hasOwn(SLOT_REASON, k);

/** What an event does to slot answers: which cache entries die, and why watchers are told. */
export interface SlotEffect {
  /** null: every stylist (a salon-wide override). */
  stylistId: string | null;
  /** null: every date. */
  dates: string[] | null;
  reason: SlotsUpdateReason;
}

/**
 * The slot effect of an event of `kind` naming (stylistId, dates), when its shape fits the kind: a
 * schedule or stylist change touches every date (dates null) of one stylist; an override names
 * dates and may be salon-wide (stylist null); bookings and holds name a stylist and dates. null: no
 * effect (announcements, an unknown kind, or a shape that does not fit).
 */
export function slotEffect(kind: string, stylistId: string | null, dates: string[] | null): SlotEffect | null {
  if (!isEventKind(kind)) return null;
  const reason = SLOT_REASON[kind];
  if (reason === null) return null;
  if (reason === 'schedule') return stylistId && dates === null ? { stylistId, dates: null, reason } : null;
  if (!dates) return null;
  if (reason === 'override') return { stylistId, dates, reason };
  return stylistId ? { stylistId, dates, reason } : null;
}

/** The cache operations an effect needs (a SlotService). */
export interface Invalidates {
  invalidate(stylistId: string, dates: readonly string[] | null): number;
  invalidateDates(dates: readonly string[]): number;
  invalidateAll(): number;
}

/** Drops the cache entries an effect names, and no others; returns how many were dropped. */
export function applyEffect(slots: Invalidates, effect: SlotEffect): number {
  if (effect.stylistId !== null) return slots.invalidate(effect.stylistId, effect.dates);
  return effect.dates === null ? slots.invalidateAll() : slots.invalidateDates(effect.dates);
}
