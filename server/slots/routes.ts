import { Router, type Request, type RequestHandler, type Response } from 'express';
import { LRUCache } from 'lru-cache';
import { ANY_STYLIST, availableDaysQuery, availableSlotsQuery } from '../contract/slots.ts';
import { AppError, parseOr400 } from '../errors.ts';
import { routeObserver } from '../http/metrics.ts';
import type { Metrics } from '../metrics.ts';
import type { AnySlots } from './any.ts';
import type { DayKey } from './cache.ts';
import type { AvailableDays, ChargeMisses } from './days.ts';
import { OUTSIDE_WINDOW, type Sendable, type SlotService } from './service.ts';

export const AVAILABLE_SLOTS_PATH = '/api/bookings/available-slots';
/** Validated slot queries remembered by URL (each a few hundred bytes). */
const PARSED_QUERIES = 20_000;

/**
 * GET /api/bookings/available-slots — public and cached. Mounted straight on the app ahead of every
 * other route: no session lookup, no body parsing, no router layers on the hottest path. A cached
 * answer is sent synchronously with one writeHead; the route records its own latency (the generic
 * metrics middleware's per-request listener cost a tenth of the cached path's throughput).
 *
 * A miss first passes `limitMisses` (per client IP), then the stylist's bookable window: a day
 * outside it answers [] without being loaded or cached (SlotService.answerBookable).
 */
export function availableSlotsHandler(slots: SlotService, metrics?: Metrics, limitMisses?: RequestHandler, any?: AnySlots): RequestHandler {
  const observe = metrics ? routeObserver(metrics, 'GET', AVAILABLE_SLOTS_PATH) : () => {};
  // Validated queries by their exact URL: clients repeat the same few URLs, and parsing and
  // validating a query string was the largest share of a hit's own work. Only valid ones are kept,
  // least recently used first out (a mix wider than the memo keeps its popular URLs).
  const parsed = new LRUCache<string, ParsedQuery>({ max: PARSED_QUERIES });
  function parseQuery(req: Request): ParsedQuery {
    let q = parsed.get(req.url);
    if (!q) {
      const v = parseOr400(availableSlotsQuery, req.query);
      q = { key: { stylistId: v.stylistId, serviceId: v.serviceId, date: v.targetDate }, zone: v.customerTimezone };
      parsed.set(req.url, q);
    }
    return q;
  }
  return (req, res, next) => {
    const started = performance.now();
    const fail = (err: unknown) => {
      res.once('finish', () => observe(res.statusCode, started));
      next(err);
    };
    let q: ParsedQuery;
    let cached: Sendable | null;
    try {
      q = parseQuery(req);
      // `any`: the union of the stylists who offer the service (./any.ts), composed from the same cache.
      if (q.key.stylistId === ANY_STYLIST && !any) throw new AppError('NOT_FOUND', 'Any-stylist answers are not available here');
      cached = q.key.stylistId === ANY_STYLIST ? any!.answerCached(q.key.serviceId, q.key.date, q.zone) : slots.answerCached(q.key, q.zone);
    } catch (err) {
      return fail(err);
    }
    if (cached) return send(req, res, cached, started, observe);
    const compute = async (): Promise<Sendable> => {
      if (q.key.stylistId !== ANY_STYLIST) return slots.answerBookable(q.key, q.zone);
      // Outside every stylist's window: answered as for one stylist (no ETag, never cached).
      const a = await any!.answer(q.key.serviceId, q.key.date, q.zone);
      return a.outside ? OUTSIDE_WINDOW : a;
    };
    const miss = () => compute().then((a) => send(req, res, a, started, observe), fail);
    if (!limitMisses) return void miss();
    // `any` is charged like available-days: one unit per stylist-day it must compute.
    if (q.key.stylistId === ANY_STYLIST) {
      const units = Math.max(1, any!.uncachedParts(q.key.serviceId, q.key.date) ?? 1);
      return void chargeWith(limitMisses, req, res)(units).then(miss, fail);
    }
    limitMisses(req, res, (err?: unknown) => (err ? fail(err) : void miss()));
  };
}

interface ParsedQuery {
  key: DayKey;
  zone: string | undefined;
}

/** Response headers of one rendered answer as flat [name, value, …] arrays: 200 and 304, for a hit and a miss. */
interface Headers {
  ok: [hit: string[], miss: string[]];
  notModified: [hit: string[], miss: string[]];
}

/**
 * Headers by rendered answer, built on its first send: the cached path builds none. Keyed by the
 * answer's encoded body (one Buffer per rendered answer, shared by every request it answers), so
 * an answer the cache drops takes its headers with it.
 */
const headersOf = new WeakMap<Buffer, Headers>();

function headersFor(a: Sendable): Headers {
  let h = headersOf.get(a.bytes);
  if (!h) {
    const common =
      a.version === null
        ? ['Cache-Control', 'no-cache']
        : ['Cache-Control', 'no-cache', 'ETag', a.etag, 'X-Computed-At', a.computedAt!, 'X-Availability-Version', String(a.version)];
    const content = ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(a.bytes.length)];
    // OUTSIDE_WINDOW is never a cache hit.
    const hit = (on: boolean) => [...common, 'X-Cache-Hit', on && a.version !== null ? 'true' : 'false'];
    h = {
      ok: [
        [...hit(true), ...content],
        [...hit(false), ...content],
      ],
      notModified: [hit(true), hit(false)],
    };
    headersOf.set(a.bytes, h);
  }
  return h;
}

function send(req: Request, res: Response, a: Sendable, started: number, observe: (status: number, started: number) => void): void {
  const which = a.hit ? 0 : 1;
  const headers = headersFor(a);
  if (a.etag && etagMatches(req.headers['if-none-match'], a.etag)) res.writeHead(304, headers.notModified[which]).end();
  else res.writeHead(200, headers.ok[which]).end(a.bytes);
  observe(res.statusCode, started);
}

/** If-None-Match: `*`, or a comma-separated list of (weak or strong) tags, one of which is ours. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag || header.trim() === '*') return true;
  const ours = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === ours);
}

export const AVAILABLE_DAYS_PATH = '/api/bookings/available-days';

/**
 * GET /api/bookings/available-days — public: a day-by-day summary of a range (at most 62 days) for
 * one stylist or `any`, from the slot cache. What is not cached is charged to `limitMisses`, one
 * unit per stylist-day it computes, before anything is computed.
 */
export function availableDaysRoutes(days: AvailableDays, limitMisses?: RequestHandler): Router {
  const r = Router();
  r.get(AVAILABLE_DAYS_PATH, async (req, res) => {
    const q = parseOr400(availableDaysQuery, req.query);
    const answer = await days.days(q, chargeWith(limitMisses, req, res));
    res.setHeader('Cache-Control', 'no-cache');
    res.json(answer);
  });
  return r;
}

/** Charges `units` to a rate limiter by passing the request through it that many times (it stops at the first refusal). */
function chargeWith(limit: RequestHandler | undefined, req: Request, res: Response): ChargeMisses {
  return async (units) => {
    if (!limit) return;
    for (let i = 0; i < units; i++) {
      await new Promise<void>((resolve, reject) => {
        void limit(req, res, (err?: unknown) =>
          err === undefined ? resolve() : reject(err instanceof Error ? err : new Error('slot-miss limiter failed')),
        );
      });
    }
  };
}
