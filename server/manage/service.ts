// What a manage link lets its holder do with its one booking, without signing in: see it, cancel
// it, move it (docs/domain.md "Manage links and calendars"). The changes go through BookingService
// as the booking's customer, so every booking rule, event and push applies as if they were logged in.
import type { Actor } from '../actor.ts';
import { withAttention } from '../bookings/attention.ts';
import { BOOKING_COLUMNS, toBookingDto, type BookingRow } from '../bookings/present.ts';
import type { BookingService } from '../bookings/service.ts';
import { bookingIcs } from '../calendar/booking-ics.ts';
import { salonPlace } from '../calendar/salon-place.ts';
import type { Role } from '../contract/enums.ts';
import type { ManageAction, ManageResultDto, ManageViewDto } from '../contract/manage.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { manageToken, type ManageLinkKeys } from './links.ts';
import { verifyLink, type LinkAction, type LinkClaims } from './token.ts';

interface LinkedBooking extends BookingRow {
  stylist_name: string;
  stylist_timezone: string;
  service_name: string;
  duration_minutes: number;
  customer_email: string;
  customer_name: string;
  customer_role: Role;
  customer_stylist_id: string | null;
}

export interface ManageServiceDeps {
  pool: Pool;
  bookings: BookingService;
  /** The link keys (loaded once per process). */
  keys: () => Promise<ManageLinkKeys>;
  now: () => number;
  /** The salon's zone when its setting is not stored (never after a start). */
  fallbackZone: string;
}

export class ManageService {
  #d: ManageServiceDeps;

  constructor(deps: ManageServiceDeps) {
    this.#d = deps;
  }

