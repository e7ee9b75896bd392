import type { Api } from './api.ts';
import type { LiveConnection } from './live.svelte.ts';
import type { Announcement, CurrentAnnouncement } from './types.ts';

/** Remembered dismissals (ids), so a dismissed banner stays away on the next page load. */
const DISMISSED_KEY = 'kb.dismissedAnnouncements';
const MAX_REMEMBERED = 50;
const SHOWN = 3;

/**
 * Announcements for this visitor's audience, shown as banners until dismissed: the current ones
 * (the last 24 h, read from the server when the page opens, when the signed-in user changes and
 * after a resync) and every one pushed live.
 */
export class Announcements {
  items = $state.raw<Announcement[]>([]);
  #api: Api | undefined;
  #storage: Storage | undefined;
  #dismissed: string[];
  #seq = 0;
  /** Pushed while a read is on its way: kept, since the read may have been answered before them. */
  #arrived: Announcement[] = [];

  constructor(live?: LiveConnection, api?: Api, storage: Storage | undefined = defaultStorage()) {
    this.#api = api;
    this.#storage = storage;
    this.#dismissed = this.#readDismissed();
    live?.on('announcement', (a) => this.add(a));
    live?.onResync(() => void this.load());
  }

  /** Replaces the banners with the server's current announcements for this visitor (not the dismissed). */
  async load(): Promise<void> {
    if (!this.#api) return;
    const seq = ++this.#seq;
    this.#arrived = [];
    try {
      const current = await this.#api.get<CurrentAnnouncement[]>('/api/announcements/current');
      if (seq !== this.#seq) return;
      const all = [...this.#arrived, ...current.filter((a) => !this.#arrived.some((x) => x.id === a.id))];
      this.items = all
        .filter((a) => !this.#dismissed.includes(a.id))
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, SHOWN);
    } catch (err) {
      // Banners are a courtesy: the page works without them, and live ones still arrive.
      console.warn('current announcements could not be read', err);
    }
  }

  add(a: Announcement): void {
    if (this.items.some((x) => x.id === a.id) || this.#dismissed.includes(a.id)) return;
    this.#arrived.push(a);
    // Newest first; a handful at most on screen.
    this.items = [a, ...this.items].slice(0, SHOWN);
  }

  dismiss(id: string): void {
    this.items = this.items.filter((a) => a.id !== id);
    this.#dismissed = [id, ...this.#dismissed.filter((d) => d !== id)].slice(0, MAX_REMEMBERED);
    try {
      this.#storage?.setItem(DISMISSED_KEY, JSON.stringify(this.#dismissed));
    } catch {
      // Storage full or refused (private mode): the dismissal lasts for this page only.
    }
  }

  #readDismissed(): string[] {
    try {
      const v: unknown = JSON.parse(this.#storage?.getItem(DISMISSED_KEY) ?? '[]');
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_REMEMBERED) : [];
    } catch {
      return [];
    }
  }
}

function defaultStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
