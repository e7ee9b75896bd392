import express, { type Express } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Pool } from './db/pool.ts';
import { catalogueRoutes } from './catalogue/routes.ts';
import { SalonSettings } from './salon.ts';
import { apiNotFound, errorHandler } from './http/handlers.ts';
import { refuseNulInBody } from './http/no-nul.ts';
import { openApiRoutes } from './http/openapi-route.ts';
import { Readiness } from './http/readiness.ts';
import { WEB_DIST } from './web-dist.ts';
import { requestLog } from './http/request-log.ts';
import { AVAILABLE_SLOTS_PATH, availableDaysRoutes, availableSlotsHandler } from './slots/routes.ts';
import { AnySlots } from './slots/any.ts';
import { AvailableDays } from './slots/days.ts';
import { AnyStylistBookings } from './bookings/any.ts';
import { SlotService } from './slots/service.ts';
import { slotMissLimiter } from './slots/limit.ts';
import { CachePrefill } from './slots/prefill.ts';
import { AdminService } from './admin/service.ts';
import { adminRoutes } from './admin/routes.ts';
import { reportRoutes } from './admin/report-routes.ts';
import { OverrideService } from './overrides/service.ts';
import { overrideRoutes } from './overrides/routes.ts';
import { stylistAdminRoutes } from './admin/stylist-routes.ts';
import { StylistEditor } from './admin/stylists.ts';
import { ServiceCatalogueAdmin } from './admin/services.ts';
import { TimeOffService } from './time-off/service.ts';
import { timeOffRoutes } from './time-off/routes.ts';
import { answerClientError } from './http/client-error.ts';
import { sameOriginOnly } from './http/origin.ts';
import { authRoutes } from './auth/routes.ts';
import { createSessionMiddleware } from './auth/session.ts';
import { bookingRoutes } from './bookings/routes.ts';
import { alternativeRoutes } from './bookings/alternatives.ts';
import { BookingService } from './bookings/service.ts';
import { stylistRoutes } from './stylist/routes.ts';
import { announcementRoutes } from './announcements/routes.ts';
import { httpMetrics, metricsRoute } from './http/metrics.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createRealtime, type Realtime } from './realtime/index.ts';
import { DeskBookings } from './desk/bookings.ts';
import { deskRoutes } from './desk/routes.ts';
import { createMailMetrics, type MailMetrics } from './mail/metrics.ts';
import { messageRoutes } from './mail/routes.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { manageLinkKeys, type ManageLinkKeys } from './manage/links.ts';
import { manageRoutes } from './manage/routes.ts';
import { ManageService } from './manage/service.ts';
import { WaitlistService } from './waitlist/service.ts';
import { waitlistRoutes } from './waitlist/routes.ts';
import { enqueueOfferMessage } from './mail/enqueue.ts';

export interface AppDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  /** The clock; tests pass a fake one. */
  now?: () => number;
}

export interface App {
  express: Express;
  slots: SlotService;
  readiness: Readiness;
  metrics: Metrics;
  salon: SalonSettings;
  /** The messages' metrics (the job runner, started apart, counts into them: server/mail/index.ts). */
  mailMetrics: MailMetrics;
  /** Relay, Socket.IO server, hold sweeper and event pruner (started by attach). */
  realtime: Realtime;
  /** The live waitlist: offers made as the relay sees time freed; `onOffered` is the e-mail seam. */
  waitlist: WaitlistService;
  /** Loads the session secrets and attaches the realtime side to a listening-ready HTTP server. */
  attach(server: http.Server): Promise<void>;
  /** Stops background work (listener, timers, sockets); the caller closes the server and the pool. */
  close(): Promise<void>;
  /** What signs manage links (server/manage/links.ts manageUrl), loaded once. */
  manageKeys(): Promise<ManageLinkKeys>;
}

