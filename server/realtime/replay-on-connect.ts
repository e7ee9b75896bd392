// A socket that connects with `auth: {lastEventId}` is sent what it missed, then joins its rooms
// (the relay's replay log does both with no gap). Replays read the database, so they are limited
// per client IP; beyond the limit, or when the replay is impossible, the socket joins its rooms and
// gets `resync` (the client re-fetches).
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Metrics } from '../metrics.ts';
import { clientKey } from './limits.ts';
import { emitRoomMessage } from './messages.ts';
import type { AppSocket, ReplayTarget, ResyncReason, SocketLimits } from './types.ts';

export interface ReplayOnConnectDeps {
  log: Logger;
  metrics: Pick<Metrics, 'replays'>;
  relay: { replay(from: number, target: ReplayTarget, maxEvents: number): Promise<ResyncReason | null> };
  limits: Pick<SocketLimits, 'replayMaxEvents' | 'replaysPerIpPerMinute'>;
  trustProxy: boolean;
}

/** Returns `(socket, rooms, lastEventId)`: replays to the socket, then joins it to `rooms`. */
export function createReplayOnConnect(deps: ReplayOnConnectDeps): (socket: AppSocket, rooms: string[], lastEventId: number) => void {
  const { log, metrics, relay, limits, trustProxy } = deps;
  // SOCKET_REPLAYS_PER_IP_PER_MINUTE, per process.
  const replays = new RateLimiterMemory({ keyPrefix: 'replay', points: limits.replaysPerIpPerMinute, duration: 60 });

  return (socket, rooms, lastEventId) => {
    const roomSet = new Set(rooms);
    // Beyond the limit the client is told to re-fetch (what it does after any failed replay) and
    // nothing is read.
    replays
      .consume(clientKey(socket.request, trustProxy))
      .then(
        () => true,
        (res: unknown) => {
          if (res instanceof Error) throw res;
          return false;
        },
      )
      .then((allowed) =>
        allowed
          ? relay.replay(
              lastEventId,
              {
                rooms: roomSet,
                get connected() {
                  return socket.connected;
                },
                send: (m) => emitRoomMessage(socket, m),
                join: () => void socket.join(rooms),
              },
              limits.replayMaxEvents,
            )
          : ('rate_limited' as const),
      )
      .then((reason) => {
        metrics.replays.inc({ outcome: reason ?? 'replayed' });
        if (reason && socket.connected) {
          void socket.join(rooms);
          socket.emit('resync', { reason });
        }
      })
      .catch((err: unknown) => {
        log.warn({ err: (err as Error).message }, 'replay failed; asking the client to resync');
        metrics.replays.inc({ outcome: 'error' });
        if (socket.connected) {
          void socket.join(rooms);
          socket.emit('resync', { reason: 'behind' });
        }
      });
  };
}
