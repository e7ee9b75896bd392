// The admin console's state: onboarding stylists, the weekly schedule editor, overrides with a
// preview of the bookings they would affect, announcements and the audit log.
import { plainMessage, query, type Api } from '../lib/api.ts';
import { attempt } from '../lib/attempt.ts';
import { PagedList } from '../lib/paged-list.svelte.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import type { LiveConnection } from '../lib/live.svelte.ts';
import { addDays, browserZone, dateIn } from '../lib/time.ts';
import type {
  AffectedBooking,
  AnnouncementLevel,
  Audience,
  AuditEntry,
  CurrentSchedule,
  NewStylistInput,
  Override,
  OverrideInput,
  OverridePreviewResponse,
  ScheduleDay,
} from '../lib/types.ts';

// Stylists -----------------------------------------------------------------------------------------

export interface OnboardDraft {
  displayName: string;
  email: string;
  password: string;
  timezone: string;
  bio: string;
  slotStepMinutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
  /** serviceId → chosen, with optional duration/price overrides (empty = the service's own). Number inputs bind numbers. */
  services: Record<string, { on: boolean; durationMinutes: string | number | null; price: string | number | null }>;
}

export function emptyOnboardDraft(): OnboardDraft {
  return {
    // '' until chosen: the salon's zone (StylistsAdmin.zone).
    displayName: '',
    email: '',
    password: '',
    timezone: '',
    bio: '',
    slotStepMinutes: 30,
    bufferMinutes: 15,
    minNoticeMinutes: 60,
    horizonDays: 60,
    services: {},
  };
}

export function onboardBody(d: OnboardDraft): NewStylistInput {
  return {
    displayName: d.displayName.trim(),
    email: d.email.trim().toLowerCase(),
    password: d.password,
    timezone: d.timezone,
    ...(d.bio.trim() ? { bio: d.bio.trim() } : {}),
    slotStepMinutes: Number(d.slotStepMinutes),
    bufferMinutes: Number(d.bufferMinutes),
    minNoticeMinutes: Number(d.minNoticeMinutes),
    horizonDays: Number(d.horizonDays),
    services: Object.entries(d.services)
      .filter(([, s]) => s.on)
      .map(([serviceId, s]) => {
        const duration = String(s.durationMinutes ?? '').trim();
        const price = String(s.price ?? '').trim();
        return {
          serviceId,
          ...(duration ? { durationMinutes: Number(duration) } : {}),
          ...(price ? { priceCents: Math.round(Number(price) * 100) } : {}),
        };
      }),
  };
}

export class StylistsAdmin {
  draft = $state<OnboardDraft>(emptyOnboardDraft());
  busy = $state(false);
  error = $state('');
  message = $state('');
  #api: Api;
  #catalogue: Catalogue;

  constructor(api: Api, catalogue: Catalogue) {
    this.#api = api;
    this.#catalogue = catalogue;
  }

  /** The new stylist's zone: the one chosen, else the salon's. */
  zone = $derived.by(() => this.draft.timezone || this.#catalogue.salonZone || '');

  /** Checks a person can fix before the server sees the form; '' when fine. */
  problem = $derived.by(() => {
    const d = this.draft;
    if (!d.displayName.trim()) return 'Enter the stylist’s name.';
    if (!/^\S+@\S+\.\S+$/.test(d.email.trim())) return 'Enter a valid email address for the stylist’s login.';
    if (d.password.length < 8) return 'The password needs at least 8 characters.';
    if (!Object.values(d.services).some((s) => s.on)) return 'Choose at least one service the stylist offers.';
    return '';
  });

  async onboard(): Promise<boolean> {
    if (this.problem) {
      this.error = this.problem;
      return false;
    }
    this.message = '';
    return attempt(this, async () => {
      await this.#api.post('/api/admin/stylists', onboardBody({ ...this.draft, timezone: this.zone }));
      this.message = `${this.draft.displayName.trim()} can now sign in and take bookings once their schedule is set.`;
      this.draft = emptyOnboardDraft();
      await this.#catalogue.load(true);
    });
  }
}

// Weekly schedule ------------------------------------------------------------------------------------

export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Problems with a week's windows, in words; [] when it can be saved. */
export function scheduleProblems(days: ScheduleDay[], dayName: (d: number) => string): string[] {
  const out: string[] = [];
  for (const d of days) {
    const ws = [...d.windows].sort((a, b) => a.start.localeCompare(b.start));
    for (const w of ws) {
      if (!/^\d{2}:\d{2}$/.test(w.start) || !/^\d{2}:\d{2}$/.test(w.end)) out.push(`${dayName(d.dayOfWeek)}: enter both times.`);
      else if (toMinutes(w.end) <= toMinutes(w.start)) out.push(`${dayName(d.dayOfWeek)}: ${w.start}–${w.end} ends before it starts.`);
    }
    for (let i = 1; i < ws.length; i++) {
      if (toMinutes(ws[i].start) < toMinutes(ws[i - 1].end))
        out.push(`${dayName(d.dayOfWeek)}: ${ws[i - 1].start}–${ws[i - 1].end} overlaps ${ws[i].start}–${ws[i].end}.`);
    }
  }
  return out;
}

/** The salon's usual week (Saturday off, Fridays short), the start for a stylist with no schedule yet. */
export function usualWeek(): ScheduleDay[] {
  return WEEKDAYS.map((d) => ({
    dayOfWeek: d,
    windows:
      d === 6
        ? []
        : d === 5
          ? [
              { start: '10:00', end: '13:00' },
              { start: '14:00', end: '16:00' },
            ]
          : [
              { start: '10:00', end: '13:00' },
              { start: '14:00', end: '18:00' },
            ],
  }));
}

export class ScheduleEditor {
  stylistId = $state<string | null>(null);
  days = $state<ScheduleDay[]>(WEEKDAYS.map((d) => ({ dayOfWeek: d, windows: [] })));
  effectiveFrom = $state('');
  /** The schedule in force today as the server read it (null until read, or when the read failed). */
  current = $state.raw<CurrentSchedule | null>(null);
  /** True when the stylist has no schedule in force and the form starts from the salon's usual week. */
  fromTemplate = $state(false);
  /** The current schedule could not be read: nothing to edit (saving would overwrite it blindly). */
  readFailed = $state(false);
  loading = $state(false);
  busy = $state(false);
  error = $state('');
  message = $state('');
  #api: Api;
  #seq = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  /** Day after the current version's last one: a schedule already set to start later (saving from before it replaces it). */
  nextVersionFrom = $derived(this.current?.effectiveUntil ? addDays(this.current.effectiveUntil, 1) : null);

