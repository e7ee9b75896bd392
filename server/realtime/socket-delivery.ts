// Writing one encoded message to one socket, for the fan-out (fanout.ts).
//
// Socket.IO's room emit encodes a message once and builds its WebSocket frame once, then hands it to
// each socket's Engine.IO connection: a packet object, the connection's write buffer, its flush and
// drain events and a write callback per socket. For a room of thousands that per-socket bookkeeping
// costs about as much CPU as the socket writes themselves (docs/benchmarks.md, "Fan-out"). When
// the connection is on the WebSocket transport and Engine.IO holds nothing for it, writing the
// prepared frame to the connection is what Engine.IO would do in the end (its WebSocket transport
// writes the same pre-built frame with the same `sendFrame` call of `ws`), without the bookkeeping;
// otherwise the message goes through Engine.IO, behind what it holds.
//
// The direct write reads three fields of Engine.IO and `ws` that their typings do not declare (the
// connection's write buffer, the transport's `ws` socket, its sender). Each is checked before use:
// if a version of either library moves them, every message takes the Engine.IO path (slower, never
// wrong), and `test/realtime/fanout.test.ts` fails on its count of direct writes.
import * as ws from 'ws';
import type { IoServer } from './types.ts';

/** A message encoded once for every socket it goes to. */
export interface Encoded {
  /** What Socket.IO's encoder produced (one string for a message without binary parts). */
  packets: unknown[];
  /** The whole WebSocket text frame (header and the Engine.IO message packet), or null if the message cannot be pre-framed. */
  frame: [Buffer] | null;
}

/** Socket.IO protocol packet type of an event (socket.io-parser's PacketType.EVENT). */
const EVENT = 2;
/** Engine.IO protocol packet type of a message. */
const ENGINE_MESSAGE = '4';

interface FrameBuilder {
  frame(data: Buffer, opts: { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: boolean }): Buffer[];
}
// ws exports its Sender (the frame builder Engine.IO's adapter uses too), without a type for it.
const Sender = (ws as unknown as { Sender?: FrameBuilder }).Sender;

export function encodeEvent(io: IoServer, event: string, payload: unknown): Encoded {
  const packets = io.encoder.encode({ type: EVENT, data: [event, payload], nsp: '/' }) as unknown[];
  let frame: [Buffer] | null = null;
  if (Sender && packets.length === 1 && typeof packets[0] === 'string') {
    // An unmasked, final text frame, as a server sends (RFC 6455 §5.2), built by ws itself; its
    // header and body joined into one buffer so each socket costs one write.
    const parts = Sender.frame(Buffer.from(ENGINE_MESSAGE + packets[0]), {
      readOnly: false,
      mask: false,
      rsv1: false,
      opcode: 1,
      fin: true,
    });
    frame = [parts.length === 1 ? parts[0] : Buffer.concat(parts)];
  }
  return { packets, frame };
}

interface EngineConnection {
  readyState?: string;
  writeBuffer?: unknown[];
  transport?: { name?: string; perMessageDeflate?: unknown; socket?: { _sender?: { sendFrame?: (list: Buffer[]) => void } } };
}
interface EngineClient {
  writeToEngine(packets: unknown[], opts: { preEncoded: boolean; wsPreEncodedFrame?: Buffer[] }): void;
}

/** Writes the message to one socket; true when it went straight to the WebSocket connection. */
export function writeEncoded(socket: { conn: unknown; client: unknown }, message: Encoded): boolean {
  const frame = message.frame;
  if (frame) {
    const conn = socket.conn as EngineConnection;
    const transport = conn.transport;
    const sender = transport?.socket?._sender;
    if (
      conn.readyState === 'open' &&
      Array.isArray(conn.writeBuffer) &&
      conn.writeBuffer.length === 0 &&
      transport?.name === 'websocket' &&
      !transport.perMessageDeflate &&
      typeof sender?.sendFrame === 'function'
    ) {
      sender.sendFrame(frame);
      return true;
    }
  }
  // Engine.IO queues it behind anything it holds for this socket and writes it when it can, with
  // the pre-built frame when the transport can take one.
  const client = socket.client as EngineClient;
  client.writeToEngine(message.packets, frame ? { preEncoded: true, wsPreEncodedFrame: frame } : { preEncoded: true });
  return false;
}
