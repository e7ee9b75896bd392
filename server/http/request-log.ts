import type { Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Longest URL written to a request line; the rest is cut (a URL may be up to Node's 16 KB header limit). */
const MAX_URL = 300;

/**
 * One log line per finished API request (pino-http): successes at `debug`, client errors at `info`
 * (`warn` for 429 and 413, someone hitting a limit), server errors at `error` (the error handler
 * logs the cause with its stack). A line names the method, URL, status, time, client IP and user
 * id, never a header: no cookie or authorization value can reach the log.
 *
 * Mounted on `/api` after the slot route, the health checks and /metrics (server/app.ts): the
 * cached slot path answers in microseconds, and pino-http's per-request cost (a child logger with
 * the request bound, three listeners) would be a measurable share of it; pino-http's
 * `autoLogging.ignore` would skip the line but not that cost. Slot-query failures still reach the
 * error handler's log and every request the latency histogram on /metrics.
 */
export function requestLog(log: Logger): RequestHandler {
  return pinoHttp<Request, Response>({
    logger: log,
    // Our own serializers of the raw objects: no headers, no body, a bounded URL.
    wrapSerializers: false,
    serializers: {
      req: (req: Request) => ({ id: req.id, method: req.method, url: redactTokens(req.originalUrl).slice(0, MAX_URL), ip: req.ip }),
      res: (res: Response) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err): Level => requestLevel(res.statusCode, err !== undefined),
    customSuccessObject: (req, res, val: { responseTime: number }) => ({ res, responseTime: val.responseTime, userId: userId(req) }),
    // Without pino-http's synthetic "failed with status code 500" error: the error handler logged the real one.
    customErrorObject: (req, res, _err, val: { responseTime: number }) => ({ res, responseTime: val.responseTime, userId: userId(req) }),
    customSuccessMessage: (req, res, ms) => line(req, res, ms),
    customErrorMessage: (req, res) => line(req, res),
  });
}

/** The level of a finished request's line. */
export function requestLevel(status: number, failed = false): Level {
  if (status >= 500 || failed) return 'error';
  if (status === 429 || status === 413) return 'warn';
  if (status >= 400) return 'info';
  return 'debug';
}

function line(req: Request, res: Response, ms?: number): string {
  const url = redactTokens(req.originalUrl.split('?')[0]).slice(0, MAX_URL);
  return `${req.method} ${url} ${res.statusCode}${ms === undefined ? '' : ` ${ms} ms`}`;
}

function userId(req: Request): string | undefined {
  return req.session?.user?.id;
}

/** A URL with its bearer tokens (a manage link's path segment, a calendar feed's `token=`) replaced: the log never holds one. */
export function redactTokens(url: string): string {
  return url.replace(/^(\/api\/manage\/)[^/?]+/, '$1[token]').replace(/([?&]token=)[^&]*/g, '$1[token]');
}
