// What messages take from elsewhere: a booking's calendar file and its manage link. Injected, so
// mail depends on neither the calendar nor the manage-link code; server/main.ts passes the real
// ones, tests a double.
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

export interface MailExtras {
  /** The booking's calendar file (text/calendar), or null when there is none. */
  ics(bookingId: string): Promise<{ filename: string; content: string } | null>;
  /** The link that lets the customer see, cancel or reschedule the booking, or null when there is none. */
  manageUrl(bookingId: string): Promise<string | null>;
}

/** No calendar file, no manage link: messages are sent without them. */
export const noExtras: MailExtras = {
  ics: () => Promise.resolve(null),
  manageUrl: () => Promise.resolve(null),
};
