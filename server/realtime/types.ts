// Types shared by the realtime modules: the Socket.IO server and socket as this product types them,
// the socket limits of the configuration, and what a replay needs of a socket.
import type { Server, Socket } from 'socket.io';
import type { Config } from '../config.ts';
import type { ClientToServerEvents, ResyncPayload, ServerToClientEvents } from '../contract/socket.ts';
import type { RoomMessage } from './messages.ts';
import type { SocketUser } from './rooms.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** The socket limits of the configuration (server/config.ts documents each). */
export type SocketLimits = Config['realtime']['socket'];

/** What the server keeps on each socket (socket.data). */
export interface SocketData {
  user: SocketUser | null;
  /** The login session of a logged-in socket, from the handshake until the connection registers it with `sessions`. */
  session: { sid: string; expiresAt: number | null } | null;
  lastEventId: number | undefined;
  /** keyString → display zone ('' = the stylist's); created on the first watch (most sockets of staff never watch). */
  watching: Map<string, string> | null;
  /** The socket's watch/unwatch token bucket (limits.ts). */
  tokens: number;
  tokensAt: number;
}

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export type ResyncReason = ResyncPayload['reason'];

/** What a replaying socket needs from the socket layer. */
export interface ReplayTarget {
  /** The rooms the socket will be in: a message reaches it when it names one of them. */
  rooms: ReadonlySet<string>;
  readonly connected: boolean;
  send(m: RoomMessage): void;
  /** Joins the live rooms; called synchronously right after the last replayed message. */
  join(): void;
}
