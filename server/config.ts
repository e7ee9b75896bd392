import { z } from 'zod';
import type { PoolTimeouts } from './db/pool.ts';
import { isValidZone } from './slots/engine.ts';

const bool = z.enum(['0', '1', 'true', 'false', 'on', 'off']).transform((v) => v === '1' || v === 'true' || v === 'on');

/**
 * Every setting the server reads, with its default. Parsed once at boot by `parseConfig` (main.ts,
 * and tests that build their own); everything else receives the parsed object.
 */
export const configSchema = z.object({
  /** HTTP port. Default 3000. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to bind. Default 127.0.0.1 (put a proxy in front for the outside world). */
  HOST: z.string().default('127.0.0.1'),
  /** Postgres connection string. Unset: start the embedded Postgres. */
  DATABASE_URL: z.string().optional(),
  /** Folder of the embedded Postgres data, kept across restarts. Default ./data/pg (git-ignored). */
  EMBEDDED_PG_DIR: z.string().default('data/pg'),
  /** Port of the embedded Postgres. Default 54329. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Seed the demo salon into an empty database: default on for the embedded Postgres, off with DATABASE_URL. */
  SEED_DEMO: bool.optional(),
  /** Password of every demo login. Default kbstylish-demo. */
  DEMO_PASSWORD: z.string().min(8).default('kbstylish-demo'),
  /** `off` answers every slot query from the database (the old uncached API), for comparison. Default on. */
  CACHE: z.enum(['on', 'off']).default('on'),
  /** Byte bound of the slot cache. Default 256 MB (a 200-stylist salon's working set; docs/operations.md). */
  CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /** Safety time-to-live of a cached slot list, in seconds. Default 300. */
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  /** How long a hold lasts, in minutes. Default 10. */
  HOLD_MINUTES: z.coerce.number().int().min(1).max(60).default(10),
  /**
   * How long a customer's holds on one time count as one series, in minutes from the first: every
   * hold of the series expires by the first one's expiry plus HOLD_MINUTES, and holding the time
   * again after that answers HOLD_LIMIT until the window ends. At least 3 × HOLD_MINUTES is used
   * whatever the value. Default 60.
   */
  HOLD_RENEWAL_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /** Connections in the pool. Default 10. */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Postgres cancels a pooled connection's statement running longer than this, in ms; 0 turns it off. Default 5000. */
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  /** The process gives up on a pooled query with no answer after this, in ms (a stopped or unreachable Postgres); 0 turns it off. Default 6000. */
  PG_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(6000),
  /** Longest wait for a pooled connection (a new one, or a free one when all are busy), in ms. Default 5000. */
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /**
   * Secret that signs session cookies. Default: one generated once and kept in the database
   * (`settings` table), shared by every process and every restart. Empty means unset.
   */
  SESSION_SECRET: z.union([z.literal(''), z.string().min(16)]).optional(),
  /** Earlier session secrets, comma-separated: cookies they signed are still accepted (rotation). Default none. */
  SESSION_SECRET_PREVIOUS: z
    .string()
    .default('')
    .refine((v) => splitList(v).every((s) => s.length >= 16), 'each previous secret must have at least 16 characters'),
  /** Set the Secure flag on cookies (behind HTTPS). Default off. */
  COOKIE_SECURE: bool.default(false),
  /** Origins allowed to make state-changing requests and open sockets, comma-separated. Default: same origin only. */
  ALLOWED_ORIGINS: z.string().default(''),
  /** How long a login lasts, in hours (not extended by activity). Default 168 (7 days). */
  SESSION_MAX_AGE_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 365)
    .default(168),
  /** Trust X-Forwarded-* from one proxy in front (client IP for rate limits, HTTPS for Secure cookies). Default off. */
  TRUST_PROXY: bool.default(false),
  /** Largest JSON request body, in kilobytes; bigger answers 413. Default 16. */
  BODY_LIMIT_KB: z.coerce.number().int().min(1).max(10_240).default(16),
  /** Length of a rate-limit window, in seconds. Default 60. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Failed login and register attempts per client IP per window (successful ones are not counted). Default 10. */
  RATE_LIMIT_LOGIN: z.coerce.number().int().min(1).default(10),
  /** Hold, booking and reschedule requests per user per window. Default 30. */
  RATE_LIMIT_BOOKING: z.coerce.number().int().min(1).default(30),
  /** Registrations per client IP per window, successful or not (accounts are cheap to make, so they are counted). Default 20. */
  RATE_LIMIT_REGISTER: z.coerce.number().int().min(1).default(20),
  /** Slot queries per client IP per window that the cache could not answer (cached answers are not counted). Default 600. */
  RATE_LIMIT_SLOT_MISSES: z.coerce.number().int().min(1).default(600),
  /** Retention of the events table in days. Default 7. */
  EVENT_RETENTION_DAYS: z.coerce.number().min(0.0001).default(7),
  /** ISO 4217 code of every price (`priceCents`), sent with the catalogue so clients format prices in it. Default NPR. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as NPR or EUR')
    .default('NPR'),
  /**
   * The salon's time zone at first start (an IANA name); then the `salon_timezone` setting in the
   * database is the salon's zone. Default Asia/Kathmandu.
   */
  SALON_TIMEZONE: z.string().refine(isValidZone, 'expected an IANA time zone such as Asia/Kathmandu').default('Asia/Kathmandu'),
  /** Log level (pino). Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Log lines: `auto` is pretty on a terminal unless NODE_ENV=production, JSON otherwise; `json` or `pretty` forces one. Default auto. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** Serve the built web app (web/dist, required at start) besides the API; off serves the API only. Default on. */
  SERVE_WEB: bool.default(true),
  /** Worker processes for `npm start` on one machine (sticky sessions). Default 1. */
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  // ── live pipeline (server/realtime) ──
  /** Interval of the liveness query on the LISTEN connection, in ms. Default 5000. */
  LISTENER_CHECK_MS: z.coerce.number().int().min(100).default(5000),
  /** Timeout of a query (and of connecting) on the LISTEN connection, in ms: a dropped connection is noticed. Default 5000. */
  LISTENER_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Cap of the listener's reconnection backoff (100 ms doubling), in ms. Default 5000. */
  LISTENER_RETRY_MAX_MS: z.coerce.number().int().min(50).default(5000),
  /** How long startup waits for the relay to catch up before listening anyway (then /readyz is 503), in ms. Default 5000. */
  LISTENER_START_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  /** Longest gap between hold-expiry sweeps, in seconds (known expiries are swept on time). Default 30. */
  HOLD_SWEEP_SECONDS: z.coerce.number().min(0.05).default(30),
  /** How often each process prunes events older than EVENT_RETENTION_DAYS, in minutes. Default 60. */
  EVENT_PRUNE_MINUTES: z.coerce.number().min(0.01).default(60),
  /** Socket.IO transport limit in bytes: a bigger message closes the connection. Default 16384. */
  SOCKET_MAX_BUFFER_BYTES: z.coerce.number().int().min(1024).default(16_384),
  /** Largest payload of one socket event in bytes, answered PAYLOAD_TOO_LARGE. Default 2048. */
  SOCKET_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(128).default(2048),
  /** Keys one socket may watch at once. Default 20. */
  SOCKET_MAX_WATCHES: z.coerce.number().int().min(1).default(20),
  /** Watch/unwatch messages a socket may send in a burst. Default 30. */
  SOCKET_WATCH_BURST: z.coerce.number().int().min(1).default(30),
  /** Watch/unwatch messages per minute a socket may sustain. Default 120. */
  SOCKET_WATCH_PER_MINUTE: z.coerce.number().min(1).default(120),
  /**
   * Concurrent Socket.IO connections per client IP (the address express's `req.ip` gives: behind
   * TRUST_PROXY the last X-Forwarded-For hop; IPv6 grouped by /56 as the HTTP rate limits do), per
   * process. More handshakes are refused (`connect_error`; HTTP 403 to a polling handshake, 400 to
   * a WebSocket upgrade). Default 50 (a salon's front desk, many tabs, is one IP).
   */
  SOCKET_MAX_PER_IP: z.coerce.number().int().min(1).default(50),
  /** Distinct (stylist, service, date) keys watched at once on one process; a watch of a new key beyond it answers RATE_LIMITED. Default 20000. */
  SOCKET_MAX_WATCHED_KEYS: z.coerce.number().int().min(1).default(20_000),
  /**
   * How often each process checks the session table for the sessions of its logged-in sockets, in
   * seconds: a socket whose session has ended elsewhere (a logout handled by another process, a
   * session deleted by hand) is disconnected within this time. Default 30.
   */
  SOCKET_SESSION_CHECK_SECONDS: z.coerce.number().min(0.05).default(30),
  /**
   * Most events one replay sends (a socket connecting with `auth: {lastEventId}`); a client that
   * missed more of what it may see gets `resync` (reason `too_many`) and re-fetches. Default 1000.
   */
  SOCKET_REPLAY_MAX_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /**
   * Replays per client IP (keyed as SOCKET_MAX_PER_IP is) per minute, per process; beyond it a
   * socket gets `resync` (reason `rate_limited`) instead of a replay. Default 60.
   */
  SOCKET_REPLAYS_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /**
   * Sockets one push is written to in one go: a room larger than this is sent in chunks of this
   * many sockets, yielding to other work (HTTP requests) between chunks. Default 500.
   */
  SOCKET_FANOUT_CHUNK: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Bearer token required by GET /metrics. Default unset: open (keep /metrics off the public network). */
  METRICS_TOKEN: z.string().min(8).optional(),
  // ── jobs and e-mail (server/jobs, server/mail) ──
  /** SMTP server for e-mail, e.g. smtp://user:pass@smtp.example.com:587 or smtps://…:465. Unset: the local mailbox. */
  SMTP_URL: z
    .union([z.literal(''), z.string().regex(/^smtps?:\/\/\S+$/, 'expected smtp://[user:pass@]host[:port] or smtps://…')])
    .optional(),
  /** Sender address of every message (the salon's name is its display name). Default no-reply@kbstylish.test. */
  MAIL_FROM: z.email('expected an e-mail address such as bookings@salon.example').default('no-reply@kbstylish.test'),
  /** The salon's name at first start: stored as the `salon_name` setting (messages, calendar files), which wins after. Default KB Stylish. */
  SALON_NAME: z.string().trim().min(1).max(100).default('KB Stylish'),
  /** Folder of the local mailbox's .eml files (without SMTP_URL). Default data/mail. */
  MAIL_DIR: z.string().min(1).default('data/mail'),
  /** Jobs (messages) one process runs at once. Default 2. */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** How often an idle job runner looks for due jobs (new jobs are noticed at once by LISTEN), in ms. Default 2000. */
  JOBS_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  /** The portal's public origin for links in messages (manage links, calendar feeds). Default http://localhost:PORT. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How long a manage link lasts, in days (and never past its booking's end). Default 90. */
  MANAGE_LINK_DAYS: z.coerce.number().int().min(1).max(730).default(90),
  /** How long a waitlist offer holds a freed time for its waiter, in minutes. Default 10. */
  WAITLIST_OFFER_MINUTES: z.coerce.number().int().min(1).max(120).default(10),
  /** Fill the slot cache with the days ahead of every active stylist after start, in the background (server/slots/prefill.ts). Default on. */
  CACHE_PREFILL: bool.default(true),
  /** Share of CACHE_MAX_BYTES the prefill may fill, in percent. Default 75. */
  CACHE_PREFILL_PERCENT: z.coerce.number().int().min(1).max(100).default(75),
});

