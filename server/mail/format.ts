// Writing for a person in a message: times in the salon's zone with the zone named (the repeated
// hour of a fall-back with its offset, as everywhere: server/contract/wall-clock.ts), and HTML
// escaping of every value put into a message's HTML part.
import { labelRepeated } from '../contract/wall-clock.ts';

const formats = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

function formatsOf(zone: string) {
  let f = formats.get(zone);
  if (!f) {
    if (formats.size > 100) formats.clear();
    f = {
      date: new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      time: new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
    formats.set(zone, f);
  }
  return f;
}

/** "Sunday, 7 November 2027, 10:00–11:00 (America/New_York time)": the start's date, the times, the zone. */
export function formatAppointment(startMs: number, endMs: number, zone: string): string {
  const f = formatsOf(zone);
  const start = labelRepeated(f.time.format(startMs), startMs, zone);
  const end = labelRepeated(f.time.format(endMs), endMs, zone);
  return `${f.date.format(startMs)}, ${start}\u2013${end} (${zone} time)`;
}

/** "Saturday, 6 November 2027, 11:00 (America/New_York time)". */
export function formatInstant(ms: number, zone: string): string {
  const f = formatsOf(zone);
  return `${f.date.format(ms)}, ${labelRepeated(f.time.format(ms), ms, zone)} (${zone} time)`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Only http(s) links are put in an href; anything else is shown as text, not linked. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}
