import type pg from 'pg';
import { ACTIVE_STATUSES_SQL } from '../bookings/status.ts';
import type { DayInput, OverrideRow, ScheduleWindowRow, Interval } from './engine.ts';
import type { DayKey } from './cache.ts';

export interface StylistDaySettings {
  timezone: string;
  slotStepMinutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
  durationMinutes: number;
  priceCents: number;
}

export interface LoadedDay {
  settings: StylistDaySettings;
  input: DayInput;
  /** Max event id that changed this stylist's slots on this date (0 before any). */
  version: number;
  /** Earliest expiry among the holds in the input, epoch ms, or Infinity. */
  earliestHoldExpiryMs: number;
  /** The database's clock when the rows were read. */
  dbNowMs: number;
}

/**
 * The columns of one stylist's day that the engine reads (schedule, overrides, bookings, holds, the
 * availability version), for the day query and the batched one alike: `stylist` and `day` are SQL
 * expressions, `rel` the relation holding that day's `day_start` and `day_end` instants. Bookings are
 * found through the (stylist_id, start_at) index: an appointment is at most 16 h (12 h service plus
 * 4 h buffer), so one that touches the day starts no earlier than 17 h before it.
 */
function dayColumns(stylist: string, day: string, rel: string): string {
  return `
  (select coalesce(json_agg(json_build_object(
      'dayOfWeek', w.day_of_week, 'start', to_char(w.start_time, 'HH24:MI'), 'end', to_char(w.end_time, 'HH24:MI'),
      'effectiveFrom', w.effective_from, 'effectiveUntil', w.effective_until)), '[]')
     from schedule_windows w
    where w.stylist_id = ${stylist} and w.day_of_week = extract(dow from ${day})
      and w.effective_from <= ${day} and (w.effective_until is null or w.effective_until >= ${day})) as schedule,
  (select coalesce(json_agg(json_build_object(
      'id', o.id, 'kind', o.kind, 'startDate', o.start_date, 'endDate', o.end_date,
      'start', to_char(o.start_time, 'HH24:MI'), 'end', to_char(o.end_time, 'HH24:MI'),
      'priority', o.priority, 'createdAtMs', (extract(epoch from o.created_at) * 1000)::float8)), '[]')
     from overrides o
    where (o.stylist_id = ${stylist} or o.stylist_id is null) and ${day} between o.start_date and o.end_date) as overrides,
  (select coalesce(json_agg(json_build_array(
      (extract(epoch from b.start_at) * 1000)::float8, (extract(epoch from b.occupied_until) * 1000)::float8)), '[]')
     from bookings b
    where b.stylist_id = ${stylist} and b.status in (${ACTIVE_STATUSES_SQL})
      and b.start_at > ${rel}.day_start - interval '17 hours' and b.start_at < ${rel}.day_end + interval '1 day'
      and b.occupied_until > ${rel}.day_start) as bookings,
  (select coalesce(json_agg(json_build_array(
      (extract(epoch from h.start_at) * 1000)::float8, (extract(epoch from h.occupied_until) * 1000)::float8,
      (extract(epoch from h.expires_at) * 1000)::float8)), '[]')
     from holds h
    where h.stylist_id = ${stylist} and h.expires_at > clock_timestamp()
      and h.start_at > ${rel}.day_start - interval '17 hours' and h.start_at < ${rel}.day_end + interval '1 day'
      and h.occupied_until > ${rel}.day_start) as holds,
  (select coalesce(max(v.version), 0) from availability_versions v
    where v.stylist_id in (${stylist}, '00000000-0000-0000-0000-000000000000'::uuid)
      and v.day in (${day}, '-infinity'::date)) as version`;
}

// Everything the engine needs for one (stylist, service, date), in one round trip.
const DAY_SQL = `
with st as (
  select s.timezone, s.slot_step_minutes, s.buffer_minutes, s.min_notice_minutes, s.horizon_days,
         coalesce(ss.duration_minutes, sv.duration_minutes) as duration_minutes,
         coalesce(ss.price_cents, sv.price_cents) as price_cents,
         ($3::date::timestamp at time zone s.timezone) as day_start,
         (($3::date + 1)::timestamp at time zone s.timezone) as day_end
  from stylists s
  join stylist_services ss on ss.stylist_id = s.id and ss.service_id = $2
  join services sv on sv.id = ss.service_id
  where s.id = $1 and s.active and sv.active
)
select st.timezone, st.slot_step_minutes, st.buffer_minutes, st.min_notice_minutes, st.horizon_days,
  st.duration_minutes, st.price_cents,
  (extract(epoch from clock_timestamp()) * 1000)::float8 as db_now_ms,
${dayColumns('$1', '$3::date', 'st')}
from st`;

type Queryable = Pick<pg.ClientBase, 'query'>;

