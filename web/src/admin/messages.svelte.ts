// The console's Messages page: every message the salon sent (or kept in the local mailbox), newest
// first, with its delivery state; one opened to read its text and HTML parts.
import { plainMessage, query, type Api } from '../lib/api.ts';
import type { Message, MessageStatus, MessageSummary } from '../lib/types.ts';

export const MESSAGES_PAGE = 50;

export const STATUS_LABELS: Record<MessageStatus, string> = {
  pending: 'Waiting',
  sent: 'Sent',
  retrying: 'Retrying',
  failed: 'Failed',
  skipped: 'Not sent',
};

export class Mailbox {
  items = $state.raw<MessageSummary[]>([]);
  loading = $state(false);
  error = $state('');
  exhausted = $state(false);
  /** '' for every status. */
  statusFilter = $state<MessageStatus | ''>('');
  opened = $state.raw<Message | null>(null);
  openError = $state('');
  #api: Api;
  #seq = 0;
  #openSeq = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  async filter(status: MessageStatus | ''): Promise<void> {
    this.statusFilter = status;
    await this.load();
  }

  /** The newest page again (a read for an older filter still running is dropped). */
  async load(): Promise<void> {
    this.#seq++;
    this.items = [];
    this.exhausted = false;
    this.loading = false;
    await this.more();
  }

  async more(): Promise<void> {
    if (this.loading || this.exhausted) return;
    const seq = this.#seq;
    this.loading = true;
    try {
      const last = this.items.at(-1);
      const page = await this.#api.get<MessageSummary[]>(
        `/api/admin/messages${query({ limit: MESSAGES_PAGE, before: last?.id, status: this.statusFilter })}`,
      );
      if (seq !== this.#seq) return;
      this.items = [...this.items, ...page.filter((m) => !this.items.some((x) => x.id === m.id))];
      if (page.length < MESSAGES_PAGE) this.exhausted = true;
      this.error = '';
    } catch (err) {
      if (seq === this.#seq) this.error = plainMessage(err);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  async open(id: number): Promise<void> {
    const seq = ++this.#openSeq;
    this.openError = '';
    try {
      const m = await this.#api.get<Message>(`/api/admin/messages/${id}`);
      if (seq === this.#openSeq) this.opened = m;
    } catch (err) {
      if (seq === this.#openSeq) this.openError = plainMessage(err);
    }
  }

  close(): void {
    this.#openSeq++;
    this.opened = null;
    this.openError = '';
  }
}
