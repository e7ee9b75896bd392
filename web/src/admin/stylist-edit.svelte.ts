// Editing a stylist in the admin console: profile, zone, slot settings, services with the stylist's
// own duration and price, time-off budgets, and the active switch (deactivating asks first, naming
// how many future bookings get flagged). Only the fields changed are sent.
import { plainMessage, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import type { AdminService, AdminStylist, PatchStylistResponse, StylistPatch } from '../lib/types.ts';

export interface StylistDraft {
  displayName: string;
  bio: string;
  timezone: string;
  slotStepMinutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
  timeOffBudget: number;
  emergencyBudget: number;
  active: boolean;
  /** serviceId → offered, with the stylist's own duration (minutes) and price (currency units); '' = the salon's. */
  services: Record<string, { on: boolean; durationMinutes: string | number | null; price: string | number | null }>;
}

/** The draft of a stylist as it is now. The stylist's own duration/price show only where they differ from the service's. */
export function draftOf(st: AdminStylist, services: readonly AdminService[]): StylistDraft {
  const base = new Map(services.map((s) => [s.id, s]));
  return {
    displayName: st.displayName,
    bio: st.bio,
    timezone: st.timezone,
    slotStepMinutes: st.slotStepMinutes,
    bufferMinutes: st.bufferMinutes,
    minNoticeMinutes: st.minNoticeMinutes,
    horizonDays: st.horizonDays,
    timeOffBudget: st.timeOffBudget,
    emergencyBudget: st.emergencyBudget,
    active: st.active,
    services: Object.fromEntries(
      st.services.map((s) => {
        const b = base.get(s.id);
        return [
          s.id,
          {
            on: true,
            durationMinutes: b && b.durationMinutes === s.durationMinutes ? '' : s.durationMinutes,
            price: b && b.priceCents === s.priceCents ? '' : s.priceCents / 100,
          },
        ];
      }),
    ),
  };
}

const SETTINGS = [
  'displayName',
  'bio',
  'timezone',
  'slotStepMinutes',
  'bufferMinutes',
  'minNoticeMinutes',
  'horizonDays',
  'timeOffBudget',
  'emergencyBudget',
  'active',
] as const;

function offered(d: StylistDraft): NonNullable<StylistPatch['services']> {
  return Object.entries(d.services)
    .filter(([, s]) => s.on)
    .map(([serviceId, s]) => {
      const duration = String(s.durationMinutes ?? '').trim();
      const price = String(s.price ?? '').trim();
      return {
        serviceId,
        ...(duration ? { durationMinutes: Number(duration) } : {}),
        ...(price ? { priceCents: Math.round(Number(price) * 100) } : {}),
      };
    });
}

/** The PATCH body: the fields of `d` that differ from `before` (services as the whole set, when it changed). */
export function patchBody(before: StylistDraft, d: StylistDraft): StylistPatch {
  const out: Record<string, unknown> = {};
  for (const k of SETTINGS) {
    const v = typeof before[k] === 'number' ? Number(d[k]) : typeof d[k] === 'string' ? d[k].trim() : d[k];
    if (v !== before[k]) out[k] = v;
  }
  const a = offered(before);
  const b = offered(d);
  if (JSON.stringify([...a].sort(byId)) !== JSON.stringify([...b].sort(byId))) out.services = b;
  return out;
}
const byId = (x: { serviceId: string }, y: { serviceId: string }) => (x.serviceId < y.serviceId ? -1 : 1);

export class StylistEditing {
  stylists = $state.raw<AdminStylist[]>([]);
  services = $state.raw<AdminService[]>([]);
  editingId = $state<string | null>(null);
  draft = $state<StylistDraft | null>(null);
  #before: StylistDraft | null = null;
  /** Deactivating waits for a second click: the confirm names the bookings it flags. */
  confirming = $state(false);
  busy = $state(false);
  error = $state('');
  message = $state('');
  #api: Api;
  #catalogue: Catalogue | undefined;

  constructor(api: Api, catalogue?: Catalogue) {
    this.#api = api;
    this.#catalogue = catalogue;
  }

  editing = $derived(this.stylists.find((s) => s.id === this.editingId) ?? null);

  /** The confirm's words, while deactivation waits for it. */
  confirmText = $derived.by(() => {
    const st = this.editing;
    if (!st) return '';
    const n = st.futureActiveBookings;
    return `Deactivate ${st.displayName}? They disappear from booking at once. ${
      n === 0
        ? 'They have no future bookings.'
        : `${n} future booking${n === 1 ? '' : 's'} will be flagged for the salon to contact the customer${n === 1 ? '' : 's'}.`
    }`;
  });

  async load(): Promise<void> {
    try {
      [this.stylists, this.services] = await Promise.all([
        this.#api.get<AdminStylist[]>('/api/admin/stylists'),
        this.#api.get<AdminService[]>('/api/admin/services'),
      ]);
    } catch (err) {
      this.error = plainMessage(err);
    }
  }

  edit(id: string | null): void {
    this.editingId = id;
    this.confirming = false;
    this.error = '';
    this.message = '';
    const st = this.stylists.find((s) => s.id === id);
    this.#before = st ? draftOf(st, this.services) : null;
    this.draft = st ? draftOf(st, this.services) : null;
  }

  /** What would be sent now ({} when nothing changed). */
  changes(): StylistPatch {
    return this.#before && this.draft ? patchBody(this.#before, $state.snapshot<StylistDraft>(this.draft)) : {};
  }

  async save(): Promise<boolean> {
    const st = this.editing;
    if (!st || !this.draft) return false;
    const body = this.changes();
    if (Object.keys(body).length === 0) {
      this.error = 'Nothing has changed.';
      return false;
    }
    if (body.active === false && !this.confirming) {
      this.confirming = true;
      return false;
    }
    this.busy = true;
    this.error = '';
    try {
      const res = await this.#api.patch<PatchStylistResponse>(`/api/admin/stylists/${st.id}`, body);
      this.stylists = this.stylists.map((s) => (s.id === st.id ? res.stylist : s));
      const flagged = res.flaggedBookingIds.length;
      const cleared = res.clearedBookingIds.length;
      this.message =
        `Saved ${res.stylist.displayName}.` +
        (flagged ? ` ${flagged} booking${flagged === 1 ? '' : 's'} flagged: contact the customers.` : '') +
        (cleared ? ` ${cleared} booking${cleared === 1 ? '' : 's'} no longer flagged.` : '');
      this.confirming = false;
      this.#before = draftOf(res.stylist, this.services);
      this.draft = draftOf(res.stylist, this.services);
      await this.#catalogue?.load(true);
      return true;
    } catch (err) {
      this.error = plainMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  cancelConfirm(): void {
    this.confirming = false;
  }
}
