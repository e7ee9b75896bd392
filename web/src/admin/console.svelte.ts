// The admin console's state: onboarding stylists, the weekly schedule editor, overrides with a
// preview of the bookings they would affect, announcements and the audit log.
import { ApiError, plainMessage, query, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import type { LiveConnection } from '../lib/live.svelte.ts';
import { addDays, dateIn } from '../lib/time.ts';
import type {
  AnnouncementLevel, Audience, AuditEntry, Booking, NewStylistInput, Override, OverrideInput, ScheduleDay,
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
    displayName: '', email: '', password: '', timezone: 'Asia/Kathmandu', bio: '',
    slotStepMinutes: 30, bufferMinutes: 15, minNoticeMinutes: 60, horizonDays: 60, services: {},
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
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      await this.#api.post('/api/admin/stylists', onboardBody(this.draft));
      this.message = `${this.draft.displayName.trim()} can now sign in and take bookings once their schedule is set.`;
      this.draft = emptyOnboardDraft();
      await this.#catalogue.load(true);
      return true;
    } catch (err) {
      this.error = plainMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
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
      if (toMinutes(ws[i].start) < toMinutes(ws[i - 1].end)) out.push(`${dayName(d.dayOfWeek)}: ${ws[i - 1].start}–${ws[i - 1].end} overlaps ${ws[i].start}–${ws[i].end}.`);
    }
  }
  return out;
}