/** A comma-separated setting as its non-empty, trimmed items. */
function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  embeddedPgDir: string;
  embeddedPgPort: number;
  seedDemo: boolean;
  demoPassword: string;
  cacheEnabled: boolean;
  cacheMaxBytes: number;
  cacheTtlMs: number;
  holdMinutes: number;
  holdRenewalWindowMinutes: number;
  waitlistOfferMinutes: number;
  pgPoolSize: number;
  /** Timeouts of the request pool (migrations use none). */
  pgTimeouts: PoolTimeouts;
  /** SESSION_SECRET, or undefined: the one kept in the database. */
  sessionSecret: string | undefined;
  /** SESSION_SECRET_PREVIOUS: still accepted for cookies they signed. */
  sessionSecretsPrevious: string[];
  cookieSecure: boolean;
  allowedOrigins: string[];
  sessionMaxAgeMs: number;
  trustProxy: boolean;
  bodyLimitBytes: number;
  rateLimitWindowMs: number;
  rateLimitLogin: number;
  rateLimitBooking: number;
  rateLimitRegister: number;
  rateLimitSlotMisses: number;
  eventRetentionDays: number;
  currency: string;
  /** The salon's zone at first start (server/salon.ts keeps the salon's setting). */
  salonTimezone: string;
  logLevel: RawConfig['LOG_LEVEL'];
  logFormat: RawConfig['LOG_FORMAT'];
  serveWeb: boolean;
  workers: number;
  realtime: RealtimeConfig;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  manageLinkDays: number;
  mail: MailConfig;
  /** The slot cache's prefill after start: off, or the share (0, 1] of the byte bound it may fill. */
  cachePrefill: { enabled: boolean; share: number };
}