/** DAY_SQL's one row; the json_agg columns arrive parsed. */
interface DayRow {
  timezone: string;
  slot_step_minutes: number;
  buffer_minutes: number;
  min_notice_minutes: number;
  horizon_days: number;
  duration_minutes: number;
  price_cents: number;
  db_now_ms: number;
  schedule: ScheduleWindowRow[];
  overrides: OverrideRow[];
  /** [startMs, occupiedUntilMs] */
  bookings: [number, number][];
  /** [startMs, occupiedUntilMs, expiresMs] */
  holds: [number, number, number][];
  /** bigint, read as a number (server/db/pool.ts). */
  version: number;
}

/** Loads one day's rows, or null when the stylist or service is unknown or not offered together. */
export async function loadDay(db: Queryable, key: DayKey): Promise<LoadedDay | null> {
  // A named statement is planned once per connection: planning was most of the query's time.
  const { rows } = await db.query<DayRow>({ name: 'kb_load_day', text: DAY_SQL, values: [key.stylistId, key.serviceId, key.date] });
  return rows[0] ? loadedDay(rows[0], key.date) : null;
}

/** One (stylist, date) of a batch: the day's rows shared by every service the stylist offers. */
interface BatchRow extends Omit<DayRow, 'duration_minutes' | 'price_cents'> {
  stylist_id: string;
  date: string;
  /** [serviceId, durationMinutes, priceCents] of each active service the stylist offers. */
  services: [string, number, number][];
}

// DAY_SQL for many days at once (the cache's prefill, ./prefill.ts): every active stylist of $1,
// the days $2 to $3 after the stylist's local today at the instant $4 (epoch ms; the process's
// clock), within the stylist's horizon; one row per (stylist, date) with the offered services.
// The day's rows are selected exactly as DAY_SQL selects them.
const DAYS_SQL = `
with sd as (
  select s.id as stylist_id, d.day, s.timezone, s.slot_step_minutes, s.buffer_minutes, s.min_notice_minutes, s.horizon_days,
         (d.day::timestamp at time zone s.timezone) as day_start,
         ((d.day + 1)::timestamp at time zone s.timezone) as day_end
  from stylists s
  cross join lateral (
    select (to_timestamp($4::float8 / 1000) at time zone s.timezone)::date + o as day
      from generate_series($2::int, least($3::int, s.horizon_days)) o
  ) d
  where s.id = any($1::uuid[]) and s.active
)
select sd.stylist_id, to_char(sd.day, 'YYYY-MM-DD') as date, sd.timezone, sd.slot_step_minutes, sd.buffer_minutes,
  sd.min_notice_minutes, sd.horizon_days,
  (extract(epoch from clock_timestamp()) * 1000)::float8 as db_now_ms,
  (select coalesce(json_agg(json_build_array(ss.service_id, coalesce(ss.duration_minutes, sv.duration_minutes),
      coalesce(ss.price_cents, sv.price_cents)) order by ss.service_id), '[]')
     from stylist_services ss join services sv on sv.id = ss.service_id
    where ss.stylist_id = sd.stylist_id and sv.active) as services,
${dayColumns('sd.stylist_id', 'sd.day', 'sd')}
from sd
order by sd.day, sd.stylist_id`;

/**
 * The days `fromDay` to `toDay` (0 is the stylist's local today at `nowMs`, within the stylist's
 * horizon) of the active stylists among `stylistIds`, for every service each offers, in one round
 * trip: the same LoadedDay as loadDay gives for each key, nearest days first.
 */
export async function loadDays(
  db: Queryable,
  stylistIds: readonly string[],
  fromDay: number,
  toDay: number,
  nowMs: number,
): Promise<{ key: DayKey; day: LoadedDay }[]> {
  const { rows } = await db.query<BatchRow>({ name: 'kb_load_days', text: DAYS_SQL, values: [stylistIds, fromDay, toDay, nowMs] });
  const out: { key: DayKey; day: LoadedDay }[] = [];
  for (const r of rows) {
    for (const [serviceId, durationMinutes, priceCents] of r.services) {
      const key = { stylistId: r.stylist_id, serviceId, date: r.date };
      out.push({ key, day: loadedDay({ ...r, duration_minutes: durationMinutes, price_cents: priceCents }, r.date) });
    }
  }
  return out;
}

function loadedDay(r: DayRow, date: string): LoadedDay {
  const toInterval = (a: readonly number[]): Interval => ({ startMs: a[0], endMs: a[1] });
  const holds = r.holds;
  const settings: StylistDaySettings = {
    timezone: r.timezone,
    slotStepMinutes: r.slot_step_minutes,
    bufferMinutes: r.buffer_minutes,
    minNoticeMinutes: r.min_notice_minutes,
    horizonDays: r.horizon_days,
    durationMinutes: r.duration_minutes,
    priceCents: r.price_cents,
  };
  return {
    settings,
    version: r.version,
    dbNowMs: r.db_now_ms,
    earliestHoldExpiryMs: holds.reduce((m, h) => Math.min(m, h[2]), Infinity),
    input: {
      date,
      timezone: r.timezone,
      slotStepMinutes: r.slot_step_minutes,
      durationMinutes: r.duration_minutes,
      bufferMinutes: r.buffer_minutes,
      schedule: r.schedule,
      overrides: r.overrides,
      bookings: r.bookings.map(toInterval),
      holds: holds.map(toInterval),
    },
  };
}
