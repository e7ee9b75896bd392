// The slots:watch and slots:unwatch handlers (and the cleanup at disconnect), built once per socket
// server from their dependencies. A watch joins the key's room for the socket's display zone and
// answers the current slots; the registry (watches.ts) counts who watches what, so the relay knows
// which keys to recompute. Payloads are validated here; the message limiter (limits.ts) has already
// bounded their size and rate.
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  slotsUnwatchPayload,
  slotsWatchPayload,
  type AckError,
  type AckFn,
  type SlotsUnwatchResult,
  type SlotsWatchResult,
} from '../contract/socket.ts';
import { AppError, fromPgError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { DayKey } from '../slots/cache.ts';
import { zoneKeyOf, type SlotService } from '../slots/service.ts';
import { ANY_STYLIST, type AnySlots } from '../slots/any.ts';
import { dayKeyString, watchRoom } from './rooms.ts';
import type { AppSocket, SocketLimits } from './types.ts';
import type { WatchRegistry } from './watches.ts';

export interface WatchHandlerDeps {
  log: Logger;
  slots: SlotService;
  /** Answers `any` keys (the union of the stylists who offer the service). */
  any?: AnySlots;
  /** The relay: watches wait for its starting point; errors while it is not ready are NOT_READY. */
  relay: { readonly started: boolean; readonly ready: boolean };
  watches: WatchRegistry;
  metrics: Pick<Metrics, 'socketRejections'>;
  limits: Pick<SocketLimits, 'maxWatches' | 'maxWatchedKeys'>;
}

export interface WatchHandlers {
  watch(socket: AppSocket, payload: unknown, ack: unknown): Promise<void>;
  unwatch(socket: AppSocket, payload: unknown, ack: unknown): void;
  /** At disconnect: the socket's watches end. */
  forget(socket: AppSocket): void;
}

export function createWatchHandlers(deps: WatchHandlerDeps): WatchHandlers {
  const { log, slots, relay, watches, metrics, limits, any } = deps;
  const answer = async (key: DayKey, zone: string | undefined) => {
    if (key.stylistId !== ANY_STYLIST) {
      const a = await slots.answer(key, zone);
      return { version: a.entry.version, slots: a.slots };
    }
    if (!any) throw new AppError('NOT_FOUND', 'Any-stylist answers are not available here');
    return any.answer(key.serviceId, key.date, zone);
  };

  const stop = (socket: AppSocket, ks: string, zone: string) => {
    socket.data.watching?.delete(ks);
    void socket.leave(watchRoom(ks, zone));
    watches.remove(ks, zone);
  };

  return {
    async watch(socket, payload, ack) {
      const reply: AckFn<SlotsWatchResult> = typeof ack === 'function' ? (ack as AckFn<SlotsWatchResult>) : () => undefined;
      let added: { ks: string; zone: string } | null = null;
      try {
        const p = parse(slotsWatchPayload, payload);
        if (!relay.started) throw new AppError('NOT_READY', 'The live feed is starting; try again shortly');
        const key: DayKey = { stylistId: p.stylistId, serviceId: p.serviceId, date: p.date };
        const ks = dayKeyString(key);
        // Aliases of one zone share a room (and a rendering): keyed by the canonical name.
        const zone = zoneKeyOf(p.customerTimezone);
        const watching = (socket.data.watching ??= new Map<string, string>());
        const previous = watching.get(ks);
        if (previous === undefined && watching.size >= limits.maxWatches) {
          metrics.socketRejections.inc({ reason: 'watches' });
          throw new AppError('RATE_LIMITED', `At most ${limits.maxWatches} watched keys per connection`);
        }
        // Each distinct key costs a recomputation per change: bound them per process. A key someone
        // here already watches costs nothing more.
        if (previous === undefined && watches.get(ks) === undefined && watches.size >= limits.maxWatchedKeys) {
          metrics.socketRejections.inc({ reason: 'watched_keys' });
          throw new AppError('RATE_LIMITED', 'This server is watching too many days right now; try again shortly');
        }
        // Join before computing: an update computed after this point reaches the socket, and the
        // answer below is computed after it too, so nothing falls between the two.
        if (previous !== zone) {
          if (previous !== undefined) {
            void socket.leave(watchRoom(ks, previous));
            watches.remove(ks, previous);
          }
          void socket.join(watchRoom(ks, zone));
          watches.add(key, zone);
          watching.set(ks, zone);
          added = { ks, zone };
        }
        let a = await answer(key, p.customerTimezone);
        // Never answer older than an update this key's room has already been sent.
        const w = watches.get(ks);
        if (w && a.version < w.lastPushedVersion) a = await answer(key, p.customerTimezone);
        reply({ ok: true, data: { version: a.version, slots: a.slots } });
      } catch (err) {
        if (added && socket.data.watching?.get(added.ks) === added.zone) stop(socket, added.ks, added.zone);
        reply({ ok: false, error: toAckError(err, log, relay.ready) });
      }
    },

    unwatch(socket, payload, ack) {
      const reply: AckFn<SlotsUnwatchResult> = typeof ack === 'function' ? (ack as AckFn<SlotsUnwatchResult>) : () => undefined;
      try {
        const p = parse(slotsUnwatchPayload, payload);
        const ks = dayKeyString(p);
        const zone = socket.data.watching?.get(ks);
        if (zone !== undefined) stop(socket, ks, zone);
        reply({ ok: true, data: { watching: socket.data.watching?.size ?? 0 } });
      } catch (err) {
        reply({ ok: false, error: toAckError(err, log, relay.ready) });
      }
    },

    forget(socket) {
      for (const [ks, zone] of socket.data.watching ?? []) watches.remove(ks, zone);
      socket.data.watching = null;
    },
  };
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new AppError(
      'INVALID_INPUT',
      'Some fields are missing or invalid: ' + r.error.issues.map((i) => `${i.path.join('.') || '(payload)'} ${i.message}`).join('; '),
    );
  }
  return r.data;
}

function toAckError(err: unknown, log: Logger, ready: boolean): AckError {
  const e = err instanceof AppError ? err : fromPgError(err);
  if (e) return { code: e.code, message: e.message };
  if (!ready) return { code: 'NOT_READY', message: 'The database is unavailable; try again shortly' };
  log.error({ err }, 'socket handler failed');
  return { code: 'INTERNAL', message: 'Something went wrong on our side; please try again' };
}
