import { DateTime } from 'luxon';
import { hashPassword } from '../auth/password.ts';
import { assertStrongPassword } from '../auth/strength.ts';
import type { Actor } from '../actor.ts';
import type {
  AdminStylistDto,
  AnnouncementBody,
  AnnouncementDto,
  CreateStylistBody,
  CurrentScheduleDto,
  ScheduleBody,
  ScheduleDto,
} from '../contract/admin.ts';
import { lockStylist } from '../bookings/check.ts';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { withOutbox } from '../outbox/own.ts';
import { knownZone, type SlotService } from '../slots/service.ts';
import { SCHEDULE_WINDOW_COLUMNS, type ScheduleWindowColumns } from '../stylist/hours.ts';
import { audit } from '../audit.ts';

export interface AdminDeps {
  pool: Pool;
  slots: SlotService;
  now: () => number;
}

export const STYLIST_SQL = `
select s.id, s.user_id, u.email, s.display_name, s.timezone, s.bio, s.slot_step_minutes, s.buffer_minutes,
       s.min_notice_minutes, s.horizon_days, s.active,
       coalesce((select json_agg(json_build_object('id', sv.id, 'name', sv.name,
                  'durationMinutes', coalesce(ss.duration_minutes, sv.duration_minutes),
                  'priceCents', coalesce(ss.price_cents, sv.price_cents)) order by sv.name)
           from stylist_services ss join services sv on sv.id = ss.service_id where ss.stylist_id = s.id), '[]') as services
  from stylists s join users u on u.id = s.user_id
 where s.id = $1`;

export interface StylistRow {
  id: string;
  user_id: string;
  email: string;
  display_name: string;
  timezone: string;
  bio: string;
  slot_step_minutes: number;
  buffer_minutes: number;
  min_notice_minutes: number;
  horizon_days: number;
  active: boolean;
  services: AdminStylistDto['services'];
}

export function toStylistDto(r: StylistRow): AdminStylistDto {
  return {
    id: r.id,
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    timezone: r.timezone,
    bio: r.bio,
    slotStepMinutes: r.slot_step_minutes,
    bufferMinutes: r.buffer_minutes,
    minNoticeMinutes: r.min_notice_minutes,
    horizonDays: r.horizon_days,
    active: r.active,
    services: r.services,
  };
}

/** 400 UNKNOWN_TIMEZONE unless both the engine (ICU) and Postgres know `zone` as an IANA name. */
export async function assertStylistZone(db: PoolClient | Pool, zone: string): Promise<void> {
  if (!knownZone(zone)) throw new AppError('UNKNOWN_TIMEZONE', `Unknown time zone: ${zone}`);
  // Postgres must read the zone as the engine (ICU) does: abbreviations such as IST or PST mean
  // other things to it, and some ICU aliases are unknown to it. Store its canonical name.
  const { rows: zones } = await db.query<{ name: string }>(
    `select name from pg_timezone_names where name = $1 and name !~ '^(posix|Etc)/' and (name ~ '/' or name = 'UTC')`,
    [zone],
  );
  if (!zones[0]) throw new AppError('UNKNOWN_TIMEZONE', `Use an IANA zone name such as Asia/Kathmandu, not ${zone}`);
}

async function requireStylist(db: PoolClient | Pool, stylistId: string): Promise<{ id: string; timezone: string }> {
  const { rows } = await db.query<{ id: string; timezone: string }>('select id, timezone from stylists where id = $1', [stylistId]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'No such stylist');
  return rows[0];
}

/**
 * The admin console's writes (docs/api.md "Admin"). Each is one transaction with its audit row; those
 * that change availability invalidate what their outbox events name (server/outbox/own.ts).
 */
export class AdminService {
  #pool: Pool;
  #slots: SlotService;
  #now: () => number;

  constructor(deps: AdminDeps) {
    this.#pool = deps.pool;
    this.#slots = deps.slots;
    this.#now = deps.now;
  }

