import type { RequestHandler } from 'express';
import { availableSlotsQuery } from '../contract/slots.ts';
import { parseOr400 } from '../http/errors.ts';
import type { SlotService } from './service.ts';

export const AVAILABLE_SLOTS_PATH = '/api/bookings/available-slots';

/**
 * GET /api/bookings/available-slots — public and cached. Mounted straight on the app ahead of every
 * other route: no session lookup, no body parsing, no router layers on the hottest path.
 */
export function availableSlotsHandler(slots: SlotService): RequestHandler {
  return async (req, res) => {
    const q = parseOr400(availableSlotsQuery, req.query);
    const a = await slots.answer({ stylistId: q.stylistId, serviceId: q.serviceId, date: q.targetDate }, q.customerTimezone);
    res.setHeader('X-Cache-Hit', a.hit ? 'true' : 'false');
    res.setHeader('X-Computed-At', a.entry.computedAt);
    res.setHeader('X-Availability-Version', String(a.entry.version));
    res.setHeader('ETag', a.etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (etagMatches(req.headers['if-none-match'], a.etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(a.body);
  };
}

/** If-None-Match: `*`, or a comma-separated list of (weak or strong) tags, one of which is ours. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag || header.trim() === '*') return true;
  const ours = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === ours);
}
