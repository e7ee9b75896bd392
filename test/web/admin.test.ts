// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  AUDIT_FAMILIES,
  AuditLog,
  OverridesAdmin,
  ScheduleEditor,
  StylistsAdmin,
  emptyOnboardDraft,
  onboardBody,
  overrideBody,
  scheduleProblems,
  usualWeek,
} from '../../web/src/admin/console.svelte.ts';
import { OpsMetrics } from '../../web/src/admin/metrics.svelte.ts';
import { parsePrometheus, total } from '../../web/src/admin/prometheus.ts';
import { Api } from '../../web/src/lib/api.ts';
import { Catalogue } from '../../web/src/lib/catalogue.svelte.ts';
import type { CurrentSchedule } from '../../web/src/lib/types.ts';
import { errorBody, fakeFetch } from './fakes.ts';

const dayName = (d: number) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d];

describe('Prometheus text', () => {
  const text = [
    '# HELP kb_sockets_connected Socket.IO connections on this process.',
    '# TYPE kb_sockets_connected gauge',
    'kb_sockets_connected 3',
    'kb_relay_events_total{kind="booking.created"} 4',
    'kb_relay_events_total{kind="hold.created"} 9',
    'kb_http_request_duration_seconds_bucket{le="+Inf",route="/api/x",method="GET",status="200"} 2',
    'kb_weird{a="q\\"uote"} NaN',
  ].join('\n');

  it('reads samples with labels and sums a family', () => {
    const s = parsePrometheus(text);
    expect(s.find((x) => x.name === 'kb_sockets_connected')?.value).toBe(3);
    expect(s.find((x) => x.name === 'kb_weird')?.labels).toEqual({ a: 'q"uote' });
    expect(total(s, ['kb_relay_events_total'])).toBe(13);
    expect(total(s, ['kb_relay_events_total'], { kind: 'booking.created' })).toBe(4);
    expect(total(s, ['kb_missing'])).toBeNull();
  });
});

describe('OpsMetrics', () => {
  const scrape = (o: { sockets: number; hits: number; misses: number; lagSum: number; lagCount: number; bookings: number }) =>
    [
      `kb_sockets_connected ${o.sockets}`,
      `kb_slot_cache_hits_total ${o.hits}`,
      `kb_slot_cache_misses_total ${o.misses}`,
      `kb_relay_lag_seconds_sum ${o.lagSum}`,
      `kb_relay_lag_seconds_count ${o.lagCount}`,
      `kb_relay_events_total{kind="booking.created"} ${o.bookings}`,
    ].join('\n');

  it('charts clients, the hit ratio and relay lag between scrapes, and the bookings of the last hour', () => {
    const m = new OpsMetrics(new Api(fakeFetch({})));
    m.ingest(scrape({ sockets: 2, hits: 90, misses: 10, lagSum: 0.01, lagCount: 5, bookings: 10 }), 0);
    expect(m.hitRatio.at(-1)?.v).toBe(90);
    expect(m.relayLag.at(-1)?.v).toBe(2);
    m.ingest(scrape({ sockets: 5, hits: 189, misses: 11, lagSum: 0.04, lagCount: 8, bookings: 12 }), 60_000);
    expect(m.clients.map((p) => p.v)).toEqual([2, 5]);
    expect(m.hitRatio.at(-1)?.v).toBe(99); // 99 hits of 100 reads in this interval
    expect(m.relayLag.at(-1)?.v).toBe(10); // 30 ms over 3 events
    expect(m.bookingsPerHour.at(-1)?.v).toBe(2);
    expect(m.missing).toEqual([]);
    expect(m.series.map((s) => s.latest)).toEqual([5, 99, 10, 2]);
    // An hour later the first scrape falls out of the window.
    m.ingest(scrape({ sockets: 5, hits: 189, misses: 11, lagSum: 0.04, lagCount: 8, bookings: 13 }), 3_630_000);
    expect(m.bookingsPerHour.at(-1)?.v).toBe(1);
  });

  it('starts over when the server restarts and says what it does not export', () => {
    const m = new OpsMetrics(new Api(fakeFetch({})));
    m.ingest(scrape({ sockets: 1, hits: 100, misses: 0, lagSum: 0, lagCount: 0, bookings: 50 }), 0);
    m.ingest('kb_sockets_connected 1\nkb_slot_cache_hits_total 1\nkb_slot_cache_misses_total 1', 2000);
    expect(m.hitRatio.at(-1)?.v).toBe(50);
    expect(m.missing).toEqual(['relay lag', 'bookings']);
  });

  it('reads the metrics through the admin API (the session, not a scrape token)', async () => {
    const paths: string[] = [];
    // Prometheus text, not JSON: a fetch of its own rather than the JSON fake.
    const m = new OpsMetrics(
      new Api(async (input: RequestInfo | URL) => {
        paths.push(input instanceof Request ? input.url : String(input));
        return new Response('# TYPE kb_sockets_connected gauge\nkb_sockets_connected 7\n', {
          headers: { 'content-type': 'text/plain; version=0.0.4' },
        });
      }),
    );
    await m.poll();
    expect(paths).toEqual(['/api/admin/metrics']);
    expect(m.clients.at(-1)?.v).toBe(7);
    expect(m.error).toBe('');
  });

  it('reports a refused metrics read in words', async () => {
    const m = new OpsMetrics(new Api(fakeFetch({ 'GET /api/admin/metrics': () => ({ status: 403, body: errorBody('FORBIDDEN') }) })));
    await m.poll();
    expect(m.error).toBe('Your account is not allowed to do that.');
  });
});