  /** Loads the stylist's schedule in force today into the form. */
  async choose(stylistId: string, zone: string): Promise<void> {
    const seq = ++this.#seq;
    this.stylistId = stylistId;
    this.effectiveFrom = dateIn(zone);
    this.error = '';
    this.message = '';
    this.current = null;
    this.readFailed = false;
    this.loading = true;
    try {
      const cur = await this.#api.get<CurrentSchedule>(`/api/admin/stylists/${stylistId}/schedule`);
      if (seq !== this.#seq) return;
      this.current = cur;
      this.fromTemplate = cur.effectiveFrom === null;
      this.days = this.fromTemplate
        ? usualWeek()
        : WEEKDAYS.map((d) => ({ dayOfWeek: d, windows: (cur.days.find((x) => x.dayOfWeek === d)?.windows ?? []).map((w) => ({ ...w })) }));
    } catch (err) {
      if (seq !== this.#seq) return;
      this.error = plainMessage(err);
      this.readFailed = true;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  addWindow(dayOfWeek: number): void {
    const day = this.days.find((d) => d.dayOfWeek === dayOfWeek)!;
    const last = day.windows.at(-1);
    const start = last ? last.end : '10:00';
    const endMin = Math.min(toMinutes(start) + 120, 24 * 60);
    day.windows.push({ start, end: `${String(Math.floor(endMin / 60)).padStart(2, '0')}:${String(endMin % 60).padStart(2, '0')}` });
  }

  removeWindow(dayOfWeek: number, index: number): void {
    this.days.find((d) => d.dayOfWeek === dayOfWeek)!.windows.splice(index, 1);
  }

  copyToWeekdays(from: number): void {
    const src = this.days.find((d) => d.dayOfWeek === from)!;
    for (const d of this.days) if (d.dayOfWeek !== from && d.windows.length) d.windows = src.windows.map((w) => ({ ...w }));
  }

  async save(dayName: (d: number) => string): Promise<boolean> {
    const problems = scheduleProblems(this.days, dayName);
    if (problems.length) {
      this.error = problems.join(' ');
      return false;
    }
    if (!this.stylistId || this.readFailed) return false;
    this.message = '';
    return attempt(this, async () => {
      await this.#api.put(`/api/admin/stylists/${this.stylistId}/schedule`, {
        ...(this.effectiveFrom ? { effectiveFrom: this.effectiveFrom } : {}),
        days: this.days.map((d) => ({ dayOfWeek: d.dayOfWeek, windows: [...d.windows].sort((a, b) => a.start.localeCompare(b.start)) })),
      });
      this.fromTemplate = false;
      this.message = 'Schedule saved. Open booking screens update now.';
      const saved = this.stylistId;
      // Re-read what is now in force (the form keeps what was typed).
      void this.#api.get<CurrentSchedule>(`/api/admin/stylists/${saved}/schedule`).then(
        (cur) => {
          if (this.stylistId === saved) this.current = cur;
        },
        () => undefined,
      );
    });
  }
}

// Overrides ------------------------------------------------------------------------------------------

export interface OverrideDraft {
  scope: 'salon' | 'stylist';
  stylistId: string;
  startDate: string;
  endDate: string;
  kind: 'closed' | 'hours' | 'blocked';
  start: string;
  end: string;
  priority: number;
  reason: string;
}

export function overrideBody(d: OverrideDraft): OverrideInput {
  return {
    scope: d.scope,
    ...(d.scope === 'stylist' ? { stylistId: d.stylistId } : {}),
    startDate: d.startDate,
    endDate: d.endDate || d.startDate,
    kind: d.kind,
    ...(d.kind === 'closed' ? {} : { start: d.start, end: d.end }),
    ...(d.kind === 'hours' && d.priority ? { priority: Number(d.priority) } : {}),
    reason: d.reason.trim(),
  };
}

export class OverridesAdmin {
  items = $state.raw<Override[]>([]);
  loading = $state(false);
  error = $state('');
  draft = $state<OverrideDraft>({
    scope: 'salon',
    stylistId: '',
    startDate: '',
    endDate: '',
    kind: 'closed',
    start: '10:00',
    end: '13:00',
    priority: 0,
    reason: '',
  });
  /** 'edit' → 'preview' (affected bookings shown, awaiting confirmation) → 'created'. */
  phase = $state<'edit' | 'preview' | 'created'>('edit');
  /** Bookings the draft would affect (preview) or did affect (after creating). */
  affected = $state.raw<AffectedBooking[]>([]);
  busy = $state(false);
  message = $state('');
  from = $state('');
  #api: Api;
  #zone: string | undefined;

