// The words of each message, written once as blocks and rendered twice: a plain-text part and an
// HTML part (every value escaped). In the salon's name, times in the salon's zone with it named.
import { escapeHtml, formatAppointment, formatInstant, safeHref } from './format.ts';

/** Messages about one booking (the triggers of sql/000015 add them). */
export const BOOKING_MESSAGE_KINDS = ['confirmed', 'rescheduled', 'cancelled', 'flagged', 'reminder'] as const;
/** Every kind of message: the booking's, and a waitlist offer (server/mail/offer.ts). */
export const MESSAGE_KINDS = [...BOOKING_MESSAGE_KINDS, 'waitlist_offer'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type BookingMessageKind = (typeof BOOKING_MESSAGE_KINDS)[number];

export interface Appointment {
  startMs: number;
  endMs: number;
  stylistName: string;
}

export interface MessageFacts {
  kind: MessageKind;
  salonName: string;
  /** The salon's zone: every time is written in it. */
  zone: string;
  customerName: string;
  serviceName: string;
  appointment: Appointment;
  /** rescheduled: the time it had before. */
  previous?: Appointment;
  /** cancelled: who cancelled, and their reason if they gave one. */
  cancelledBy?: 'customer' | 'stylist' | 'salon';
  reason?: string | null;
  /** flagged: why, and the nearest free times of the service (any stylist). */
  attention?: { reason: 'closed' | 'hours' | 'blocked' };
  alternatives?: Appointment[];
  manageUrl: string | null;
  /** A calendar file goes with the message. */
  calendarAttached?: boolean;
  /** waitlist_offer: when the offer's hold ends, and where the customer books it (the web app). */
  offerExpiresAtMs?: number;
  offerUrl?: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

type Block = { p: string } | { list: string[] } | { link: { label: string; url: string } };

const when = (a: Appointment, zone: string) => formatAppointment(a.startMs, a.endMs, zone);

const ATTENTION: Record<'closed' | 'hours' | 'blocked', string> = {
  closed: 'the salon is closed that day',
  hours: 'the opening hours that day have changed and no longer include your appointment',
  blocked: 'your stylist is not available at that time',
};

const CANCELLED_BY: Record<'customer' | 'stylist' | 'salon', string> = {
  customer: 'You cancelled',
  stylist: 'Your stylist cancelled',
  salon: 'The salon cancelled',
};

function blocksOf(f: MessageFacts): { subject: string; blocks: Block[] } {
  const what = `${f.serviceName} with ${f.appointment.stylistName}`;
  const at = when(f.appointment, f.zone);
  const manage = (label: string): Block[] => (f.manageUrl ? [{ link: { label, url: f.manageUrl } }] : []);
  switch (f.kind) {
    case 'confirmed':
      return {
        subject: `Booking confirmed: ${what}, ${formatInstant(f.appointment.startMs, f.zone)}`,
        blocks: [
          { p: `Hello ${f.customerName},` },
          { p: `Your booking at ${f.salonName} is confirmed:` },
          { list: [what, at] },
          ...(f.calendarAttached ? [{ p: 'The calendar file attached adds it to your calendar.' }] : []),
          ...manage('See, reschedule or cancel your booking'),
        ],
      };
    case 'rescheduled':
      return {
        subject: `Booking moved: ${what}, ${formatInstant(f.appointment.startMs, f.zone)}`,
        blocks: [
          { p: `Hello ${f.customerName},` },
          { p: `Your booking at ${f.salonName} has moved. It is now:` },
          { list: [what, at] },
          ...(f.previous ? [{ p: `It was ${when(f.previous, f.zone)} with ${f.previous.stylistName}.` }] : []),
          ...manage('See, reschedule or cancel your booking'),
        ],
      };
    case 'cancelled':
      return {
        subject: `Booking cancelled: ${what}, ${formatInstant(f.appointment.startMs, f.zone)}`,
        blocks: [
          { p: `Hello ${f.customerName},` },
          { p: `${CANCELLED_BY[f.cancelledBy ?? 'customer']} your booking at ${f.salonName}:` },
          { list: [what, at] },
          ...(f.reason ? [{ p: `Reason given: ${f.reason}` }] : []),
          { p: 'You are welcome to book another time.' },
        ],
      };
    case 'flagged': {
      const alts = f.alternatives ?? [];
      return {
        subject: `Action needed: your booking on ${formatInstant(f.appointment.startMs, f.zone)}`,
        blocks: [
          { p: `Hello ${f.customerName},` },
          { p: `Your booking at ${f.salonName} needs your attention: ${ATTENTION[f.attention?.reason ?? 'closed']}.` },
          { list: [what, at] },
          ...(alts.length
            ? [{ p: 'The nearest free times for the same service:' }, { list: alts.map((a) => `${when(a, f.zone)} with ${a.stylistName}`) }]
            : [{ p: 'There are no free times nearby; please pick another day.' }]),
          ...manage('Reschedule or cancel your booking'),
        ],
      };
    }
    case 'reminder':
      return {
        subject: `Reminder: ${what} tomorrow, ${formatInstant(f.appointment.startMs, f.zone)}`,
        blocks: [
          { p: `Hello ${f.customerName},` },
          { p: `A reminder of your booking at ${f.salonName}:` },
          { list: [what, at] },
          ...manage('See, reschedule or cancel your booking'),
        ],
      };
    case 'waitlist_offer':
      return {
        subject: `A time opened up: ${what}, ${formatInstant(f.appointment.startMs, f.zone)}`,
        blocks: [
          { p: `Hello ${f.customerName},` },
          { p: `A time you were waiting for at ${f.salonName} is free, and it is held for you alone:` },
          { list: [what, at] },
          {
            p: `The offer is yours until ${formatInstant(f.offerExpiresAtMs ?? f.appointment.startMs, f.zone)}; after that it goes to the next person waiting.`,
          },
          ...(f.offerUrl ? [{ link: { label: 'Book it', url: f.offerUrl } }] : []),
        ],
      };
  }
}

function textOf(blocks: Block[], salonName: string): string {
  const parts = blocks.map((b) =>
    'p' in b ? b.p : 'list' in b ? b.list.map((l) => `  - ${l}`).join('\n') : `${b.link.label}: ${b.link.url}`,
  );
  return `${parts.join('\n\n')}\n\n${salonName}\n`;
}

function htmlOf(blocks: Block[], subject: string, salonName: string): string {
  const body = blocks
    .map((b) => {
      if ('p' in b) return `<p>${escapeHtml(b.p)}</p>`;
      if ('list' in b) return `<ul>${b.list.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
      const href = safeHref(b.link.url);
      return href
        ? `<p><a href="${escapeHtml(href)}">${escapeHtml(b.link.label)}</a></p>`
        : `<p>${escapeHtml(b.link.label)}: ${escapeHtml(b.link.url)}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328">
${body}
<p style="color: #59636e">${escapeHtml(salonName)}</p>
</body></html>
`;
}

/** The message's subject and its two parts. */
export function renderMessage(f: MessageFacts): RenderedMessage {
  const { subject, blocks } = blocksOf(f);
  return { subject, text: textOf(blocks, f.salonName), html: htmlOf(blocks, subject, f.salonName) };
}