describe('schedule editor', () => {
  it('finds windows that end before they start or overlap', () => {
    expect(
      scheduleProblems(
        [
          {
            dayOfWeek: 1,
            windows: [
              { start: '10:00', end: '13:00' },
              { start: '12:30', end: '18:00' },
            ],
          },
          { dayOfWeek: 2, windows: [{ start: '14:00', end: '09:00' }] },
          {
            dayOfWeek: 3,
            windows: [
              { start: '10:00', end: '13:00' },
              { start: '14:00', end: '18:00' },
            ],
          },
        ],
        dayName,
      ),
    ).toEqual(['Mon: 10:00–13:00 overlaps 12:30–18:00.', 'Tue: 14:00–09:00 ends before it starts.']);
  });

  const current = (o: Partial<CurrentSchedule> = {}): CurrentSchedule => ({
    stylistId: 'st1',
    date: '2027-03-10',
    effectiveFrom: '2027-01-01',
    effectiveUntil: null,
    days: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, windows: d === 2 ? [{ start: '09:00', end: '17:00' }] : [] })),
    ...o,
  });

  it('starts from the schedule in force and saves the week from the chosen date', async () => {
    const puts: unknown[] = [];
    const ed = new ScheduleEditor(
      new Api(
        fakeFetch({
          'GET /api/admin/stylists/:id/schedule': () => ({ body: current({ effectiveUntil: '2027-03-31' }) }),
          'PUT /api/admin/stylists/:id/schedule': ({ body }) => {
            puts.push(body);
            return { body: {} };
          },
        }),
      ),
    );
    await ed.choose('st1', 'Asia/Kathmandu');
    expect(ed.fromTemplate).toBe(false);
    expect(ed.current?.effectiveFrom).toBe('2027-01-01');
    expect(ed.nextVersionFrom).toBe('2027-04-01');
    expect(ed.days[2].windows).toEqual([{ start: '09:00', end: '17:00' }]);
    expect(ed.days[1].windows).toEqual([]);
    ed.addWindow(6);
    expect(ed.days[6].windows).toEqual([{ start: '10:00', end: '12:00' }]);
    ed.effectiveFrom = '2027-04-01';
    expect(await ed.save(dayName)).toBe(true);
    const body = puts[0] as { effectiveFrom: string; days: { dayOfWeek: number; windows: unknown[] }[] };
    expect(body.effectiveFrom).toBe('2027-04-01');
    expect(body.days).toHaveLength(7);
    expect(body.days[2].windows).toEqual([{ start: '09:00', end: '17:00' }]);
    expect(body.days[6].windows).toEqual([{ start: '10:00', end: '12:00' }]);
  });

  it('starts a stylist without a schedule from the salon\u2019s usual week', async () => {
    const ed = new ScheduleEditor(
      new Api(
        fakeFetch({
          'GET /api/admin/stylists/:id/schedule': () => ({
            body: current({ effectiveFrom: null, days: [0, 1, 2, 3, 4, 5, 6].map((d) => ({ dayOfWeek: d, windows: [] })) }),
          }),
        }),
      ),
    );
    await ed.choose('st1', 'Asia/Kathmandu');
    expect(ed.fromTemplate).toBe(true);
    expect(ed.days).toEqual(usualWeek());
    expect(ed.days[6].windows).toEqual([]);
    expect(ed.days[5].windows).toEqual([
      { start: '10:00', end: '13:00' },
      { start: '14:00', end: '16:00' },
    ]);
  });

  it('refuses to save over a schedule it could not read', async () => {
    const puts: unknown[] = [];
    const ed = new ScheduleEditor(
      new Api(
        fakeFetch({
          'GET /api/admin/stylists/:id/schedule': () => ({ status: 404, body: errorBody('NOT_FOUND') }),
          'PUT /api/admin/stylists/:id/schedule': ({ body }) => {
            puts.push(body);
            return { body: {} };
          },
        }),
      ),
    );
    await ed.choose('st1', 'Asia/Kathmandu');
    expect(ed.readFailed).toBe(true);
    expect(ed.error).toBe('We could not find that. It may have been removed or changed.');
    expect(await ed.save(dayName)).toBe(false);
    expect(puts).toEqual([]);
  });

  it('keeps the last stylist chosen when answers arrive out of order', async () => {
    let release: () => void = () => {};
    const ed = new ScheduleEditor(
      new Api(
        fakeFetch({
          'GET /api/admin/stylists/:id/schedule': async ({ path }) => {
            if (path.includes('/slow/')) await new Promise<void>((r) => (release = r));
            return { body: current({ stylistId: path.split('/')[4] }) };
          },
        }),
      ),
    );
    const slow = ed.choose('slow', 'Asia/Kathmandu');
    await ed.choose('fast', 'Asia/Kathmandu');
    release();
    await slow;
    expect(ed.stylistId).toBe('fast');
    expect(ed.current?.stylistId).toBe('fast');
  });
});

