import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false', 'on', 'off']).transform((v) => v === '1' || v === 'true' || v === 'on');

/**
 * Every setting the server reads, with its default. Parsed once at boot by `loadConfig` (only
 * main.ts calls it); everything else receives the parsed object.
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
  /** Byte bound of the slot cache. Default 50 MB. */
  CACHE_MAX_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
  /** Safety time-to-live of a cached slot list, in seconds. Default 300. */
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  /** How long a hold lasts, in minutes. Default 10. */
  HOLD_MINUTES: z.coerce.number().int().min(1).max(60).default(10),
  /** Connections in the pool. Default 10. */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Secret that signs session cookies. Default: random per start (sessions end on restart). */
  SESSION_SECRET: z.string().min(16).optional(),
  /** Set the Secure flag on cookies (behind HTTPS). Default off. */
  COOKIE_SECURE: bool.default(false),
  /** Origins allowed to make state-changing requests and open sockets, comma-separated. Default: same origin only. */
  ALLOWED_ORIGINS: z.string().default(''),
  /** Retention of the events table in days. Default 7. */
  EVENT_RETENTION_DAYS: z.coerce.number().min(0.0001).default(7),
  /** Log level (pino). Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Worker processes for `npm start` on one machine (sticky sessions). Default 1. */
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
});

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
  pgPoolSize: number;
  sessionSecret: string | undefined;
  cookieSecure: boolean;
  allowedOrigins: string[];
  eventRetentionDays: number;
  logLevel: RawConfig['LOG_LEVEL'];
  workers: number;
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
    pgPoolSize: c.PG_POOL_SIZE,
    sessionSecret: c.SESSION_SECRET,
    cookieSecure: c.COOKIE_SECURE,
    allowedOrigins: c.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    eventRetentionDays: c.EVENT_RETENTION_DAYS,
    logLevel: c.LOG_LEVEL,
    workers: c.WORKERS,
  };
}
