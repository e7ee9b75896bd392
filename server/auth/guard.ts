import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Config } from '../config.ts';
import type { Role } from '../contract/auth.ts';
import { AppError } from '../errors.ts';
import { FailureBudget } from './failures.ts';
import type { Actor } from '../actor.ts';

/** The logged-in user, or 401. */
export function requireUser(req: Request): Actor {
  const user = req.session?.user;
  if (!user) throw new AppError('UNAUTHENTICATED', 'Log in first');
  return user;
}

/** The logged-in user if their role is one of `roles`; 401 without a login, 403 with another role. */
export function requireRole(req: Request, ...roles: Role[]): Actor {
  const user = requireUser(req);
  if (!roles.includes(user.role)) throw new AppError('FORBIDDEN', 'Your account may not do this');
  return user;
}

/** Router-level form of requireRole. */
export function roleGuard(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    requireRole(req, ...roles);
    next();
  };
}

function limiter(config: Config, limit: number, key: (req: Request) => string): RequestHandler {
  return rateLimit({
    windowMs: config.rateLimitWindowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: key,
    // The contract's 429 body through the single error handler; Retry-After is already set.
    handler: (_req, _res, next) => next(new AppError('RATE_LIMITED', 'Too many requests; try again shortly')),
  });
}

const clientIp = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/**
 * Login and register: failed attempts (answers 4xx, or the client gone before the answer) per
 * client IP and window, per process. Successful ones are not counted, so a salon's shared
 * front-desk IP is not locked out by its own logins, also when many run at once (auth/failures.ts).
 */
export function loginLimiter(config: Config): RequestHandler {
  const budget = new FailureBudget({ limit: config.rateLimitLogin, windowMs: config.rateLimitWindowMs });
  return (req, res, next) => {
    let done: ((failed: boolean) => void) | undefined;
    let settled = false;
    const cancel = budget.admit(
      clientIp(req),
      (end) => {
        done = end;
        next();
      },
      (retryAfter) => {
        res.setHeader('Retry-After', String(retryAfter));
        next(new AppError('RATE_LIMITED', 'Too many failed attempts; try again later'));
      },
    );
    const settle = () => {
      if (settled) return;
      settled = true;
      if (done) done(!res.writableFinished || (res.statusCode >= 400 && res.statusCode < 500));
      else cancel();
    };
    res.once('finish', settle);
    res.once('close', settle);
  };
}

/** Registrations: every attempt per client IP, so one address cannot mint accounts in bulk. */
export function registerLimiter(config: Config): RequestHandler {
  return limiter(config, config.rateLimitRegister, clientIp);
}

/** Holds, bookings and reschedules: per logged-in user, else per IP. */
export function bookingLimiter(config: Config): RequestHandler {
  return limiter(config, config.rateLimitBooking, (req) => {
    const user = req.session?.user;
    return user ? `user:${user.id}` : `ip:${clientIp(req)}`;
  });
}