describe('overrides', () => {
  const draft = {
    scope: 'salon' as const,
    stylistId: '',
    startDate: '2027-03-10',
    endDate: '',
    kind: 'closed' as const,
    start: '10:00',
    end: '12:00',
    priority: 0,
    reason: ' Holiday ',
  };

  it('builds the contract body for each kind', () => {
    expect(overrideBody(draft)).toEqual({
      scope: 'salon',
      startDate: '2027-03-10',
      endDate: '2027-03-10',
      kind: 'closed',
      reason: 'Holiday',
    });
    expect(overrideBody({ ...draft, scope: 'stylist', stylistId: 'st1', kind: 'hours', priority: 5 })).toEqual({
      scope: 'stylist',
      stylistId: 'st1',
      startDate: '2027-03-10',
      endDate: '2027-03-10',
      kind: 'hours',
      start: '10:00',
      end: '12:00',
      priority: 5,
      reason: 'Holiday',
    });
  });

  it('previews the affected bookings before creating, then lists them after', async () => {
    const affected = [
      {
        id: 'b1',
        customerId: 'c',
        stylistId: 'st1',
        serviceId: 'sv',
        startUtc: '2027-03-10T04:15:00Z',
        endUtc: '2027-03-10T05:00:00Z',
        status: 'confirmed',
        priceCents: 1,
        notes: '',
        createdAt: '',
      },
    ];
    const created: unknown[] = [];
    const ov = new OverridesAdmin(
      new Api(
        fakeFetch({
          'POST /api/admin/overrides/preview': () => ({ body: { affectedBookings: affected } }),
          'POST /api/admin/overrides': ({ body }) => {
            created.push(body);
            return {
              status: 201,
              body: {
                override: {
                  id: 'o1',
                  ...(body as object),
                  stylistId: null,
                  start: null,
                  end: null,
                  priority: 0,
                  createdBy: null,
                  createdAt: '',
                },
                affectedBookings: affected,
              },
            };
          },
        }),
      ),
    );
    ov.draft = { ...draft };
    await ov.preview();
    expect(ov.phase).toBe('preview');
    expect(ov.affected).toEqual(affected);
    expect(created).toEqual([]);
    await ov.confirm();
    expect(created).toHaveLength(1);
    expect(ov.phase).toBe('created');
    expect(ov.message).toBe('Saved. 1 booking needs attention: they were not cancelled.');
    expect(ov.items.map((o) => o.id)).toEqual(['o1']);
  });

  it('explains a refused preview and stays on the form', async () => {
    const ov = new OverridesAdmin(
      new Api(
        fakeFetch({
          'POST /api/admin/overrides/preview': () => ({ status: 404, body: errorBody('NOT_FOUND', 'No such stylist') }),
        }),
      ),
    );
    ov.draft = { ...draft, scope: 'stylist', stylistId: 'gone' };
    await ov.preview();
    expect(ov.phase).toBe('edit');
    expect(ov.error).toBe('We could not find that. It may have been removed or changed.');
    expect(ov.busy).toBe(false);
  });

  it('refuses an incomplete draft in words, without a request', async () => {
    const ov = new OverridesAdmin(new Api(fakeFetch({})));
    ov.draft = { ...draft, reason: '' };
    await ov.preview();
    expect(ov.error).toBe('Give a reason (customers and stylists may see it).');
    expect(ov.phase).toBe('edit');
  });
});

