// Words for a booking that needs attention (an override put it outside the working hours, or its
// stylist was deactivated).
import type { BookingAttention } from './types.ts';

/** What happened to the time, for the customer. */
export function attentionTitle(a: BookingAttention): string {
  switch (a.reason) {
    case 'closed':
      return 'The salon is closed at this time';
    case 'hours':
      return 'The salon changed its hours on this day';
    case 'blocked':
      return 'The salon blocked this time';
    case 'inactive':
      return 'Your stylist is no longer taking appointments';
  }
}

/** A short mark for staff lists and the timeline. */
export function attentionBadge(a: BookingAttention): string {
  switch (a.reason) {
    case 'closed':
      return 'Closed: contact customer';
    case 'hours':
      return 'Outside hours: contact customer';
    case 'blocked':
      return 'Blocked: contact customer';
    case 'inactive':
      return 'Stylist inactive: contact customer';
  }
}

/** What the customer can do about it, under the title. */
export function attentionAdvice(a: BookingAttention): string {
  return a.reason === 'inactive'
    ? 'Your appointment is not cancelled. Move it to one of the nearest free times with another stylist in one tap, or cancel it.'
    : 'Your appointment is not cancelled. Move it to one of the nearest free times in one tap, or cancel it.';
}
