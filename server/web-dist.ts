import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built web app (`npm run build:web`, Vite's output), served by the app unless SERVE_WEB=0. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

/**
 * Throws, saying what to do, when the web app has not been built into `dir`. Building needs the dev
 * dependencies (Vite, the Svelte plugin), which a production install (`npm ci --omit=dev`) leaves
 * out: the build is made where they are and shipped with the server (docs/operations.md, Production).
 */
export function assertWebBuilt(dir: string = WEB_DIST): void {
  if (existsSync(path.join(dir, 'index.html'))) return;
  throw new Error(
    `the web app is not built (${path.join(dir, 'index.html')} is missing): run \`npm run build:web\` where the dev dependencies are ` +
      'installed and ship web/dist with the server, or set SERVE_WEB=0 to serve the API only',
  );
}
