// @vitest-environment happy-dom
// The console's Messages page: the list with each message's delivery state (attempts and the last
// error of one retrying), a filter by status, one message opened with its HTML in a sandboxed frame
// and its plain text.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, expect, it } from 'vitest';
import MessagesPanel from '../../web/src/admin/MessagesPanel.svelte';
import { Api } from '../../web/src/lib/api.ts';
import type { Message, MessageSummary } from '../../web/src/lib/types.ts';
import { errorBody, fakeFetch } from './fakes.ts';

afterEach(() => cleanup());

const sent: MessageSummary = {
  id: 2,
  kind: 'confirmed',
  bookingId: 'b1',
  to: 'ann@example.test',
  subject: 'Booking confirmed: Cut with Sita',
  status: 'sent',
  transport: 'smtp',
  attempts: 1,
  lastError: null,
  createdAt: '2027-03-01T00:00:00.000Z',
  sentAt: '2027-03-01T00:00:01.000Z',
};
const retrying: MessageSummary = {
  ...sent,
  id: 1,
  kind: 'reminder',
  subject: 'Reminder: Cut with Sita tomorrow',
  status: 'retrying',
  transport: null,
  attempts: 3,
  lastError: 'connect ECONNREFUSED 127.0.0.1:25',
  sentAt: null,
};
const full: Message = {
  ...sent,
  text: 'Hello Ann,\n\nYour booking at KB Stylish is confirmed.',
  html: '<!doctype html><p>Hello Ann, <b>confirmed</b></p><script>parent.pwned = true</script>',
  messageId: '<abc@kbstylish.test>',
  attachments: [{ filename: 'booking.ics', contentType: 'text/calendar', bytes: 321 }],
};

function panel(calls: Parameters<typeof fakeFetch>[1] = []) {
  const api = new Api(
    fakeFetch(
      {
        'GET /api/admin/messages': ({ query }) => ({
          body: query.get('status') === 'retrying' ? [retrying] : query.get('status') ? [] : [sent, retrying],
        }),
        'GET /api/admin/messages/2': () => ({ body: full }),
        'GET /api/admin/messages/1': () => ({ status: 404, body: errorBody('NOT_FOUND', 'No such message') }),
      },
      calls,
    ),
  );
  render(MessagesPanel, { props: { api } });
}

it('lists the messages newest first with their delivery state', async () => {
  panel();
  await screen.findByText('Booking confirmed: Cut with Sita');
  const rows = within(screen.getByTestId('messages-table')).getAllByRole('row');
  expect(rows).toHaveLength(3);
  expect(rows[1].textContent).toContain('Booking confirmed: Cut with Sita');
  expect(rows[1].textContent).toContain('Sent');
  expect(rows[2].textContent).toContain('Retrying');
  expect(rows[2].textContent).toContain('connect ECONNREFUSED 127.0.0.1:25');
  expect(rows[2].textContent).toContain('3');
});

it('filters by status on the server', async () => {
  const calls: Parameters<typeof fakeFetch>[1] = [];
  panel(calls);
  await screen.findByText('Booking confirmed: Cut with Sita');
  await fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'retrying' } });
  await screen.findByText(/ECONNREFUSED/);
  expect(screen.queryByText('Booking confirmed: Cut with Sita')).toBeNull();
  expect(calls.at(-1)?.path).toBe('/api/admin/messages');
});

it('opens a message: the HTML in a frame with no permissions, the plain text, the attachments', async () => {
  panel();
  await fireEvent.click(await screen.findByRole('button', { name: 'Booking confirmed: Cut with Sita' }));
  const article = await screen.findByRole('article');
  expect(within(article).getByRole('heading', { name: 'Booking confirmed: Cut with Sita' })).toBeTruthy();
  expect(article.textContent).toContain('booking.ics (321 bytes)');
  expect(screen.getByTestId('message-status').textContent).toBe('Sent (SMTP)');
  const frame = article.querySelector('iframe')!;
  expect(frame.getAttribute('sandbox')).toBe('');
  expect(frame.getAttribute('srcdoc')).toBe(full.html);
  await fireEvent.click(screen.getByRole('button', { name: 'Plain text' }));
  expect(screen.getByTestId('message-text').textContent).toBe(full.text);
  expect(article.querySelector('iframe')).toBeNull();
  await fireEvent.click(screen.getByRole('button', { name: 'Back to the list' }));
  expect(await screen.findByTestId('messages-table')).toBeTruthy();
});

it('says so when a message cannot be opened', async () => {
  panel();
  await fireEvent.click(await screen.findByRole('button', { name: 'Reminder: Cut with Sita tomorrow' }));
  expect((await screen.findByRole('alert')).textContent).toBeTruthy();
  expect(screen.getByTestId('messages-table')).toBeTruthy();
});