export interface MailConfig {
  /** SMTP_URL, or undefined: the local mailbox (the messages table and .eml files in `dir`). */
  smtpUrl: string | undefined;
  from: string;
  /** SALON_NAME: the `salon_name` setting's value at first start (server/salon.ts); read the setting, not this. */
  salonName: string;
  dir: string;
  jobsConcurrency: number;
  jobsPollMs: number;
}

export interface RealtimeConfig {
  listenerCheckMs: number;
  listenerQueryTimeoutMs: number;
  listenerRetryMaxMs: number;
  startWaitMs: number;
  holdSweepMs: number;
  pruneIntervalMs: number;
  metricsToken: string | undefined;
  socket: {
    /** Transport limit (engine.io maxHttpBufferSize): a bigger message closes the connection. */
    maxBufferBytes: number;
    /** One event's payload, as JSON: bigger ones are refused with PAYLOAD_TOO_LARGE. */
    maxPayloadBytes: number;
    /** Keys one connection may watch at once. */
    maxWatches: number;
    /** Token bucket of watch/unwatch messages: burst size and refill per minute. */
    watchBurst: number;
    watchPerMinute: number;
    /** Concurrent connections per client IP (the HTTP side's `req.ip`); more handshakes are refused. */
    maxPerIp: number;
    /** Distinct keys watched on this process; a watch of one more answers RATE_LIMITED. */
    maxWatchedKeys: number;
    /** Events one replay sends at most; beyond it the client gets `resync` (too_many). */
    replayMaxEvents: number;
    /** Replays per client IP per minute; beyond it the client gets `resync` (rate_limited). */
    replaysPerIpPerMinute: number;
    /** Sockets a push is written to per turn of the event loop; larger rooms are sent in chunks. */
    fanoutChunk: number;
  };
  /** Interval of the check of logged-in sockets' sessions against the session table. */
  sessionCheckMs: number;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL || undefined,
    embeddedPgDir: c.EMBEDDED_PG_DIR,
    embeddedPgPort: c.EMBEDDED_PG_PORT,
    seedDemo: c.SEED_DEMO ?? !c.DATABASE_URL,
    demoPassword: c.DEMO_PASSWORD,
    cacheEnabled: c.CACHE === 'on',
    cacheMaxBytes: c.CACHE_MAX_BYTES,
    cacheTtlMs: c.CACHE_TTL_SECONDS * 1000,
    holdMinutes: c.HOLD_MINUTES,
    holdRenewalWindowMinutes: c.HOLD_RENEWAL_WINDOW_MINUTES,
    waitlistOfferMinutes: c.WAITLIST_OFFER_MINUTES,
    pgPoolSize: c.PG_POOL_SIZE,
    pgTimeouts: { statementMs: c.PG_STATEMENT_TIMEOUT_MS, queryMs: c.PG_QUERY_TIMEOUT_MS, connectMs: c.PG_CONNECT_TIMEOUT_MS },
    sessionSecret: c.SESSION_SECRET || undefined,
    sessionSecretsPrevious: splitList(c.SESSION_SECRET_PREVIOUS),
    cookieSecure: c.COOKIE_SECURE,
    allowedOrigins: splitList(c.ALLOWED_ORIGINS),
    sessionMaxAgeMs: Math.round(c.SESSION_MAX_AGE_HOURS * 3_600_000),
    trustProxy: c.TRUST_PROXY,
    bodyLimitBytes: c.BODY_LIMIT_KB * 1024,
    rateLimitWindowMs: c.RATE_LIMIT_WINDOW_SECONDS * 1000,
    rateLimitLogin: c.RATE_LIMIT_LOGIN,
    rateLimitBooking: c.RATE_LIMIT_BOOKING,
    rateLimitRegister: c.RATE_LIMIT_REGISTER,
    rateLimitSlotMisses: c.RATE_LIMIT_SLOT_MISSES,
    eventRetentionDays: c.EVENT_RETENTION_DAYS,
    currency: c.CURRENCY,
    salonTimezone: c.SALON_TIMEZONE,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
    serveWeb: c.SERVE_WEB,
    workers: c.WORKERS,
    realtime: {
      listenerCheckMs: c.LISTENER_CHECK_MS,
      listenerQueryTimeoutMs: c.LISTENER_QUERY_TIMEOUT_MS,
      listenerRetryMaxMs: c.LISTENER_RETRY_MAX_MS,
      startWaitMs: c.LISTENER_START_WAIT_MS,
      holdSweepMs: Math.round(c.HOLD_SWEEP_SECONDS * 1000),
      pruneIntervalMs: Math.round(c.EVENT_PRUNE_MINUTES * 60_000),
      metricsToken: c.METRICS_TOKEN,
      socket: {
        maxBufferBytes: c.SOCKET_MAX_BUFFER_BYTES,
        maxPayloadBytes: c.SOCKET_MAX_PAYLOAD_BYTES,
        maxWatches: c.SOCKET_MAX_WATCHES,
        watchBurst: c.SOCKET_WATCH_BURST,
        watchPerMinute: c.SOCKET_WATCH_PER_MINUTE,
        maxPerIp: c.SOCKET_MAX_PER_IP,
        maxWatchedKeys: c.SOCKET_MAX_WATCHED_KEYS,
        replayMaxEvents: c.SOCKET_REPLAY_MAX_EVENTS,
        replaysPerIpPerMinute: c.SOCKET_REPLAYS_PER_IP_PER_MINUTE,
        fanoutChunk: c.SOCKET_FANOUT_CHUNK,
      },
      sessionCheckMs: Math.round(c.SOCKET_SESSION_CHECK_SECONDS * 1000),
    },
    mail: {
      smtpUrl: c.SMTP_URL || undefined,
      from: c.MAIL_FROM,
      salonName: c.SALON_NAME,
      dir: c.MAIL_DIR,
      jobsConcurrency: c.JOBS_CONCURRENCY,
      jobsPollMs: c.JOBS_POLL_MS,
    },
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    manageLinkDays: c.MANAGE_LINK_DAYS,
    cachePrefill: { enabled: c.CACHE_PREFILL, share: c.CACHE_PREFILL_PERCENT / 100 },
  };
}
