import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** `LOG_FORMAT`: `auto` picks pretty lines for a person at a terminal, JSON lines for everything else. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether lines are pretty: forced by `json`/`pretty`, else only on a terminal outside production. */
export function prettyLogs(format: LogFormat, out: { tty: boolean; production: boolean }): boolean {
  if (format !== 'auto') return format === 'pretty';
  return out.tty && !out.production;
}

/** The process's logger: JSON lines on stdout (the pid on each), or pino-pretty's human lines. */
export function createLogger(level: string, opts: { pretty?: boolean } = {}): Logger {
  const options = { level, base: { pid: process.pid } };
  if (!opts.pretty) return pino(options);
  // In-process and synchronous (not a transport worker): a fatal line written just before
  // process.exit is not lost, and no thread is started for a developer's terminal. A request
  // line's message already says method, URL, status and time: its objects are left out.
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'hostname,req,res,responseTime', singleLine: true }));
}
