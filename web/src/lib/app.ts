import { Announcements } from './announcements.svelte.ts';
import { Api, type Fetch } from './api.ts';
import { Catalogue } from './catalogue.svelte.ts';
import { Clock } from './clock.svelte.ts';
import type { AppContext } from './context.ts';
import { LiveConnection, type LiveOptions } from './live.svelte.ts';
import { Router } from './router.svelte.ts';
import { Session } from './session.svelte.ts';

/** Builds the app's shared services. Tests pass a fake fetch and socket. */
export function createAppContext(opts: { fetch?: Fetch; live?: LiveOptions; window?: Window } = {}): AppContext {
  const api = new Api(opts.fetch);
  const live = new LiveConnection(opts.live);
  const announcements = new Announcements(live, api);
  // A new user may belong to another audience: their socket rooms and their current banners change.
  const session = new Session(api, () => {
    live.reconnect();
    void announcements.load();
  });
  return {
    api,
    live,
    session,
    router: new Router(opts.window),
    announcements,
    clock: new Clock(),
    catalogue: new Catalogue(api),
  };
}
