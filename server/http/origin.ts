// One origin policy for HTTP writes and socket handshakes: the page's origin must be this host or
// one of the configured origins (normalised as URL origins, so case and default ports agree).

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

/** True when `origin` (an Origin or Referer header) names `host` or one of `allowed`. */
export function originMatches(origin: string, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  const o = originOf(origin);
  if (o === null) return false;
  if (allowed.has(o)) return true;
  return host !== undefined && new URL(o).host === host.toLowerCase();
}