  /** GET /api/manage/:token */
  async view(token: string): Promise<ManageViewDto> {
    const { claims, b, expiresAtMs } = await this.#open(token);
    const used = await this.#used(this.#d.pool, claims.nonce);
    const nowMs = this.#d.now();
    const changeable = (b.status === 'pending' || b.status === 'confirmed') && nowMs < b.start_at.getTime();
    const actions: ManageAction[] =
      used || !changeable ? [] : (['cancel', 'reschedule'] as const).filter((a) => claims.actions.includes(a));
    const place = await salonPlace(this.#d.pool, this.#d.fallbackZone);
    const [booking] = await withAttention(this.#d.pool, [toBookingDto(b)]);
    return {
      booking,
      stylist: { id: b.stylist_id, displayName: b.stylist_name, timezone: b.stylist_timezone },
      service: { id: b.service_id, name: b.service_name, durationMinutes: b.duration_minutes },
      salon: { name: place.name, address: place.address, timezone: place.timezone },
      actions,
      used,
      expiresAt: new Date(expiresAtMs).toISOString(),
      calendarUrl: `/api/manage/${token}/calendar.ics`,
    };
  }

  /** GET /api/manage/:token/calendar.ics */
  async calendar(token: string): Promise<{ filename: string; content: string }> {
    const { b } = await this.#open(token);
    const ics = await bookingIcs(this.#d.pool, b.id);
    if (!ics) throw new AppError('LINK_INVALID', 'This link is not valid: its booking no longer exists');
    return ics;
  }

  /** POST /api/manage/:token/cancel: once per link. */
  async cancel(token: string, reason: string | undefined): Promise<ManageResultDto> {
    const { claims, b } = await this.#openFor(token, 'cancel');
    const booking = await this.#d.bookings.cancel(customerOf(b), b.id, reason, this.#recordUse(claims, 'cancel'));
    return { booking };
  }

  /** POST /api/manage/:token/reschedule: once per link; answers a fresh link for the moved booking. */
  async reschedule(token: string, startUtc: string): Promise<ManageResultDto> {
    const { claims, b } = await this.#openFor(token, 'reschedule');
    const moved = await this.#d.bookings.reschedule(customerOf(b), b.id, startUtc, undefined, this.#recordUse(claims, 'reschedule'));
    const keys = await this.#d.keys();
    const next = manageToken(keys, b.id, { actions: claims.actions, expiresAtMs: claims.expiresAtMs });
    const [booking] = await withAttention(this.#d.pool, [moved]);
    return { booking, token: next };
  }

  /** The claims of a valid, unexpired link and its booking; else LINK_INVALID or LINK_EXPIRED. */
  async #open(token: string): Promise<{ claims: LinkClaims; b: LinkedBooking; expiresAtMs: number }> {
    const keys = await this.#d.keys();
    const claims = verifyLink(keys.secrets, token);
    if (!claims || !claims.actions.includes('view'))
      throw new AppError('LINK_INVALID', 'This link is not valid: check that it was copied whole from the message');
    const { rows } = await this.#d.pool.query<LinkedBooking>(
      `select ${BOOKING_COLUMNS}, s.display_name as stylist_name, s.timezone as stylist_timezone, sv.name as service_name,
              coalesce(ss.duration_minutes, sv.duration_minutes) as duration_minutes,
              u.email as customer_email, u.display_name as customer_name, u.role as customer_role, cs.id as customer_stylist_id
         from bookings b join stylists s on s.id = b.stylist_id join services sv on sv.id = b.service_id
         join users u on u.id = b.customer_id
         left join stylist_services ss on ss.stylist_id = b.stylist_id and ss.service_id = b.service_id
         left join stylists cs on cs.user_id = u.id
        where b.id = $1`,
      [claims.bookingId],
    );
    const b = rows[0];
    if (!b) throw new AppError('LINK_INVALID', 'This link is not valid: its booking no longer exists');
    const expiresAtMs = Math.min(claims.expiresAtMs, b.end_at.getTime());
    if (this.#d.now() >= expiresAtMs) {
      const over = expiresAtMs === b.end_at.getTime();
      throw new AppError(
        'LINK_EXPIRED',
        over ? 'This link has expired: the appointment is over' : 'This link has expired; use the link in your latest message or sign in',
        { expiresAt: new Date(expiresAtMs).toISOString() },
      );
    }
    return { claims, b, expiresAtMs };
  }

  async #openFor(token: string, action: LinkAction): Promise<{ claims: LinkClaims; b: LinkedBooking }> {
    const opened = await this.#open(token);
    if (!opened.claims.actions.includes(action))
      throw new AppError('LINK_NOT_ALLOWED', `This link does not allow you to ${action} the booking`, { allowed: opened.claims.actions });
    if (await this.#used(this.#d.pool, opened.claims.nonce)) throw linkUsed();
    return opened;
  }

  async #used(db: Pick<PoolClient, 'query'>, nonce: string): Promise<boolean> {
    const { rows } = await db.query('select 1 from manage_link_uses where nonce = $1', [nonce]);
    return rows.length > 0;
  }

  /** Records the link's one use in the change's own transaction (under the booking's row lock). */
  #recordUse(claims: LinkClaims, action: 'cancel' | 'reschedule') {
    return async (db: PoolClient, bookingId: string): Promise<void> => {
      const { rows } = await db.query(
        `insert into manage_link_uses (nonce, booking_id, action) values ($1, $2, $3) on conflict (nonce) do nothing returning nonce`,
        [claims.nonce, bookingId, action],
      );
      if (rows.length === 0) throw linkUsed();
    };
  }
}

function linkUsed(): AppError {
  return new AppError('LINK_USED', 'This link was already used to change the booking; use the link in your latest message or sign in');
}

/** The booking's customer as the actor of a change made through their link. */
function customerOf(b: LinkedBooking): Actor {
  return {
    id: b.customer_id,
    email: b.customer_email,
    displayName: b.customer_name,
    role: b.customer_role,
    ...(b.customer_stylist_id ? { stylistId: b.customer_stylist_id } : {}),
  };
}