  constructor(api: Api, live?: LiveConnection) {
    this.#api = api;
    live?.on('override:changed', (p) => this.receive(p.override, p.action));
    live?.onResync(() => void this.load());
  }

  problem = $derived.by(() => {
    const d = this.draft;
    if (!d.startDate) return 'Choose the first date.';
    if (d.endDate && d.endDate < d.startDate) return 'The last date is before the first.';
    if (d.scope === 'stylist' && !d.stylistId) return 'Choose the stylist.';
    if (d.kind !== 'closed' && !(d.start && d.end && d.start < d.end)) return 'The end time must be after the start time.';
    if (!d.reason.trim()) return 'Give a reason (customers and stylists may see it).';
    return '';
  });

  /** Overrides from today in `zone` (the salon's; the last one given on a reload) for a year. */
  async load(zone: string | undefined = this.#zone): Promise<void> {
    this.loading = true;
    this.#zone = zone;
    const from = dateIn(zone ?? browserZone());
    this.from = from;
    try {
      this.items = await this.#api.get<Override[]>(`/api/admin/overrides${query({ from, to: addDays(from, 365) })}`);
      this.error = '';
    } catch (err) {
      this.error = plainMessage(err);
    } finally {
      this.loading = false;
    }
  }

  receive(o: Override, action: 'created' | 'deleted'): void {
    if (action === 'deleted') this.items = this.items.filter((x) => x.id !== o.id);
    else if (!this.items.some((x) => x.id === o.id)) this.items = [...this.items, o].sort((a, b) => a.startDate.localeCompare(b.startDate));
  }

  /** Step one: show what the override would affect (the server computes it and writes nothing). */
  async preview(): Promise<void> {
    if (this.problem) {
      this.error = this.problem;
      return;
    }
    this.message = '';
    await attempt(this, async () => {
      const res = await this.#api.post<OverridePreviewResponse>('/api/admin/overrides/preview', overrideBody(this.draft));
      this.affected = res.affectedBookings;
      this.phase = 'preview';
    });
  }

  /** Step two: create it; the answer lists the active bookings it now conflicts with. */
  async confirm(): Promise<boolean> {
    return attempt(this, async () => {
      const res = await this.#api.post<{ override: Override; affectedBookings: AffectedBooking[] }>(
        '/api/admin/overrides',
        overrideBody(this.draft),
      );
      this.receive(res.override, 'created');
      this.affected = res.affectedBookings ?? [];
      this.phase = 'created';
      this.message = this.affected.length
        ? `Saved. ${this.affected.length} booking${this.affected.length === 1 ? ' needs' : 's need'} attention: they were not cancelled.`
        : 'Saved. No bookings were affected.';
    });
  }

  edit(): void {
    this.phase = 'edit';
  }

  reset(): void {
    this.phase = 'edit';
    this.affected = [];
    this.draft = { ...this.draft, reason: '', startDate: '', endDate: '' };
  }

