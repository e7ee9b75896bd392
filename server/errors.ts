// Contract errors: the one error type the domain throws, zod failures as INVALID_INPUT, and the
// mapping of Postgres errors to contract errors. Transport-free: HTTP (server/http/handlers.ts) and
// the socket layer both turn an AppError into the contract's body.
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from './contract/errors.ts';
import type { z } from 'zod';
import { QUERY_READ_TIMEOUT } from './db/pool.ts';

/** The one error type the domain throws; the error handler turns it into the contract's body. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

/** Per-field details of a zod failure, as `INVALID_INPUT`. */
export function invalidInput(error: z.ZodError, message = 'Some fields are missing or invalid'): AppError {
  const fields = error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : i.code === 'unrecognized_keys' ? ((i as { keys?: string[] }).keys?.join(',') ?? '') : '',
    code: i.code,
    message: i.message,
  }));
  return new AppError('INVALID_INPUT', message, { fields });
}

/** Validates `input` against `schema` or throws INVALID_INPUT with per-field details. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw invalidInput(r.error);
  return r.data;
}

/** Maps Postgres errors that are the client's fault to contract errors; null for the rest. */
export function fromPgError(err: unknown): AppError | null {
  const code = (err as { code?: string } | null)?.code;
  if (isConnectionError(err)) return new AppError('NOT_READY', 'The database is unavailable right now; please try again shortly');
  if (isQueryTimeout(err)) return new AppError('NOT_READY', 'The database did not answer in time; please try again shortly');
  switch (code) {
    case '23P01': // exclusion_violation: the bookings_no_overlap constraint
      return new AppError('SLOT_TAKEN', 'That time was just taken by another booking');
    case '23505': // unique_violation
      return new AppError('CONFLICT', 'That already exists');
    case '22P02': // invalid_text_representation (a malformed uuid that slipped through)
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
      return new AppError('INVALID_INPUT', 'A value has the wrong format');
    case '23503': // foreign_key_violation
      return new AppError('NOT_FOUND', 'A referenced record does not exist');
    case '23514': // check_violation
      return new AppError('INVALID_INPUT', 'A value is out of range');
    default:
      // The last line: any other data exception (class 22: a value Postgres cannot represent, such
      // as a date-time out of range, 22009 or 22008) comes from input that slipped past validation.
      if (code?.startsWith('22')) return new AppError('INVALID_INPUT', 'A value is out of range or has the wrong format');
      return null;
  }
}

/** Postgres down, restarting or unreachable: the client should retry, so 503 rather than 500. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code)) return true;
  const msg = e?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(msg);
}

/** A pooled query cut off by PG_STATEMENT_TIMEOUT_MS (57014 query_canceled) or PG_QUERY_TIMEOUT_MS (pg's read timeout). */
export function isQueryTimeout(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '57014' || e?.message === QUERY_READ_TIMEOUT;
}
