// `npm run dev`: the API server (as `npm start` runs it, restarted when server/ or sql/ change) and
// Vite's dev server with hot reload, which proxies /api, /socket.io, /metrics and the health
// checks to it (vite.config.ts). Open the URL Vite prints (default http://localhost:5173).
// Env: API_PORT (default PORT or 3000) for the API, WEB_PORT (default 5173) for Vite; everything
// else is passed to the API server as in `npm start`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'vite';

const apiPort = process.env.API_PORT ?? process.env.PORT ?? '3000';
const webPort = Number(process.env.WEB_PORT ?? 5173);
// The proxy keeps the browser's Host, so the API's same-origin checks pass; name Vite's origin too.
const origins = [process.env.ALLOWED_ORIGINS, `http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`].filter(Boolean).join(',');

let api: ChildProcess | undefined;
let stopping = false;

function startApi(): void {
  api = spawn(process.execPath, ['--watch-path=server', '--watch-path=sql', '--watch-preserve-output', 'server/main.ts'], {
    // Vite serves the web app (with hot reload); the API server serves the API only.
    env: { ...process.env, PORT: apiPort, ALLOWED_ORIGINS: origins, SERVE_WEB: '0' },
    stdio: 'inherit',
  });
  api.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`API server exited (${signal ?? code}); fix the error and save, or restart npm run dev.`);
  });
}

process.env.API_PORT = apiPort; // read by vite.config.ts for the proxy target
startApi();
const vite = await createServer({ configFile: 'vite.config.ts', server: { port: webPort, strictPort: false } });
await vite.listen();
vite.printUrls();
console.log(`  ➜  API:     http://localhost:${apiPort} (proxied)`);

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await vite.close().catch(() => undefined);
  if (api && api.exitCode === null) {
    // The API server stops its embedded Postgres on SIGTERM; wait so no orphan keeps the data folder.
    const exited = new Promise<void>((r) => api!.once('exit', () => r()));
    api.kill('SIGTERM');
    await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 12_000).unref())]);
  }
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
