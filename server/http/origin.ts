// The origin policy of HTTP writes as Express middleware (the policy itself: server/origin.ts,
// shared with the socket handshake).
import type { RequestHandler } from 'express';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { allowedOriginSet, originMatches, targetOrigin } from '../origin.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests sent by a page of another origin (CSRF): the Origin header (or,
 * without it, the Referer) must name the origin the request was sent to (scheme, host and port) or
 * one of `config.allowedOrigins`. Requests with
 * neither header come from non-browser clients (curl, scripts), which carry no ambient cookie of a
 * victim, and pass; SameSite=Lax is the second line for old browsers.
 */
export function sameOriginOnly(config: Config): RequestHandler {
  const allowed = allowedOriginSet(config.allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const header = req.headers.origin ?? req.headers.referer;
    // req.protocol and req.host follow X-Forwarded-Proto/-Host only behind TRUST_PROXY.
    if (header === undefined || originMatches(header, targetOrigin(req.protocol, req.host), allowed)) return next();
    next(new AppError('FORBIDDEN', 'Cross-origin request refused'));
  };
}
