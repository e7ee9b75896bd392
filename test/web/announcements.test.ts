// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Announcements } from '../../web/src/lib/announcements.svelte.ts';
import { Api } from '../../web/src/lib/api.ts';
import { createAppContext } from '../../web/src/lib/app.ts';
import { LiveConnection } from '../../web/src/lib/live.svelte.ts';
import type { CurrentAnnouncement } from '../../web/src/lib/types.ts';
import { errorBody, fakeFetch, fakeSocketFactory } from './fakes.ts';

const a = (id: string, at: string, audience: CurrentAnnouncement['audience'] = 'all'): CurrentAnnouncement => ({
  id,
  message: `message ${id}`,
  level: 'info',
  audience,
  at,
});

/** A Storage in memory, so tests do not share the page's localStorage. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

function live() {
  const f = fakeSocketFactory();
  const conn = new LiveConnection({ createSocket: f.createSocket, eventTarget: null });
  conn.start();
  return { conn, socket: f.socket };
}

afterEach(() => vi.restoreAllMocks());

describe('Announcements', () => {
  it('shows the current ones newest first, at most three, and keeps a dismissal across page loads', async () => {
    const storage = memoryStorage();
    const current = [
      a('a4', '2027-03-10T04:00:00Z'),
      a('a3', '2027-03-10T03:00:00Z'),
      a('a2', '2027-03-10T02:00:00Z'),
      a('a1', '2027-03-10T01:00:00Z'),
    ];
    const api = new Api(fakeFetch({ 'GET /api/announcements/current': () => ({ body: current }) }));
    const first = new Announcements(undefined, api, storage);
    await first.load();
    expect(first.items.map((x) => x.id)).toEqual(['a4', 'a3', 'a2']);
    first.dismiss('a4');
    expect(first.items.map((x) => x.id)).toEqual(['a3', 'a2']);
    const reopened = new Announcements(undefined, api, storage);
    await reopened.load();
    expect(reopened.items.map((x) => x.id)).toEqual(['a3', 'a2', 'a1']);
  });

  it('keeps one pushed live while the read was on its way, and re-reads after a resync', async () => {
    const { conn, socket } = live();
    await vi.waitFor(() => expect(socket().connected).toBe(true));
    let release: () => void = () => {};
    let reads = 0;
    const api = new Api(
      fakeFetch({
        'GET /api/announcements/current': async () => {
          reads++;
          if (reads === 1) await new Promise<void>((r) => (release = r));
          return { body: [a('old', '2027-03-10T01:00:00Z')] };
        },
      }),
    );
    const ann = new Announcements(conn, api, memoryStorage());
    const loading = ann.load();
    socket().push('announcement', { eventId: 5, ...a('new', '2027-03-10T05:00:00Z') });
    release();
    await loading;
    expect(ann.items.map((x) => x.id)).toEqual(['new', 'old']);
    socket().push('resync', { reason: 'pruned' });
    await vi.waitFor(() => expect(reads).toBe(2));
  });

  it('reads the banners again when the signed-in user changes (another audience)', async () => {
    const f = fakeSocketFactory();
    let user: object | null = null;
    const ctx = createAppContext({
      fetch: fakeFetch({
        'POST /api/auth/login': () => {
          user = { id: 's', email: 's@x.test', displayName: 'Sita', role: 'stylist', stylistId: 'st' };
          return { body: { user } };
        },
        'GET /api/announcements/current': () => ({
          body: user ? [a('staff', '2027-03-10T02:00:00Z', 'stylists')] : [a('clients', '2027-03-10T01:00:00Z', 'customers')],
        }),
      }),
      live: { createSocket: f.createSocket, eventTarget: null },
    });
    await ctx.announcements.load();
    expect(ctx.announcements.items.map((x) => x.id)).toEqual(['clients']);
    await ctx.session.login('s@x.test', 'password');
    await vi.waitFor(() => expect(ctx.announcements.items.map((x) => x.id)).toEqual(['staff']));
  });

  it('leaves the banners alone when the read fails', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ann = new Announcements(
      undefined,
      new Api(fakeFetch({ 'GET /api/announcements/current': () => ({ status: 503, body: errorBody('NOT_READY') }) })),
      memoryStorage(),
    );
    ann.add(a('live', '2027-03-10T01:00:00Z'));
    await ann.load();
    expect(ann.items.map((x) => x.id)).toEqual(['live']);
  });
});
