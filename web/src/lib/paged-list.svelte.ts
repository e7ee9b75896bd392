// A list read from the server a page at a time, newest first, older pages on demand (`before` the
// last id held). Reading the first page again (new filters, a refresh) drops any page still on its
// way for the old ones. The admin console's audit log and messages are such lists: each says how to
// read a page (`fetchPage`) and may look at every page read (`onPage`).
import { plainMessage } from './api.ts';

export abstract class PagedList<T extends { id: string | number }> {
  items = $state.raw<T[]>([]);
  loading = $state(false);
  error = $state('');
  /** No older items match. */
  exhausted = $state(false);
  readonly #pageSize: number;
  #seq = 0;

  constructor(pageSize: number) {
    this.#pageSize = pageSize;
  }

  /** One page of at most the page size, older than `before` (the newest when undefined). */
  protected abstract fetchPage(before: T['id'] | undefined): Promise<T[]>;

  /** Called with every page read and kept. */
  protected onPage(page: T[]): void {
    void page;
  }

  /** Reads the newest page again (a read still running for the old filters is dropped). */
  load(): Promise<void> {
    this.#seq++;
    this.items = [];
    this.exhausted = false;
    this.loading = false;
    return this.more();
  }

  /** Reads the next older page (nothing while a read runs or when none is left). */
  async more(): Promise<void> {
    if (this.loading || this.exhausted) return;
    const seq = this.#seq;
    this.loading = true;
    try {
      const page = await this.fetchPage(this.items.at(-1)?.id);
      if (seq !== this.#seq) return;
      const held = new Set(this.items.map((x) => x.id));
      this.items = [...this.items, ...page.filter((x) => !held.has(x.id))];
      if (page.length < this.#pageSize) this.exhausted = true;
      this.error = '';
      this.onPage(page);
    } catch (err) {
      if (seq === this.#seq) this.error = plainMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