  /** Onboards a stylist: the login, the stylist with its settings, and the services it offers. */
  async createStylist(admin: Actor, body: CreateStylistBody): Promise<AdminStylistDto> {
    await assertStylistZone(this.#pool, body.timezone);
    await assertStrongPassword(body.password, body);
    const hash = await hashPassword(body.password);
    const id = await withOutbox(this.#pool, this.#slots, async (db) => {
      const wanted = body.services.map((s) => s.serviceId);
      const { rows: found } = await db.query<{ id: string }>('select id from services where id = any($1::uuid[]) and active', [wanted]);
      const known = new Set(found.map((r) => r.id));
      const missing = wanted.filter((w) => !known.has(w));
      if (missing.length) throw new AppError('NOT_FOUND', 'Unknown service', { serviceIds: missing });
      let userId: string;
      try {
        ({
          rows: [{ id: userId }],
        } = await db.query<{ id: string }>(
          `insert into users (email, password_hash, display_name, role) values ($1, $2, $3, 'stylist') returning id`,
          [body.email, hash, body.displayName],
        ));
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw new AppError('CONFLICT', 'An account with this email already exists');
        throw err;
      }
      // Only the settings given: the schema's defaults (docs/domain.md §1) apply to the rest.
      const cols: Record<string, unknown> = {
        user_id: userId,
        display_name: body.displayName,
        timezone: body.timezone,
        bio: body.bio ?? '',
      };
      if (body.slotStepMinutes !== undefined) cols.slot_step_minutes = body.slotStepMinutes;
      if (body.bufferMinutes !== undefined) cols.buffer_minutes = body.bufferMinutes;
      if (body.minNoticeMinutes !== undefined) cols.min_notice_minutes = body.minNoticeMinutes;
      if (body.horizonDays !== undefined) cols.horizon_days = body.horizonDays;
      const names = Object.keys(cols);
      const {
        rows: [st],
      } = await db.query<{ id: string }>(
        `insert into stylists (${names.join(', ')}) values (${names.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
        Object.values(cols),
      );
      if (body.services.length) {
        await db.query(
          `insert into stylist_services (stylist_id, service_id, duration_minutes, price_cents)
           select $1, s, d, p from unnest($2::uuid[], $3::int[], $4::int[]) as t(s, d, p)`,
          [st.id, wanted, body.services.map((s) => s.durationMinutes ?? null), body.services.map((s) => s.priceCents ?? null)],
        );
      }
      await audit(db, {
        actorId: admin.id,
        action: 'stylist.create',
        target: `stylist:${st.id}`,
        details: { email: body.email, displayName: body.displayName, timezone: body.timezone, services: body.services },
      });
      return st.id;
    });
    const { rows } = await this.#pool.query<StylistRow>(STYLIST_SQL, [id]);
    return toStylistDto(rows[0]);
  }

  /**
   * Replaces the weekly schedule from `effectiveFrom` (default: today in the stylist's zone): the
   * version in force then ends the day before, versions starting on or after it are deleted.
   */
  async replaceSchedule(admin: Actor, stylistId: string, body: ScheduleBody): Promise<ScheduleDto> {
    const days = [...body.days]
      .sort((a, b) => a.dayOfWeek - b.dayOfWeek)
      .map((d) => ({ dayOfWeek: d.dayOfWeek, windows: [...d.windows].sort((a, b) => (a.start < b.start ? -1 : 1)) }));
    return withOutbox(this.#pool, this.#slots, async (db) => {
      const st = await requireStylist(db, stylistId);
      await lockStylist(db, st.id);
      const from = body.effectiveFrom ?? DateTime.fromMillis(this.#now(), { zone: st.timezone }).toISODate()!;
      await db.query('delete from schedule_windows where stylist_id = $1 and effective_from >= $2', [st.id, from]);
      await db.query(
        `update schedule_windows set effective_until = $2::date - 1
          where stylist_id = $1 and effective_from < $2 and (effective_until is null or effective_until >= $2)`,
        [st.id, from],
      );
      const rows = days.flatMap((d) => d.windows.map((w) => [d.dayOfWeek, w.start, w.end] as const));
      if (rows.length) {
        await db.query(
          `insert into schedule_windows (stylist_id, day_of_week, start_time, end_time, effective_from)
           select $1, d, s::time, e::time, $5 from unnest($2::int[], $3::text[], $4::text[]) as t(d, s, e)`,
          [st.id, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), from],
        );
      }
      await audit(db, {
        actorId: admin.id,
        action: 'schedule.replace',
        target: `stylist:${st.id}`,
        details: { effectiveFrom: from, days },
      });
      return { stylistId: st.id, effectiveFrom: from, days };
    });
  }

  /**
   * The weekly schedule in force on `date` (default today in the stylist's zone): the version with
   * the latest effective-from among those covering that date, as all seven days.
   */
  async currentSchedule(stylistId: string, q: { date?: string }): Promise<CurrentScheduleDto> {
    const st = await requireStylist(this.#pool, stylistId);
    const date = q.date ?? DateTime.fromMillis(this.#now(), { zone: st.timezone }).toISODate()!;
    const { rows } = await this.#pool.query<ScheduleWindowColumns>(
      `select ${SCHEDULE_WINDOW_COLUMNS}
         from schedule_windows w
        where w.stylist_id = $1 and w.effective_from <= $2::date and (w.effective_until is null or w.effective_until >= $2::date)
        order by w.day_of_week, w.start_time`,
      [st.id, date],
    );
    // YYYY-MM-DD strings compare as dates.
    const effectiveFrom = rows.reduce<string | null>((v, r) => (v === null || r.effective_from > v ? r.effective_from : v), null);
    const version = rows.filter((r) => r.effective_from === effectiveFrom);
    const effectiveUntil =
      version.length === 0 || version.some((r) => r.effective_until === null)
        ? null
        : version.reduce((v, r) => (r.effective_until! > v ? r.effective_until! : v), version[0].effective_until!);
    return {
      stylistId: st.id,
      date,
      effectiveFrom,
      effectiveUntil,
      days: [0, 1, 2, 3, 4, 5, 6].map((d) => ({
        dayOfWeek: d,
        windows: version.filter((r) => r.day_of_week === d).map((r) => ({ start: r.start, end: r.end })),
      })),
    };
  }

  async createAnnouncement(admin: Actor, body: AnnouncementBody): Promise<AnnouncementDto> {
    return withTransaction(this.#pool, async (db) => {
      const {
        rows: [a],
      } = await db.query<{
        id: string;
        message: string;
        audience: AnnouncementDto['audience'];
        level: AnnouncementDto['level'];
        created_by: string | null;
        created_at: Date;
      }>(
        `insert into announcements (message, audience, level, created_by) values ($1, $2, $3, $4)
         returning id, message, audience, level, created_by, created_at`,
        [body.message, body.audience, body.level, admin.id],
      );
      await audit(db, { actorId: admin.id, action: 'announcement.create', target: `announcement:${a.id}`, details: { ...body } });
      return {
        id: a.id,
        message: a.message,
        audience: a.audience,
        level: a.level,
        createdBy: a.created_by,
        at: a.created_at.toISOString(),
      };
    });
  }
}
