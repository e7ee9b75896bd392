// A list read from the server a page at a time, newest first, older pages on demand (`before` the
// last id held). Reading the first page again (new filters, a refresh) drops any page still on its
// way for the old ones. The admin console's audit log and messages are such lists.
import { plainMessage } from './api.ts';

export class PagedList<T extends { id: string | number }> {
  items = $state.raw<T[]>([]);
  loading = $state(false);
  error = $state('');
  /** No older items match. */
  exhausted = $state(false);
  readonly #fetch: (before: T['id'] | undefined) => Promise<T[]>;
  readonly #pageSize: number;
  #seq = 0;

  /** `fetch(before)` reads one page of at most `pageSize` items older than `before` (all when undefined). */
  constructor(fetch: (before: T['id'] | undefined) => Promise<T[]>, pageSize: number) {
    this.#fetch = fetch;
    this.#pageSize = pageSize;
  }

  /** Reads the newest page again; resolves with the page read, or null if it failed or was dropped. */
  reload(): Promise<T[] | null> {
    this.#seq++;
    this.items = [];
    this.exhausted = false;
    this.loading = false;
    return this.more();
  }

  /** Reads the next older page (nothing while a read runs or when none is left). */
  async more(): Promise<T[] | null> {
    if (this.loading || this.exhausted) return null;
    const seq = this.#seq;
    this.loading = true;
    try {
      const page = await this.#fetch(this.items.at(-1)?.id);
      if (seq !== this.#seq) return null;
      const held = new Set(this.items.map((x) => x.id));
      this.items = [...this.items, ...page.filter((x) => !held.has(x.id))];
      if (page.length < this.#pageSize) this.exhausted = true;
      this.error = '';
      return page;
    } catch (err) {
      if (seq === this.#seq) this.error = plainMessage(err);
      return null;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Shows an error without reading (a filter the server would refuse). */
  fail(message: string): void {
    this.error = message;
  }
}
