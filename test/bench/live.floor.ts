// The floor of the live benchmark (started by live.bench.ts in its own process, like the real
// server): no Socket.IO, no Engine.IO, no relay, no cache. A bare `ws` WebSocket server (the same
// `ws` Engine.IO runs on, same version) and one pg connection that LISTENs on FLOOR_CHANNEL. On
// every notification it sends FRAME_FILE's bytes — the exact text a real `slots:update` carries on
// the wire, Engine.IO and Socket.IO prefixes included — as one text frame to every connected
// socket, from one Buffer encoded once at start. What the machine allows for "a commit somewhere
// → N sockets get the same bytes", measured with the same client processes as the real pipeline.
//
// Environment: PORT, DATABASE_URL, FLOOR_CHANNEL, FRAME_FILE. GET /healthz answers once LISTENing.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

const channel = process.env.FLOOR_CHANNEL ?? '';
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error('FLOOR_CHANNEL must be a plain lower-case identifier');
const frame = readFileSync(process.env.FRAME_FILE!);

let listening = false;
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' && listening ? 200 : 503, { 'content-type': 'text/plain' });
  res.end(listening ? 'ok' : 'starting');
});
// Per-message deflate off, as Engine.IO has it by default; no payload limit beyond ws's default.
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true });
wss.on('connection', (ws: WebSocket) => {
  ws.on('error', () => ws.terminate());
});

const listener = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'kb-bench-floor' });
listener.on('notification', (n) => {
  if (n.channel !== channel) return;
  for (const ws of wss.clients) if (ws.readyState === 1) ws.send(frame, { binary: false });
});
await listener.connect();
await listener.query(`listen ${channel}`);
listening = true;

await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(process.env.PORT), '127.0.0.1', resolve);
});

const shutdown = () => {
  for (const ws of wss.clients) ws.terminate();
  server.closeAllConnections();
  server.close(() => void listener.end().finally(() => process.exit(0)));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
