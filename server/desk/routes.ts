import { Router } from 'express';
import { bookingLimiter, requireRole } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { DESK_ROLES } from '../contract/enums.ts';
import { deskBookingBody, deskCalendarQuery, deskCustomersQuery } from '../contract/desk.ts';
import type { Pool } from '../db/pool.ts';
import { parseOr400 } from '../errors.ts';
import type { SalonSettings } from '../salon.ts';
import type { DeskBookings } from './bookings.ts';
import { deskCalendar, todayIn } from './calendar.ts';
import { searchCustomers } from './customers.ts';

/** The front desk (reception and admins; docs/api.md "Front desk"). Thin: role → validate → act → present. */
export function deskRoutes(deps: { pool: Pool; salon: SalonSettings; desk: DeskBookings; config: Config; now: () => number }): Router {
  const { pool, salon, desk, config, now } = deps;
  const r = Router();

  r.get('/api/desk/calendar', async (req, res) => {
    requireRole(req, ...DESK_ROLES);
    const q = parseOr400(deskCalendarQuery, req.query);
    const salonZone = await salon.timezone();
    const nowMs = now();
    res.json(await deskCalendar(pool, { date: q.date ?? todayIn(salonZone, nowMs), salonZone, nowMs }));
  });

  r.post('/api/desk/bookings', bookingLimiter(config), async (req, res) => {
    const user = requireRole(req, ...DESK_ROLES);
    const body = parseOr400(deskBookingBody, req.body);
    res.status(201).json(await desk.create(user, body));
  });

  r.get('/api/desk/customers', async (req, res) => {
    requireRole(req, ...DESK_ROLES);
    const q = parseOr400(deskCustomersQuery, req.query);
    res.json(await searchCustomers(pool, q.q, now()));
  });

  return r;
}