/** Builds the whole application from its dependencies. Reads no environment and listens on nothing. */
export function createApp(deps: AppDeps): App {
  const { config, pool, log } = deps;
  const now = deps.now ?? Date.now;
  const slots = new SlotService({
    pool,
    cacheEnabled: config.cacheEnabled,
    cacheMaxBytes: config.cacheMaxBytes,
    cacheTtlMs: config.cacheTtlMs,
    now,
  });
  const salon = new SalonSettings(pool, config.salonTimezone, config.mail.salonName);
  const anySlots = new AnySlots({ pool, slots, salon });
  const days = new AvailableDays({ slots, any: anySlots });
  const prefill =
    config.cachePrefill.enabled && config.cacheEnabled
      ? new CachePrefill({ pool, slots, share: config.cachePrefill.share, everyMs: config.cacheTtlMs, log })
      : undefined;
  const limitMisses = slotMissLimiter({ windowMs: config.rateLimitWindowMs, limit: config.rateLimitSlotMisses });
  const readiness = new Readiness();
  readiness.add('database', async () => (await pool.query<{ ok: number }>('select 1 as ok')).rows[0]?.ok === 1);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (config.trustProxy) app.set('trust proxy', 1);
  const metrics = createMetrics({
    slotCache: () => slots.cacheStats(),
  });
  app.use(helmet());
  // The hottest path first: public, cached, no session lookup, no body parsing; it records its own
  // latency, so it runs ahead of the generic metrics middleware too.
  app.get(AVAILABLE_SLOTS_PATH, availableSlotsHandler(slots, metrics, limitMisses, anySlots));
  app.use(httpMetrics(metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const s = await readiness.status();
    res.status(s.ready ? 200 : 503).json(
      s.ready
        ? s
        : {
            ...s,
            error: {
              code: 'NOT_READY',
              message: `Not ready: ${Object.entries(s.checks)
                .filter(([, ok]) => !ok)
                .map(([n]) => n)
                .join(', ')}`,
            },
          },
    );
  });

  app.use(metricsRoute(metrics, config.realtime.metricsToken));
  // A log line per API request from here on: not the slot route, health checks or /metrics above.
  app.use('/api', requestLog(log));

  // The public catalogue: also before body parsing and sessions.
  app.use(catalogueRoutes({ pool, currency: config.currency, salon }));
  // A month at a glance (public, from the slot cache; misses share the slot route's budget).
  app.use(availableDaysRoutes(days, limitMisses));
  // The OpenAPI document of this contract (server/contract/routes-table.ts): public, built once.
  app.use(openApiRoutes());

  // Accounts, holds, bookings, stylist and admin APIs: origin check, JSON bodies, then the session.
  // `sessions` is the same middleware the socket server must use (io.engine.use(sessions)).
  const sessions = createSessionMiddleware({ config, pool, log });
  app.use('/api', sameOriginOnly(config), express.json({ limit: config.bodyLimitBytes }), refuseNulInBody, sessions);
  const mailMetrics = createMailMetrics(metrics.registry, pool, log);
  const waitlist = new WaitlistService({ pool, slots, salon, log, now, offerMinutes: config.waitlistOfferMinutes });
  // Each offer's e-mail is a job added in the offer's own transaction (whichever process runs jobs sends it).
  waitlist.onOffered((db, { offer }) => enqueueOfferMessage(db, offer.id));
  const realtime = createRealtime({
    config,
    pool,
    log,
    slots,
    anySlots,
    days,
    metrics,
    sessionMiddleware: sessions,
    onEvents: (events) => waitlist.queue.noteEvents(events),
  });
  readiness.add('listener', () => realtime.relay.ready);
  app.use(authRoutes({ pool, config }));
  const bookings = new BookingService({
    pool,
    slots,
    now,
    holdMinutes: config.holdMinutes,
    holdRenewalWindowMinutes: config.holdRenewalWindowMinutes,
  });
  app.use(bookingRoutes({ bookings, anyStylist: new AnyStylistBookings({ pool, bookings, anySlots }), config }));
  app.use(alternativeRoutes({ pool, slots }));
  let keys: Promise<ManageLinkKeys> | undefined;
  const manageKeys = () =>
    (keys ??= manageLinkKeys(pool, { baseUrl: config.publicUrl, ttlDays: config.manageLinkDays, now }).catch((err: unknown) => {
      keys = undefined;
      throw err;
    }));
  app.use(
    manageRoutes({ manage: new ManageService({ pool, bookings, keys: manageKeys, now, fallbackZone: config.salonTimezone }), config }),
  );
  app.use(calendarRoutes({ pool, now, publicUrl: config.publicUrl }));
  app.use(stylistRoutes({ pool, now }));
  app.use(adminRoutes({ admin: new AdminService({ pool, slots, now }), pool, metrics, salon }));
  app.use(reportRoutes({ pool, salon, currency: config.currency, now }));
  const overrides = new OverrideService({ pool, slots });
  app.use(overrideRoutes({ overrides }));
  app.use(stylistAdminRoutes({ stylists: new StylistEditor({ pool, slots }), services: new ServiceCatalogueAdmin({ pool, slots }) }));
  app.use(timeOffRoutes({ timeOff: new TimeOffService({ pool, slots, overrides, now }) }));
  app.use(announcementRoutes({ pool, now }));
  app.use(deskRoutes({ pool, salon, desk: new DeskBookings({ pool, slots, now }), config, now }));
  app.use(messageRoutes({ pool }));
  app.use(waitlistRoutes({ waitlist, config }));

  app.use('/api', apiNotFound);
  if (config.serveWeb && existsSync(WEB_DIST)) {
    // Vite's assets carry content hashes and may be cached for long; index.html must not be, or a
    // browser keeps loading the previous release's assets after a deploy.
    const noCacheHtml = (res: express.Response, file: string) => {
      if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
    };
    app.use(express.static(WEB_DIST, { index: 'index.html', maxAge: '1y', immutable: true, setHeaders: noCacheHtml }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(WEB_DIST, 'index.html'));
    });
  }
  app.use(errorHandler(log));

  return {
    express: app,
    slots,
    readiness,
    metrics,
    salon,
    mailMetrics,
    realtime,
    manageKeys,
    waitlist,
    async attach(server) {
      // Sessions need their secrets (from the database unless configured) before serving anyone.
      await sessions.ready();
      // The salon's zone is stored on first start; a broken stored value stops the start here.
      await salon.timezone();
      // The salon's name likewise (SALON_NAME at first start): messages and calendar files read it.
      await salon.name();
      server.on('clientError', answerClientError);
      await realtime.attach(server);
      // The slot cache fills itself in the background once the relay vouches for it (server/slots/prefill.ts).
      prefill?.begin();
    },
    async close() {
      await prefill?.stop();
      waitlist.queue.close();
      await realtime.close();
      await waitlist.queue.idle();
      await sessions.close();
    },
  };
}
