// One origin policy for HTTP writes and socket handshakes: the page's origin must be the origin the
// request was sent to (scheme, host and port) or one of the configured origins. Both sides are
// normalised as URL origins, so case and default ports agree.
import type { IncomingMessage } from 'node:http';

/** The URL origin of an http(s) URL, or null. */
export function originOf(value: string): string | null {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

export function allowedOriginSet(configured: readonly string[]): Set<string> {
  return new Set(configured.map(originOf).filter((o): o is string => o !== null));
}

/** The origin a request was sent to: `scheme://host`, or null without a usable Host. */
export function targetOrigin(scheme: string, host: string | undefined): string | null {
  if (!host || (scheme !== 'http' && scheme !== 'https')) return null;
  // A Host with a path, user info or query is not a host: refuse rather than let URL trim it.
  if (/[/\\@?#\s]/.test(host)) return null;
  return originOf(`${scheme}://${host}`);
}

/** The first value of a comma-separated forwarded header, as Express reads X-Forwarded-*. */
function firstForwarded(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const first = v?.split(',')[0].trim();
  return first ? first : undefined;
}

/**
 * The origin a raw Node request (a Socket.IO handshake) was sent to, read as Express reads
 * req.protocol and req.host: the connection's scheme and the Host header, or behind a trusted
 * proxy the first X-Forwarded-Proto and X-Forwarded-Host.
 */
export function requestTargetOrigin(req: IncomingMessage, trustProxy: boolean): string | null {
  const direct = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const scheme = (trustProxy ? firstForwarded(req.headers['x-forwarded-proto'])?.toLowerCase() : undefined) ?? direct;
  const host = (trustProxy ? firstForwarded(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host;
  return targetOrigin(scheme, host);
}

/** True when `origin` (an Origin or Referer header) is `target` or one of `allowed`. */
export function originMatches(origin: string, target: string | null, allowed: ReadonlySet<string>): boolean {
  const o = originOf(origin);
  if (o === null) return false;
  return allowed.has(o) || (target !== null && o === target);
}
