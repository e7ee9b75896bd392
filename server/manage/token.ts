// Manage-link tokens: a booking id, the actions the link allows, an expiry and a nonce, signed with
// HMAC-SHA-256 (truncated to 128 bits) under the installation's manage-link secret. Stateless to
// issue (the mailer makes one without a database write); the one destructive use per link is
// recorded by its nonce (sql/000016 manage_link_uses). Pure: no database, no clock of its own.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const LINK_ACTIONS = ['view', 'cancel', 'reschedule'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

const VERSION = 1;
const UUID_BYTES = 16;
const NONCE_BYTES = 9;
const MAC_BYTES = 16;
/** version, booking id, actions, expiry (seconds since the epoch, uint32), nonce. */
const PAYLOAD_BYTES = 1 + UUID_BYTES + 1 + 4 + NONCE_BYTES;
const TOKEN_BYTES = PAYLOAD_BYTES + MAC_BYTES;
/** The token's length as text (base64url, no padding). */
export const TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN_RE = new RegExp(`^[A-Za-z0-9_-]{${TOKEN_LENGTH}}$`);
/** The largest expiry a uint32 of seconds holds (2106-02-07). */
const MAX_EXPIRY_S = 0xffffffff;

export interface LinkClaims {
  bookingId: string;
  actions: LinkAction[];
  expiresAtMs: number;
  /** Identifies this one link: its destructive use is recorded under it. */
  nonce: string;
}

const bit = (a: LinkAction) => 1 << LINK_ACTIONS.indexOf(a);

function mac(secret: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);
}

/** A signed token for one booking. `nonce` is fresh unless given (tests). */
export function signLink(
  secret: Buffer,
  c: { bookingId: string; actions: readonly LinkAction[]; expiresAtMs: number; nonce?: Buffer },
): string {
  const id = c.bookingId.toLowerCase();
  if (!UUID_RE.test(id)) throw new Error(`signLink: ${c.bookingId} is not a booking id`);
  if (c.actions.length === 0) throw new Error('signLink: a link allows at least one action');
  const expiryS = Math.ceil(c.expiresAtMs / 1000);
  if (!Number.isFinite(expiryS) || expiryS <= 0 || expiryS > MAX_EXPIRY_S) throw new Error('signLink: expiry out of range');
  const nonce = c.nonce ?? randomBytes(NONCE_BYTES);
  if (nonce.length !== NONCE_BYTES) throw new Error(`signLink: a nonce is ${NONCE_BYTES} bytes`);
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload[0] = VERSION;
  Buffer.from(id.replaceAll('-', ''), 'hex').copy(payload, 1);
  payload[1 + UUID_BYTES] = c.actions.reduce((m, a) => m | bit(a), 0);
  payload.writeUInt32BE(expiryS, 2 + UUID_BYTES);
  nonce.copy(payload, 6 + UUID_BYTES);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/**
 * The claims of a token signed with one of `secrets`, or null when it is not one of ours (wrong
 * shape, unknown version, bad signature). Expiry is the caller's to judge (it has the clock).
 */
export function verifyLink(secrets: readonly Buffer[], token: string): LinkClaims | null {
  if (!TOKEN_RE.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== TOKEN_BYTES || raw.toString('base64url') !== token) return null;
  const payload = raw.subarray(0, PAYLOAD_BYTES);
  const given = raw.subarray(PAYLOAD_BYTES);
  if (!secrets.some((s) => timingSafeEqual(mac(s, payload), given))) return null;
  if (payload[0] !== VERSION) return null;
  const hex = payload.subarray(1, 1 + UUID_BYTES).toString('hex');
  const mask = payload[1 + UUID_BYTES];
  if (mask === 0 || mask >> LINK_ACTIONS.length !== 0) return null;
  return {
    bookingId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    actions: LINK_ACTIONS.filter((a) => (mask & bit(a)) !== 0),
    expiresAtMs: payload.readUInt32BE(2 + UUID_BYTES) * 1000,
    nonce: payload.subarray(6 + UUID_BYTES).toString('base64url'),
  };
}
