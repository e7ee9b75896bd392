import { getContext, setContext } from 'svelte';
import type { Announcements } from './announcements.svelte.ts';
import type { Api } from './api.ts';
import type { Clock } from './clock.svelte.ts';
import type { LiveConnection } from './live.svelte.ts';
import type { Router } from './router.svelte.ts';
import type { Session } from './session.svelte.ts';
import type { Catalogue } from './catalogue.svelte.ts';

/** The app-wide services every surface shares; built once in main.ts (or by a test). */
export interface AppContext {
  api: Api;
  live: LiveConnection;
  session: Session;
  router: Router;
  announcements: Announcements;
  clock: Clock;
  catalogue: Catalogue;
}

const KEY = Symbol('app');

export function setApp(ctx: AppContext): AppContext {
  return setContext(KEY, ctx);
}

export function app(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('app context missing: render inside <App> or pass it in the test');
  return ctx;
}

export const APP_CONTEXT_KEY = KEY;
