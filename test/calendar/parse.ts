// Parses .ics text with a real RFC 5545 parser (ical.js) into what the tests compare.
import ICAL from 'ical.js';

export interface ParsedEvent {
  uid: string;
  sequence: number;
  status: string | null;
  summary: string;
  location: string | null;
  description: string | null;
  startUtc: string;
  endUtc: string;
  /** The zone of DTSTART: 'Z' for UTC, else its TZID. */
  startZone: string;
}

export interface ParsedCalendar {
  method: string | null;
  name: string | null;
  events: ParsedEvent[];
  /** TZIDs of the VTIMEZONE components the file carries. */
  timezones: string[];
}

export function parseIcs(text: string): ParsedCalendar {
  const cal = new ICAL.Component(ICAL.parse(text));
  if (cal.name !== 'vcalendar') throw new Error(`not a VCALENDAR: ${cal.name}`);
  const timezones = cal.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid')));
  const events = cal.getAllSubcomponents('vevent').map((v): ParsedEvent => {
    const ev = new ICAL.Event(v);
    const start = ev.startDate;
    const zone =
      start.zone?.tzid === 'UTC' ? 'Z' : ((v.getFirstProperty('dtstart')?.getParameter('tzid') as string | undefined) ?? 'floating');
    if (zone === 'floating') throw new Error(`DTSTART of ${ev.uid} is a floating time`);
    return {
      uid: ev.uid,
      sequence: ev.sequence,
      status: (v.getFirstPropertyValue('status') as string | null) ?? null,
      summary: ev.summary,
      location: ev.location ?? null,
      description: ev.description ?? null,
      startUtc: start.toJSDate().toISOString(),
      endUtc: ev.endDate.toJSDate().toISOString(),
      startZone: zone,
    };
  });
  return {
    method: (cal.getFirstPropertyValue('method') as string | null) ?? null,
    name: (cal.getFirstPropertyValue('x-wr-calname') as string | null) ?? null,
    events,
    timezones,
  };
}