export class ScheduleEditor {
  stylistId = $state<string | null>(null);
  days = $state<ScheduleDay[]>(WEEKDAYS.map((d) => ({ dayOfWeek: d, windows: [] })));
  effectiveFrom = $state('');
  /** True when the current schedule could not be read and the form starts from a template. */
  fromTemplate = $state(false);
  loading = $state(false);
  busy = $state(false);
  error = $state('');
  message = $state('');
  #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  async choose(stylistId: string, zone: string): Promise<void> {
    this.stylistId = stylistId;
    this.effectiveFrom = dateIn(zone);
    this.error = '';
    this.message = '';
    this.loading = true;
    try {
      const res = await this.#api.get<{ days: ScheduleDay[] } | ScheduleDay[]>(`/api/admin/stylists/${stylistId}/schedule`);
      const days = Array.isArray(res) ? res : res.days;
      this.days = WEEKDAYS.map((d) => ({ dayOfWeek: d, windows: (days.find((x) => x.dayOfWeek === d)?.windows ?? []).map((w) => ({ ...w })) }));
      this.fromTemplate = false;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) this.error = plainMessage(err);
      // No way to read the current schedule: start from the salon's usual hours.
      this.days = WEEKDAYS.map((d) => ({ dayOfWeek: d, windows: d === 6 ? [] : d === 5 ? [{ start: '10:00', end: '13:00' }, { start: '14:00', end: '16:00' }] : [{ start: '10:00', end: '13:00' }, { start: '14:00', end: '18:00' }] }));
      this.fromTemplate = true;
    } finally {
      this.loading = false;
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
    if (!this.stylistId) return false;
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      await this.#api.put(`/api/admin/stylists/${this.stylistId}/schedule`, {
        ...(this.effectiveFrom ? { effectiveFrom: this.effectiveFrom } : {}),
        days: this.days.map((d) => ({ dayOfWeek: d.dayOfWeek, windows: [...d.windows].sort((a, b) => a.start.localeCompare(b.start)) })),
      });
      this.fromTemplate = false;
      this.message = 'Schedule saved. Open booking screens update now.';
      return true;
    } catch (err) {
      this.error = plainMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
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
  draft = $state<OverrideDraft>({ scope: 'salon', stylistId: '', startDate: '', endDate: '', kind: 'closed', start: '10:00', end: '13:00', priority: 0, reason: '' });
  /** 'edit' → 'preview' (affected bookings shown, awaiting confirmation) → 'created'. */
  phase = $state<'edit' | 'preview' | 'created'>('edit');
  /** Bookings the draft would affect (preview) or did affect (after creating). */
  affected = $state.raw<Booking[]>([]);
  /** The server could not preview; the affected bookings are listed right after creating. */
  previewUnavailable = $state(false);
  busy = $state(false);
  message = $state('');
  from = $state('');
  #api: Api;

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

  async load(zone = 'Asia/Kathmandu'): Promise<void> {
    this.loading = true;
    const from = dateIn(zone);
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

  /** Step one: show what the override would affect, without creating it. */
  async preview(): Promise<void> {
    if (this.problem) {
      this.error = this.problem;
      return;
    }
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      const res = await this.#api.post<{ affectedBookings: Booking[] }>('/api/admin/overrides/preview', overrideBody(this.draft));
      this.affected = res.affectedBookings ?? [];
      this.previewUnavailable = false;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
        this.affected = [];
        this.previewUnavailable = true;
      } else {
        this.error = plainMessage(err);
        this.busy = false;
        return;
      }
    }
    this.phase = 'preview';
    this.busy = false;
  }

  /** Step two: create it; the answer lists the active bookings it now conflicts with. */
  async confirm(): Promise<boolean> {
    this.busy = true;
    this.error = '';
    try {
      const res = await this.#api.post<{ override: Override; affectedBookings: Booking[] }>('/api/admin/overrides', overrideBody(this.draft));
      this.receive(res.override, 'created');
      this.affected = res.affectedBookings ?? [];
      this.phase = 'created';
      this.message = this.affected.length
        ? `Saved. ${this.affected.length} booking${this.affected.length === 1 ? ' needs' : 's need'} attention: they were not cancelled.`
        : 'Saved. No bookings were affected.';
      return true;
    } catch (err) {
      this.error = plainMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  edit(): void {
    this.phase = 'edit';
  }

  reset(): void {
    this.phase = 'edit';
    this.affected = [];
    this.draft = { ...this.draft, reason: '', startDate: '', endDate: '' };
  }

  async remove(id: string): Promise<void> {
    this.error = '';
    try {
      await this.#api.delete(`/api/admin/overrides/${id}`);
      this.items = this.items.filter((x) => x.id !== id);
      this.message = 'Override removed.';
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
    this.busy = true;
    this.error = '';
    try {
      await this.#api.post('/api/admin/announcements', { message, audience: this.audience, level: this.level });
      this.sent = [{ message, audience: this.audience, level: this.level, at: Date.now() }, ...this.sent];
      this.message = '';
      return true;
    } catch (err) {
      this.error = plainMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}

// Audit log -------------------------------------------------------------------------------------------

export const AUDIT_PAGE = 25;

export class AuditLog {
  entries = $state.raw<AuditEntry[]>([]);
  loading = $state(false);
  error = $state('');
  /** No older entries exist. */
  exhausted = $state(false);
  actionFilter = $state('');
  actorFilter = $state('');
  textFilter = $state('');
  #api: Api;

  constructor(api: Api) {
    this.#api = api;
  }

  actions = $derived([...new Set(this.entries.map((e) => e.action))].sort());
  actors = $derived([...new Set(this.entries.map((e) => e.actorId ?? ''))].filter(Boolean).sort());
  /** Filters apply to the pages loaded so far; "Load older" fetches more. */
  visible = $derived.by(() => {
    const text = this.textFilter.trim().toLowerCase();
    return this.entries.filter((e) =>
      (!this.actionFilter || e.action === this.actionFilter) &&
      (!this.actorFilter || e.actorId === this.actorFilter) &&
      (!text || `${e.action} ${e.target} ${JSON.stringify(e.details ?? '')}`.toLowerCase().includes(text)));
  });

  async load(): Promise<void> {
    this.entries = [];
    this.exhausted = false;
    await this.more();
  }

  async more(): Promise<void> {
    if (this.loading || this.exhausted) return;
    this.loading = true;
    try {
      const last = this.entries.at(-1);
      const page = await this.#api.get<AuditEntry[] | { entries: AuditEntry[] }>(`/api/admin/audit-log${query({ limit: AUDIT_PAGE, before: last?.id })}`);
      const items = Array.isArray(page) ? page : page.entries;
      this.entries = [...this.entries, ...items.filter((e) => !this.entries.some((x) => x.id === e.id))];
      if (items.length < AUDIT_PAGE) this.exhausted = true;
      this.error = '';
    } catch (err) {
      this.error = plainMessage(err);
    } finally {
      this.loading = false;
    }
  }
}
