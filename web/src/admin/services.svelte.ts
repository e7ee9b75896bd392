// The service catalogue in the admin console: every service (retired ones too), a form to add one,
// and inline edits of name, category, duration, price and whether it is offered at all. A change of
// duration, price or active reaches the slot answers of every stylist offering it at once (server).
import { plainMessage, type Api } from '../lib/api.ts';
import type { Catalogue } from '../lib/catalogue.svelte.ts';
import type { AdminService, NewServiceInput, ServicePatch } from '../lib/types.ts';

export interface ServiceDraft {
  name: string;
  category: string;
  durationMinutes: string | number;
  /** In currency units (the API takes cents). */
  price: string | number;
  active: boolean;
}

export const emptyServiceDraft = (): ServiceDraft => ({ name: '', category: '', durationMinutes: 30, price: '', active: true });

export function serviceDraftOf(s: AdminService): ServiceDraft {
  return { name: s.name, category: s.category, durationMinutes: s.durationMinutes, price: s.priceCents / 100, active: s.active };
}

/** What a person can fix before sending; '' when fine. */
export function serviceProblem(d: ServiceDraft): string {
  if (!d.name.trim()) return 'Enter the service’s name.';
  if (d.name.trim().length > 120) return 'Please shorten the name to at most 120 characters.';
  if (d.category.trim().length > 60) return 'Please shorten the category to at most 60 characters.';
  const m = Number(d.durationMinutes);
  if (!Number.isInteger(m) || m < 5 || m > 720) return 'The duration is 5 to 720 whole minutes.';
  const p = Number(d.price);
  if (String(d.price).trim() === '' || !Number.isFinite(p) || p < 0 || p > 1_000_000) return 'Enter a price of 0 or more.';
  return '';
}

export function newServiceBody(d: ServiceDraft): NewServiceInput {
  return {
    name: d.name.trim(),
    ...(d.category.trim() ? { category: d.category.trim() } : {}),
    durationMinutes: Number(d.durationMinutes),
    priceCents: Math.round(Number(d.price) * 100),
    ...(d.active ? {} : { active: false }),
  };
}

/** The fields of `d` that differ from `s`. */
export function servicePatch(s: AdminService, d: ServiceDraft): ServicePatch {
  const out: ServicePatch = {};
  if (d.name.trim() !== s.name) out.name = d.name.trim();
  if (d.category.trim() !== s.category) out.category = d.category.trim();
  if (Number(d.durationMinutes) !== s.durationMinutes) out.durationMinutes = Number(d.durationMinutes);
  const cents = Math.round(Number(d.price) * 100);
  if (cents !== s.priceCents) out.priceCents = cents;
  if (d.active !== s.active) out.active = d.active;
  return out;
}

export class ServicesAdmin {
  items = $state.raw<AdminService[]>([]);
  draft = $state<ServiceDraft>(emptyServiceDraft());
  editingId = $state<string | null>(null);
  edit = $state<ServiceDraft>(emptyServiceDraft());
  busy = $state(false);
  error = $state('');
  message = $state('');
  #api: Api;
  #catalogue: Catalogue | undefined;

  constructor(api: Api, catalogue?: Catalogue) {
    this.#api = api;
    this.#catalogue = catalogue;
  }

  async load(): Promise<void> {
    try {
      this.items = await this.#api.get<AdminService[]>('/api/admin/services');
    } catch (err) {
      this.error = plainMessage(err);
    }
  }

  async create(): Promise<boolean> {
    const problem = serviceProblem(this.draft);
    if (problem) {
      this.error = problem;
      return false;
    }
    return this.#run(async () => {
      const s = await this.#api.post<AdminService>('/api/admin/services', newServiceBody(this.draft));
      this.items = [...this.items, s];
      this.message = `Added ${s.name}. Offer it to stylists from the Stylists tab.`;
      this.draft = emptyServiceDraft();
    });
  }

  start(id: string | null): void {
    this.editingId = id;
    this.error = '';
    const s = this.items.find((x) => x.id === id);
    if (s) this.edit = serviceDraftOf(s);
  }

  async save(): Promise<boolean> {
    const s = this.items.find((x) => x.id === this.editingId);
    if (!s) return false;
    const problem = serviceProblem(this.edit);
    if (problem) {
      this.error = problem;
      return false;
    }
    const body = servicePatch(s, this.edit);
    if (Object.keys(body).length === 0) {
      this.editingId = null;
      return true;
    }
    return this.#run(async () => {
      const saved = await this.#api.patch<AdminService>(`/api/admin/services/${s.id}`, body);
      this.items = this.items.map((x) => (x.id === s.id ? saved : x));
      this.message =
        body.active === false
          ? `${saved.name} is no longer offered: customers cannot book it (existing bookings stay).`
          : `Saved ${saved.name}.` +
            (saved.stylistCount ? ` ${saved.stylistCount} stylist${saved.stylistCount === 1 ? '' : 's'} offer it.` : '');
      this.editingId = null;
    });
  }

  async #run(fn: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      await fn();
      await this.#catalogue?.load(true);
      return true;
    } catch (err) {
      this.error = plainMessage(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