describe('onboarding', () => {
  it('sends the services with only the overrides that were filled in', async () => {
    const posts: unknown[] = [];
    const api = new Api(
      fakeFetch({
        'POST /api/admin/stylists': ({ body }) => {
          posts.push(body);
          return { status: 201, body: {} };
        },
        'GET /api/salon': () => ({ body: { timezone: 'Europe/Berlin', currency: 'EUR' } }),
        'GET /api/services': () => ({ body: [] }),
        'GET /api/stylists': () => ({ body: [] }),
      }),
    );
    const catalogue = new Catalogue(api);
    await catalogue.load();
    const admin = new StylistsAdmin(api, catalogue);
    // No zone chosen: the salon's.
    admin.draft = {
      ...emptyOnboardDraft(),
      displayName: 'Mina',
      email: 'Mina@Salon.test',
      password: 'password1',
      services: {
        s1: { on: true, durationMinutes: null, price: '' },
        s2: { on: true, durationMinutes: 50, price: 1200.5 },
        s3: { on: false, durationMinutes: '', price: '' },
      },
    };
    expect(await admin.onboard()).toBe(true);
    expect(posts[0]).toEqual({
      displayName: 'Mina',
      email: 'mina@salon.test',
      password: 'password1',
      timezone: 'Europe/Berlin',
      slotStepMinutes: 30,
      bufferMinutes: 15,
      minNoticeMinutes: 60,
      horizonDays: 60,
      services: [{ serviceId: 's1' }, { serviceId: 's2', durationMinutes: 50, priceCents: 120050 }],
    });
    expect(admin.draft.displayName).toBe('');
    expect(onboardBody(emptyOnboardDraft()).services).toEqual([]);
  });

  it('explains a duplicate email in words', async () => {
    const api = new Api(fakeFetch({ 'POST /api/admin/stylists': () => ({ status: 409, body: errorBody('CONFLICT') }) }));
    const admin = new StylistsAdmin(api, new Catalogue(api));
    admin.draft = {
      ...emptyOnboardDraft(),
      displayName: 'Mina',
      email: 'mina@salon.test',
      password: 'password1',
      services: { s1: { on: true, durationMinutes: '', price: '' } },
    };
    expect(await admin.onboard()).toBe(false);
    expect(admin.error).toMatch(/already exists/);
  });
});

