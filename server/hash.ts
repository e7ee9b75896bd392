// The hash helpers, declared once: FNV-1a for cheap non-secret keys (ETag parts, sticky worker
// choice) and SHA-256 where a digest must not be guessable or must not collide (fingerprints,
// constant-time secret comparison, the OpenAPI document's ETag).
import { createHash } from 'node:crypto';

/** 32-bit FNV-1a of a string's UTF-16 code units, as an unsigned integer. Not for secrets. */
export function fnv1a(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** SHA-256 digest of a string (UTF-8). */
export function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** SHA-256 of a string as base64url text (43 characters). */
export function sha256Url(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}
