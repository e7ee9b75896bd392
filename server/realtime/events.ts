// Outbox events as the relay sees them: rows of `events` (sql/000002_events.sql) validated into a
// discriminated union, and what each kind means for the cache and the watchers.
import { z } from 'zod';
// Outbox dates are written by the server's own triggers: a calendar date of any year (an old row
// may predate the API's date window), never refused here.
import { calendarDate as localDate, uuid } from '../contract/common.ts';
import type { SlotsUpdateReason } from '../contract/socket.ts';
import type pg from 'pg';

/**
 * The NOTIFY payload on `kb_events`: a nudge carrying the committed event's id and kind and, since
 * sql/000004, the stylist and dates it touches (absent for long date ranges).
 */
export const notificationPayload = z.object({
  id: z.number().int().positive(),
  kind: z.string(),
  stylistId: uuid.nullable().optional(),
  dates: z.array(localDate).max(31).nullable().optional(),
});
export type Notification = z.infer<typeof notificationPayload>;
export const NOTIFY_CHANNEL = 'kb_events';

const common = {
  id: z.number().int().positive(),
  entityId: uuid.nullable(),
  data: z.record(z.string(), z.unknown()),
  /** Milliseconds from the commit to the moment the row was read, by the database's clock. */
  ageMs: z.number(),
};

const bookingEvent = z.object({ ...common, kind: z.enum(['booking.created', 'booking.updated']), stylistId: uuid, dates: z.array(localDate), entityId: uuid });
const holdEvent = z.object({ ...common, kind: z.enum(['hold.created', 'hold.deleted']), stylistId: uuid, dates: z.array(localDate), entityId: uuid });
const overrideEvent = z.object({ ...common, kind: z.enum(['override.created', 'override.deleted']), stylistId: uuid.nullable(), dates: z.array(localDate), entityId: uuid });
const stylistEvent = z.object({ ...common, kind: z.enum(['schedule.changed', 'stylist.changed']), stylistId: uuid, dates: z.null() });
const announcementEvent = z.object({ ...common, kind: z.literal('announcement.created'), stylistId: z.null(), dates: z.null(), entityId: uuid });

export const relayEvent = z.discriminatedUnion('kind', [bookingEvent, holdEvent, overrideEvent, stylistEvent, announcementEvent]);
export type RelayEvent = z.infer<typeof relayEvent>;
export type BookingEvent = z.infer<typeof bookingEvent>;
export type OverrideEvent = z.infer<typeof overrideEvent>;
export type AnnouncementEvent = z.infer<typeof announcementEvent>;

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

/** What an event does to slot answers: which cache entries die, and why watchers are told. */
export interface SlotEffect {
  /** null: every stylist (a salon-wide override). */
  stylistId: string | null;
  /** null: every date. */
  dates: string[] | null;
  reason: SlotsUpdateReason;
}

/** What each kind of event means for slot answers; null: nothing (announcements). */
const REASON: Record<RelayEvent['kind'], SlotsUpdateReason | null> = {
  'booking.created': 'booking',
  'booking.updated': 'booking',
  'hold.created': 'hold',
  'hold.deleted': 'hold',
  'override.created': 'override',
  'override.deleted': 'override',
  'schedule.changed': 'schedule',
  'stylist.changed': 'schedule',
  'announcement.created': null,
};
const isKind = (k: string): k is RelayEvent['kind'] => Object.hasOwn(REASON, k);

/**
 * The scope a (stylist, dates) pair names for an event of this reason, when its shape fits: a
 * schedule change touches every date (dates null) of one stylist; an override may be salon-wide
 * (stylist null); bookings and holds name a stylist and dates.
 */
function effect(reason: SlotsUpdateReason, stylistId: string | null, dates: string[] | null): SlotEffect | null {
  if (reason === 'schedule') return stylistId && dates === null ? { stylistId, dates: null, reason } : null;
  if (!dates) return null;
  if (reason === 'override') return { stylistId, dates, reason };
  return stylistId ? { stylistId, dates, reason } : null;
}

export function slotEffectOf(ev: RelayEvent): SlotEffect | null {
  const reason = REASON[ev.kind];
  return reason && effect(reason, ev.stylistId, ev.dates);
}

/**
 * The slot effect named by a notification, when it names one: lets the relay invalidate and
 * refresh watchers before reading the event row. null: wait for the row (no scope in the payload,
 * an unknown kind, or a shape that does not match the kind).
 */
export function notificationEffect(n: Notification): SlotEffect | null {
  if (n.stylistId === undefined || n.dates === undefined || !isKind(n.kind)) return null;
  const reason = REASON[n.kind];
  return reason && effect(reason, n.stylistId, n.dates);
}

export interface RawEventRow {
  id: number;
  kind: string;
  stylist_id: string | null;
  dates: string[] | null;
  entity_id: string | null;
  data: Record<string, unknown>;
  age_ms: number;
}

// `dates::text[]`: keep local dates as strings (a date[] would go through the client's parsers).
const EVENTS_SQL = `
  select id, kind, stylist_id, dates::text[] as dates, entity_id, data,
         (extract(epoch from clock_timestamp() - committed_at) * 1000)::float8 as age_ms
    from events
   where id > $1 and id <= $2
   order by id
   limit $3`;

/** Committed events with after < id <= through, in commit order (ids are assigned at commit). */
export async function readEvents(db: Pick<pg.ClientBase, 'query'>, after: number, through: number, limit: number): Promise<RawEventRow[]> {
  const { rows } = await db.query<RawEventRow>(EVENTS_SQL, [after, through, limit]);
  return rows;
}

export const MAX_EVENT_ID = Number.MAX_SAFE_INTEGER;

export function parseEventRow(row: RawEventRow): { ok: true; event: RelayEvent } | { ok: false; error: string } {
  const r = relayEvent.safeParse({
    id: row.id,
    kind: row.kind,
    stylistId: row.stylist_id,
    dates: row.dates,
    entityId: row.entity_id,
    data: row.data ?? {},
    ageMs: row.age_ms ?? 0,
  });
  return r.success ? { ok: true, event: r.data } : { ok: false, error: r.error.message };
}
