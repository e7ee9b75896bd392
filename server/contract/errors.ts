/** Stable error codes of the public contract (docs/api.md "Errors"). Clients switch on these, never on messages. */
export const ERROR_STATUS = {
  INVALID_INPUT: 400,
  UNKNOWN_TIMEZONE: 400,
  NOT_ON_GRID: 400,
  OUTSIDE_HOURS: 400,
  IN_PAST: 400,
  WEAK_PASSWORD: 400,
  NAME_TOO_LONG: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SLOT_TAKEN: 409,
  SLOT_HELD: 409,
  INVALID_TRANSITION: 409,
  HOLD_EXPIRED: 409,
  HOLD_LIMIT: 409,
  CUSTOMER_BUSY: 409,
  CONFLICT: 409,
  WAITLIST_FULL: 409,
  WAITLIST_DUPLICATE: 409,
  SLOTS_AVAILABLE: 409,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  BUDGET_EXHAUSTED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
  /** A manage link that is not one of ours: malformed, tampered with, or signed with another key. */
  LINK_INVALID: 404,
  /** A manage link past its expiry (or its booking is over). */
  LINK_EXPIRED: 410,
  /** A manage link whose one cancel or reschedule was already made. */
  LINK_USED: 410,
  /** A manage link that does not allow this action. */
  LINK_NOT_ALLOWED: 403,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