describe('audit log', () => {
  const NAMES: Record<string, [string, 'admin' | 'stylist']> = { a1: ['Salon Admin', 'admin'], s1: ['Priya Gurung', 'stylist'] };
  const entry = (id: number, action: string, actorId: string | null) => ({
    id,
    at: '2027-03-10T04:00:00Z',
    actorId,
    actorName: actorId ? NAMES[actorId][0] : null,
    actorRole: actorId ? NAMES[actorId][1] : null,
    action,
    target: `booking:${id}`,
    details: { n: id },
  });
  // 30 entries, newest first: odd ones booking.status by the stylist, even ones override.create by the admin, id 1 by nobody.
  const ALL = Array.from({ length: 30 }, (_, i) => 30 - i).map((id) =>
    entry(id, id % 2 ? 'booking.status' : 'override.create', id === 1 ? null : id % 2 ? 's1' : 'a1'),
  );

  function auditLog() {
    const pages: string[] = [];
    const log = new AuditLog(
      new Api(
        fakeFetch({
          'GET /api/admin/audit-log': ({ query }) => {
            pages.push(query.toString());
            const before = Number(query.get('before') ?? 1000);
            const action = query.get('action') ?? '';
            const actor = query.get('actorId');
            const hits = ALL.filter((e) => e.id < before && e.action.startsWith(action) && (!actor || e.actorId === actor));
            return { body: hits.slice(0, Number(query.get('limit'))) };
          },
        }),
      ),
    );
    return { log, pages };
  }

  it('pages older entries with `before` and names who did what', async () => {
    const { log, pages } = auditLog();
    await log.load();
    expect(log.entries).toHaveLength(25);
    expect(log.exhausted).toBe(false);
    await log.more();
    expect(pages).toEqual(['limit=25', 'limit=25&before=6']);
    expect(log.entries).toHaveLength(30);
    expect(log.exhausted).toBe(true);
    expect(log.knownActors).toEqual([
      { id: 's1', name: 'Priya Gurung', role: 'stylist' },
      { id: 'a1', name: 'Salon Admin', role: 'admin' },
    ]);
    expect(log.actions).toEqual([...AUDIT_FAMILIES, 'booking.status', 'override.create'].sort());
  });

  it('filters by action and actor on the server, and by text among the loaded entries', async () => {
    const { log, pages } = auditLog();
    await log.load();
    await log.filter({ action: 'booking.' });
    expect(pages.at(-1)).toBe('limit=25&action=booking.');
    expect(log.entries).toHaveLength(15);
    expect(log.exhausted).toBe(true);
    await log.filter({ actorId: 'a1' });
    expect(pages.at(-1)).toBe('limit=25&action=booking.&actorId=a1');
    expect(log.entries).toEqual([]);
    // The actor stays a choice though nothing of theirs matches now.
    expect(log.knownActors.map((a) => a.id)).toEqual(['s1', 'a1']);
    await log.filter({ action: '' });
    expect(log.entries.map((e) => e.id)).toEqual([30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2]);
    log.textFilter = 'booking:2';
    expect(log.visible.map((e) => e.id)).toEqual([28, 26, 24, 22, 20, 2]);
    log.textFilter = 'salon admin';
    expect(log.visible).toHaveLength(15);
  });

  it('drops a page that arrives after the filters changed', async () => {
    let release: () => void = () => {};
    const log = new AuditLog(
      new Api(
        fakeFetch({
          'GET /api/admin/audit-log': async ({ query }) => {
            if (!query.get('action')) await new Promise<void>((r) => (release = r));
            return { body: ALL.filter((e) => e.action.startsWith(query.get('action') ?? '')).slice(0, 25) };
          },
        }),
      ),
    );
    const first = log.load();
    await log.filter({ action: 'override.' });
    release();
    await first;
    expect(log.entries.every((e) => e.action === 'override.create')).toBe(true);
    expect(log.loading).toBe(false);
  });
});
