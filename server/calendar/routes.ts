import { Router } from 'express';
import { requireRole, requireUser } from '../auth/guard.ts';
import { isDesk } from '../contract/enums.ts';
import { feedQuery } from '../contract/manage.ts';
import { idParams, noQuery } from '../contract/routes-table.ts';
import type { Pool } from '../db/pool.ts';
import { AppError, parseOr400 } from '../errors.ts';
import { sendIcs } from '../manage/routes.ts';
import { bookingIcs } from './booking-ics.ts';
import { feedTokenStatus, revokeFeedToken, rotateFeedToken, stylistFeedIcs } from './stylist-feed.ts';

/** Calendar files and the stylist's subscription feed (docs/api.md "Calendars"). */
export function calendarRoutes(deps: { pool: Pool; now: () => number; publicUrl: string }): Router {
  const { pool, now, publicUrl } = deps;
  const r = Router();

  // The booking's customer or the front desk; anyone else (its stylist included: they have the feed) 404.
  r.get('/api/bookings/:id/calendar.ics', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseOr400(idParams, req.params);
    parseOr400(noQuery, req.query);
    const { rows } = await pool.query<{ customer_id: string }>('select customer_id from bookings where id = $1', [id]);
    if (!rows[0] || !(rows[0].customer_id === user.id || isDesk(user.role))) throw new AppError('NOT_FOUND', 'No such booking');
    const ics = await bookingIcs(pool, id);
    if (!ics) throw new AppError('NOT_FOUND', 'No such booking');
    sendIcs(res, ics);
  });

  // No session: calendar apps fetch it with the token alone.
  r.get('/api/stylist/calendar.ics', async (req, res) => {
    const { token } = parseOr400(feedQuery, req.query);
    const ics = await stylistFeedIcs(pool, token, now());
    if (!ics)
      throw new AppError('NOT_FOUND', 'No calendar for this token: it was revoked or replaced; copy the new address from the dashboard');
    sendIcs(res, ics);
  });

  const ownStylist = (req: Parameters<typeof requireUser>[0]): string => {
    const user = requireRole(req, 'stylist');
    if (!user.stylistId) throw new AppError('NOT_FOUND', 'No such stylist');
    return user.stylistId;
  };

  r.get('/api/stylist/calendar-token', async (req, res) => {
    const stylistId = ownStylist(req);
    parseOr400(noQuery, req.query);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json({ feed: await feedTokenStatus(pool, stylistId) });
  });

  r.post('/api/stylist/calendar-token', async (req, res) => {
    const stylistId = ownStylist(req);
    res.setHeader('Cache-Control', 'private, no-store');
    res.status(201).json(await rotateFeedToken(pool, stylistId, publicUrl));
  });

  r.delete('/api/stylist/calendar-token', async (req, res) => {
    const stylistId = ownStylist(req);
    await revokeFeedToken(pool, stylistId);
    res.status(204).end();
  });

  return r;
}
