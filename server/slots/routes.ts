import type { Request, RequestHandler, Response } from 'express';
import { availableSlotsQuery } from '../contract/slots.ts';
import { parseOr400 } from '../http/errors.ts';
import { routeObserver, type Metrics } from '../http/metrics.ts';
import type { DayKey } from './cache.ts';
import type { SlotAnswer, SlotService } from './service.ts';

export const AVAILABLE_SLOTS_PATH = '/api/bookings/available-slots';

/**
 * GET /api/bookings/available-slots — public and cached. Mounted straight on the app ahead of every
 * other route: no session lookup, no body parsing, no router layers on the hottest path. A cached
 * answer is sent synchronously with one writeHead; the route records its own latency (the generic
 * metrics middleware's per-request listener cost a tenth of the cached path's throughput).
 */
export function availableSlotsHandler(slots: SlotService, metrics?: Metrics): RequestHandler {
  const observe = metrics ? routeObserver(metrics, 'GET', AVAILABLE_SLOTS_PATH) : () => {};
  return (req, res, next) => {
    const started = performance.now();
    const fail = (err: unknown) => {
      res.once('finish', () => observe(res.statusCode, started));
      next(err);
    };
    let key: DayKey;
    let zone: string | undefined;
    let cached: SlotAnswer | null;
    try {
      const q = parseOr400(availableSlotsQuery, req.query);
      key = { stylistId: q.stylistId, serviceId: q.serviceId, date: q.targetDate };
      zone = q.customerTimezone;
      cached = slots.answerCached(key, zone);
    } catch (err) {
      return fail(err);
    }
    if (cached) return send(req, res, cached, started, observe);
    slots.answer(key, zone).then((a) => send(req, res, a, started, observe), fail);
  };
}

function send(req: Request, res: Response, a: SlotAnswer, started: number, observe: (status: number, started: number) => void): void {
  const headers = [
    'Cache-Control', 'no-cache',
    'ETag', a.etag,
    'X-Cache-Hit', a.hit ? 'true' : 'false',
    'X-Computed-At', a.entry.computedAt,
    'X-Availability-Version', String(a.entry.version),
  ];
  if (etagMatches(req.headers['if-none-match'], a.etag)) {
    res.writeHead(304, headers).end();
  } else {
    headers.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(a.bytes.length));
    res.writeHead(200, headers).end(a.bytes);
  }
  observe(res.statusCode, started);
}

/** If-None-Match: `*`, or a comma-separated list of (weak or strong) tags, one of which is ours. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag || header.trim() === '*') return true;
  const ours = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === ours);
}
