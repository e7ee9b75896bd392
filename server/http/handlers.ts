import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, fromPgError } from '../errors.ts';

/** The single error handler: contract errors as they are, Postgres client errors mapped, the rest INTERNAL. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: AppError | null = err instanceof AppError ? err : fromPgError(err);
    const pgCode = (err as { code?: unknown } | null)?.code;
    if (e && !(err instanceof AppError) && typeof pgCode === 'string' && pgCode.startsWith('22')) {
      // Answered 400, but validation should have caught it first: worth a look.
      log.warn(
        { code: pgCode, err: (err as Error).message, method: req.method, url: req.originalUrl },
        'postgres data exception answered 400',
      );
    }
    if (!e) {
      const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
      const type = (err as { type?: string }).type;
      if (status === 413 || type === 'entity.too.large') e = new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large');
      else if (type === 'entity.parse.failed') e = new AppError('INVALID_INPUT', 'The request body is not valid JSON');
      else if (status && status >= 400 && status < 500) e = new AppError('INVALID_INPUT', 'The request could not be read');
    }
    if (!e) {
      log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
      e = new AppError('INTERNAL', 'Something went wrong on our side; please try again');
    }
    if (res.headersSent) return;
    res.status(e.status).json(e.toBody());
  };
}

/** Unknown /api routes answer the contract's 404 rather than Express's HTML page. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route ${req.method} ${req.path}`));
};
