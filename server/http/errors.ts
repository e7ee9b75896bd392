// TEMP re-export for server/realtime until the relay split merges: contract errors live in
// server/errors.ts.
export { AppError, fromPgError } from '../errors.ts';
