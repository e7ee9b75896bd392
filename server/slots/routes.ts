import { Router } from 'express';
import { availableSlotsQuery } from '../contract/slots.ts';
import { parseOr400 } from '../http/errors.ts';
import type { SlotService } from './service.ts';

/** GET /api/bookings/available-slots — public and cached; no session lookup on this path. */
export function slotRoutes(slots: SlotService): Router {
  const r = Router();
  r.get('/api/bookings/available-slots', async (req, res) => {
    const q = parseOr400(availableSlotsQuery, req.query);
    const a = await slots.answer({ stylistId: q.stylistId, serviceId: q.serviceId, date: q.targetDate }, q.customerTimezone);
    res.setHeader('X-Cache-Hit', a.hit ? 'true' : 'false');
    res.setHeader('X-Computed-At', a.entry.computedAt);
    res.setHeader('X-Availability-Version', String(a.entry.version));
    res.setHeader('ETag', a.etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.headers['if-none-match'] === a.etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(a.body);
  });
  return r;
}
