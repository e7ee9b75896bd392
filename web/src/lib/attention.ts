// Words for a booking that needs attention (an override put it outside the working hours).
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
  }
}