  /** A stylist's time off is revoked rather than deleted: the request stays, revoked (not refunded). */
  async remove(id: string): Promise<void> {
    this.error = '';
    const timeOff = this.items.find((x) => x.id === id)?.timeOff;
    try {
      if (timeOff) await this.#api.delete(`/api/admin/time-off/${timeOff.requestId}`);
      else await this.#api.delete(`/api/admin/overrides/${id}`);
      this.items = this.items.filter((x) => x.id !== id);
      this.message = timeOff ? 'Time off revoked: the stylist can see it, and it still counts against their month.' : 'Override removed.';
    } catch (err) {
      this.error = plainMessage(err);
    }
  }
}

// Announcements --------------------------------------------------------------------------------------

export class AnnouncementComposer {
  message = $state('');
  audience = $state<Audience>('all');
  level = $state<AnnouncementLevel>('info');
  busy = $state(false);
  error = $state('');
  sent = $state.raw<{ message: string; audience: Audience; level: AnnouncementLevel; at: number }[]>([]);
  #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  async send(): Promise<boolean> {
    const message = this.message.trim();
    if (!message) {
      this.error = 'Write the message first.';
      return false;
    }
    return attempt(this, async () => {
      await this.#api.post('/api/admin/announcements', { message, audience: this.audience, level: this.level });
      this.sent = [{ message, audience: this.audience, level: this.level, at: Date.now() }, ...this.sent];
      this.message = '';
    });
  }
}

// Audit log -------------------------------------------------------------------------------------------

export const AUDIT_PAGE = 25;

/** Families of audit actions, offered as filters (`booking.` matches every booking action). */
export const AUDIT_FAMILIES = ['announcement.', 'booking.', 'customer.', 'hold.', 'override.', 'schedule.', 'stylist.'] as const;

export interface AuditActor {
  id: string;
  name: string;
  role: AuditEntry['actorRole'];
}

/**
 * The audit log, filtered by action (a prefix) and actor on the server, newest first, a page at a
 * time; the text filter narrows what is loaded.
 */
export class AuditLog extends PagedList<AuditEntry> {
  /** An action prefix, e.g. `booking.` or `override.create`; '' for all. */
  actionFilter = $state('');
  /** An actor's user id; '' for anyone. */
  actorFilter = $state('');
  textFilter = $state('');
  /** Salon-local dates (YYYY-MM-DD), both included; '' for no bound. */
  fromFilter = $state('');
  toFilter = $state('');
  /** Every actor seen so far, so the filter keeps its choices while it narrows the list. */
  knownActors = $state.raw<AuditActor[]>([]);
  #knownActions = $state.raw<string[]>([]);
  #api: Api;

  constructor(api: Api) {
    super(AUDIT_PAGE);
    this.#api = api;
  }

  get entries(): AuditEntry[] {
    return this.items;
  }

  protected fetchPage(before: number | undefined): Promise<AuditEntry[]> {
    return this.#api.get<AuditEntry[]>(
      `/api/admin/audit-log${query({
        limit: AUDIT_PAGE,
        before,
        action: this.actionFilter,
        actorId: this.actorFilter,
        from: this.fromFilter,
        to: this.toFilter,
      })}`,
    );
  }

  /** Filter choices: the families, then every action seen. */
  actions = $derived([...new Set([...AUDIT_FAMILIES, ...this.#knownActions])].sort());
  visible = $derived.by(() => {
    const text = this.textFilter.trim().toLowerCase();
    if (!text) return this.entries;
    return this.entries.filter((e) =>
      `${e.action} ${e.target} ${e.actorName ?? ''} ${e.customerName ?? ''} ${e.stylistName ?? ''} ${JSON.stringify(e.details ?? '')}`
        .toLowerCase()
        .includes(text),
    );
  });

  /** Changes the server-side filters and reads the first page again. */
  async filter(f: { action?: string; actorId?: string; from?: string; to?: string }): Promise<void> {
    if (f.action !== undefined) this.actionFilter = f.action;
    if (f.actorId !== undefined) this.actorFilter = f.actorId;
    if (f.from !== undefined) this.fromFilter = f.from;
    if (f.to !== undefined) this.toFilter = f.to;
    // A range the server would refuse (the last day before the first) is not asked for.
    if (this.fromFilter && this.toFilter && this.toFilter < this.fromFilter) {
      this.error = 'The last day is before the first.';
      return;
    }
    await this.load();
  }

  protected onPage(items: AuditEntry[]): void {
    const actions = new Set(this.#knownActions);
    const actors = new Map(this.knownActors.map((a) => [a.id, a]));
    for (const e of items) {
      actions.add(e.action);
      if (e.actorId && !actors.has(e.actorId))
        actors.set(e.actorId, { id: e.actorId, name: e.actorName ?? e.actorId.slice(0, 8), role: e.actorRole });
    }
    if (actions.size !== this.#knownActions.length) this.#knownActions = [...actions];
    if (actors.size !== this.knownActors.length) this.knownActors = [...actors.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
