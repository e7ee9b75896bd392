import type { LiveConnection } from './live.svelte.ts';
import type { Announcement } from './types.ts';

/** Announcements pushed live to this user's audience, shown as banners until dismissed. */
export class Announcements {
  items = $state.raw<Announcement[]>([]);

  constructor(live?: LiveConnection) {
    live?.on('announcement', (a) => this.add(a));
  }

  add(a: Announcement): void {
    if (this.items.some((x) => x.id === a.id)) return;
    // Newest first; a handful at most on screen.
    this.items = [a, ...this.items].slice(0, 3);
  }

  dismiss(id: string): void {
    this.items = this.items.filter((a) => a.id !== id);
  }
}
