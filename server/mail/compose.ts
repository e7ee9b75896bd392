// A message job's message, from the booking as it is in the database now and the version the job
// names: who it goes to, its words (templates.ts) and its calendar file (MailExtras). Reminders and
// flags are checked against the booking now: a cancelled or moved booking's reminder, or a flag the
// salon has since lifted, composes nothing.
import type pg from 'pg';
import type { Actor } from '../actor.ts';
import { attentionOf } from '../bookings/attention.ts';
import { bookingAlternatives } from '../bookings/alternatives.ts';
import type { BookingStatus } from '../contract/enums.ts';
import type { Pool } from '../db/pool.ts';
import type { SlotService } from '../slots/service.ts';
import type { MailAttachment, MailExtras } from './extras.ts';
import { composeOfferMessage } from './offer.ts';
import type { MessagePayload } from './payload.ts';
import { renderMessage, type Appointment, type MessageFacts, type RenderedMessage } from './templates.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface ComposeDeps {
  pool: Pool;
  slots: SlotService;
  extras: MailExtras;
  /** The `salon_name` setting, read for every message (server/salon.ts). */
  salonName(): Promise<string>;
  salonZone(): Promise<string>;
  /** PUBLIC_URL: links into the web app (a waitlist offer's). */
  publicUrl?: string;
}

export interface ComposedMessage extends RenderedMessage {
  to: string;
  attachments: MailAttachment[];
}

interface BookingFacts {
  id: string;
  status: BookingStatus;
  start_at: Date;
  end_at: Date;
  cancel_reason: string | null;
  customer_id: string;
  email: string;
  customer_name: string;
  service_name: string;
  stylist_id: string;
  stylist_name: string;
}

async function loadBooking(db: Queryable, id: string): Promise<BookingFacts | undefined> {
  const { rows } = await db.query<BookingFacts>(
    `select b.id, b.status, b.start_at, b.end_at, b.cancel_reason, b.customer_id, u.email, u.display_name as customer_name,
            sv.name as service_name, b.stylist_id, s.display_name as stylist_name
       from bookings b join users u on u.id = b.customer_id join services sv on sv.id = b.service_id
       join stylists s on s.id = b.stylist_id
      where b.id = $1`,
    [id],
  );
  return rows[0];
}

async function stylistNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; display_name: string }>(
    'select id, display_name from stylists where id = any($1::uuid[])',
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** Who cancelled: the audit row of the cancelling transaction names a stylist or the front desk; none, the customer. */
async function cancelledBy(db: Queryable, bookingId: string, txAt: string | undefined): Promise<'customer' | 'stylist' | 'salon'> {
  if (!txAt) return 'customer';
  const { rows } = await db.query<{ role: string | null }>(
    `select details->>'role' as role from audit_log
      where target = $1 and action = 'booking.status' and at = $2::timestamptz and details->>'to' = 'cancelled'
      order by id desc limit 1`,
    [`booking:${bookingId}`, txAt],
  );
  const role = rows[0]?.role;
  return role === 'stylist' ? 'stylist' : role === 'desk' || role === 'admin' || role === 'reception' ? 'salon' : 'customer';
}

const stillActive = (b: BookingFacts, nowMs: number) =>
  (b.status === 'pending' || b.status === 'confirmed') && b.start_at.getTime() > nowMs;

/**
 * The message of this job, or why there is none (the booking is gone; a reminder whose booking was
 * cancelled or moved; a flag lifted). `nowMs` is the database's clock (the job queue's).
 */
export async function composeMessage(
  deps: ComposeDeps,
  p: MessagePayload,
  nowMs: number,
): Promise<{ message: ComposedMessage } | { skip: string }> {
  if (p.kind === 'waitlist_offer') return composeOfferMessage(deps, p, nowMs);
  const db = deps.pool;
  const b = await loadBooking(db, p.bookingId);
  if (!b) return { skip: 'the booking no longer exists' };
  if (p.kind === 'reminder') {
    if (!stillActive(b, nowMs)) return { skip: `the booking is ${b.status}` };
    if (p.startAt && Date.parse(p.startAt) !== b.start_at.getTime()) return { skip: 'the booking has moved since' };
  }
  if (p.kind === 'flagged') {
    if (!stillActive(b, nowMs)) return { skip: `the booking is ${b.status}` };
    const att = await attentionOf(db, [
      { id: b.id, stylistId: b.stylist_id, startMs: b.start_at.getTime(), endMs: b.end_at.getTime(), status: b.status },
    ]);
    if (!att.has(b.id)) return { skip: 'the booking no longer needs attention' };
  }
  const durationMs = b.end_at.getTime() - b.start_at.getTime();
  const names = await stylistNames(
    db,
    [p.stylistId, p.previousStylistId].filter((x): x is string => x !== undefined),
  );
  const at = (startIso: string | undefined, stylistId: string | undefined): Appointment => {
    const startMs = startIso ? Date.parse(startIso) : b.start_at.getTime();
    return { startMs, endMs: startMs + durationMs, stylistName: (stylistId && names.get(stylistId)) || b.stylist_name };
  };
  const facts: MessageFacts = {
    kind: p.kind,
    salonName: await deps.salonName(),
    zone: await deps.salonZone(),
    customerName: b.customer_name,
    serviceName: b.service_name,
    appointment: at(p.startAt, p.stylistId),
    manageUrl: p.kind === 'cancelled' ? null : await deps.extras.manageUrl(b.id),
  };
  if (p.kind === 'rescheduled' && p.previousStartAt) facts.previous = at(p.previousStartAt, p.previousStylistId);
  if (p.kind === 'cancelled') {
    facts.cancelledBy = await cancelledBy(db, b.id, p.txAt);
    facts.reason = b.cancel_reason;
  }
  if (p.kind === 'flagged') {
    facts.attention = { reason: p.attention?.reason ?? 'closed' };
    facts.alternatives = await alternativesFor(deps, b);
  }
  const attachments: MailAttachment[] = [];
  if (p.kind === 'confirmed' || p.kind === 'rescheduled' || p.kind === 'cancelled') {
    const ics = await deps.extras.ics(b.id);
    if (ics)
      attachments.push({ filename: ics.filename, contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: ics.content });
  }
  facts.calendarAttached = attachments.length > 0;
  return { message: { ...renderMessage(facts), to: b.email, attachments } };
}

/** The nearest free times of the booking's service, as the customer would be offered them; none when it cannot move. */
async function alternativesFor(deps: ComposeDeps, b: BookingFacts): Promise<Appointment[]> {
  const customer: Actor = { id: b.customer_id, email: b.email, displayName: b.customer_name, role: 'customer' };
  try {
    const found = await bookingAlternatives({ pool: deps.pool, slots: deps.slots }, customer, b.id);
    const names = await stylistNames(
      deps.pool,
      found.alternatives.map((a) => a.stylistId),
    );
    return found.alternatives.map((a) => ({
      startMs: Date.parse(a.startUtc),
      endMs: Date.parse(a.endUtc),
      stylistName: names.get(a.stylistId) ?? 'a stylist',
    }));
  } catch {
    return [];
  }
}
