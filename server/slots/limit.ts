import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '../errors.ts';

/**
 * Slot queries the cache cannot answer, per client IP (`req.ip`; IPv6 grouped by /56), per process.
 * The slots route calls it on a miss only: a cached answer never pays for it. Past the limit the
 * answer is 429 RATE_LIMITED with Retry-After.
 */
export function slotMissLimiter(opts: { windowMs: number; limit: number }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown'),
    handler: (_req, _res, next) => next(new AppError('RATE_LIMITED', 'Too many slot queries that had to be computed; try again shortly')),
  });
}
