// The console's Messages page: every message the salon sent (or kept in the local mailbox), newest
// first, with its delivery state; one opened to read its text and HTML parts.
import { plainMessage, query, type Api } from '../lib/api.ts';
import { PagedList } from '../lib/paged-list.svelte.ts';
import type { Message, MessageStatus, MessageSummary } from '../lib/types.ts';

export const MESSAGES_PAGE = 50;

export const STATUS_LABELS: Record<MessageStatus, string> = {
  pending: 'Waiting',
  sent: 'Sent',
  retrying: 'Retrying',
  failed: 'Failed',
  skipped: 'Not sent',
};

export class Mailbox extends PagedList<MessageSummary> {
  /** '' for every status. */
  statusFilter = $state<MessageStatus | ''>('');
  opened = $state.raw<Message | null>(null);
  openError = $state('');
  #api: Api;
  #openSeq = 0;

  constructor(api: Api) {
    super(MESSAGES_PAGE);
    this.#api = api;
  }

  protected fetchPage(before: number | undefined): Promise<MessageSummary[]> {
    return this.#api.get<MessageSummary[]>(`/api/admin/messages${query({ limit: MESSAGES_PAGE, before, status: this.statusFilter })}`);
  }

  async filter(status: MessageStatus | ''): Promise<void> {
    this.statusFilter = status;
    await this.load();
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
