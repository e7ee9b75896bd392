// Outbox events as the relay sees them: rows of `events` (sql/000002_events.sql) validated into a
// discriminated union; what each kind means for the cache and the watchers is server/outbox/effects.ts.
import { z } from 'zod';
// Outbox dates are written by the server's own triggers: a calendar date of any year (an old row
// may predate the API's date window), never refused here.
import { calendarDate as localDate, uuid } from '../contract/common.ts';
import { slotEffect, type EventKind, type SlotEffect } from '../outbox/effects.ts';
import type pg from 'pg';
import type { ReplayScope } from './rooms.ts';

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

const bookingEvent = z.object({
  ...common,
  kind: z.enum(['booking.created', 'booking.updated']),
  stylistId: uuid,
  dates: z.array(localDate),
  entityId: uuid,
});
const holdEvent = z.object({
  ...common,
  kind: z.enum(['hold.created', 'hold.deleted']),
  stylistId: uuid,
  dates: z.array(localDate),
  entityId: uuid,
});
const overrideEvent = z.object({
  ...common,
  kind: z.enum(['override.created', 'override.deleted']),
  stylistId: uuid.nullable(),
  dates: z.array(localDate),
  entityId: uuid,
});
const stylistEvent = z.object({ ...common, kind: z.enum(['schedule.changed', 'stylist.changed']), stylistId: uuid, dates: z.null() });
const announcementEvent = z.object({
  ...common,
  kind: z.literal('announcement.created'),
  stylistId: z.null(),
  dates: z.null(),
  entityId: uuid,
});

/** A waitlist offer (sql/000017): its data carries the whole offer, for the waiter's sockets. */
const waitlistEvent = z.object({
  ...common,
  kind: z.literal('waitlist.offered'),
  stylistId: z.null(),
  dates: z.array(localDate).max(0),
  entityId: uuid,
});

/**
 * Who waits for a date changed (sql/000018): an entry joined, left, was fulfilled, moved or deleted.
 * Names the stylist waited for (null: any stylist) and the entry's date; tells the desk only.
 */
const waitlistChangedEvent = z.object({
  ...common,
  kind: z.literal('waitlist.changed'),
  stylistId: uuid.nullable(),
  dates: z.array(localDate).length(1),
  entityId: uuid,
});

export const relayEvent = z.discriminatedUnion('kind', [
  bookingEvent,
  holdEvent,
  overrideEvent,
  stylistEvent,
  announcementEvent,
  waitlistEvent,
  waitlistChangedEvent,
]);
export type RelayEvent = z.infer<typeof relayEvent>;
export type BookingEvent = z.infer<typeof bookingEvent>;
export type OverrideEvent = z.infer<typeof overrideEvent>;
export type AnnouncementEvent = z.infer<typeof announcementEvent>;
export type WaitlistEvent = z.infer<typeof waitlistEvent>;
// Every kind the relay parses has a slot rule, and every rule a kind (checked by the compiler).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kindsMatch: Same<RelayEvent['kind'], EventKind> = true;
void kindsMatch;

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

// What each kind means for slot answers is decided in one place, shared with the writers.
export type { SlotEffect } from '../outbox/effects.ts';

/** The slot effect of a committed event row. */
export function slotEffectOf(ev: RelayEvent): SlotEffect | null {
  return slotEffect(ev.kind, ev.stylistId, ev.dates);
}

/**
 * The slot effect named by a notification, when it names one: lets the relay invalidate and
 * refresh watchers before reading the event row. null: wait for the row (no scope in the payload,
 * an unknown kind, or a shape that does not match the kind).
 */
export function notificationEffect(n: Notification): SlotEffect | null {
  if (n.stylistId === undefined || n.dates === undefined) return null;
  return slotEffect(n.kind, n.stylistId, n.dates);
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

const EVENT_COLUMNS = `id, kind, stylist_id, dates::text[] as dates, entity_id, data,
  (extract(epoch from clock_timestamp() - committed_at) * 1000)::float8 as age_ms`;

/**
 * Committed events with after < id <= through that a socket of `scope` may receive, in id order:
 * one arm per kind it may see, each an index range scan (sql/000008 and sql/000011 indexes), so a
 * socket that may see only announcements reads only those rows.
 */
export async function readReplayEvents(
  db: Pick<pg.ClientBase, 'query'>,
  scope: ReplayScope,
  after: number,
  through: number,
  limit: number,
): Promise<RawEventRow[]> {
  const params: unknown[] = [after, through, limit];
  const arm = (where: string) => `(select ${EVENT_COLUMNS} from events where ${where} and id > $1 and id <= $2 order by id limit $3)`;
  const arms: string[] = [];
  if (scope.audiences.length) {
    params.push(scope.audiences);
    arms.push(arm(`kind = 'announcement.created' and data->>'audience' = any($${params.length}::text[])`));
  }
  // The desk's calendar messages come from every kind but announcements (sql/000013 for holds and schedules).
  if (scope.overrides || scope.desk) arms.push(arm(`kind in ('override.created', 'override.deleted')`));
  if (scope.desk) arms.push(arm(`kind in ('hold.created', 'hold.deleted', 'schedule.changed', 'stylist.changed')`));
  // sql/000018: who waits for a date (the desk's waitlist counts).
  if (scope.desk) arms.push(arm(`kind = 'waitlist.changed'`));
  if (scope.bookings === 'all' || scope.desk) {
    arms.push(arm(`kind in ('booking.created', 'booking.updated')`));
  } else if (scope.bookings.length) {
    params.push(scope.bookings);
    arms.push(arm(`kind in ('booking.created', 'booking.updated') and stylist_id = any($${params.length}::uuid[])`));
  }
  if (scope.customer !== null) {
    // sql/000011: a customer's own booking events.
    params.push(scope.customer);
    arms.push(arm(`kind in ('booking.created', 'booking.updated') and customer_id is not null and customer_id = $${params.length}::uuid`));
  }
  if (arms.length === 0) return [];
  const { rows } = await db.query<RawEventRow>(`select * from (${arms.join(' union all ')}) e order by id limit $3`, params);
  return rows;
}

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
