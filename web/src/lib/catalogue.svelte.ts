import type { Api } from './api.ts';
import type { SalonDto, ServiceDto, StylistDto } from './types.ts';

/** The public catalogue: the salon, services and the stylists offering them. Loaded once, re-loaded on resync. */
export class Catalogue {
  services = $state.raw<ServiceDto[]>([]);
  stylists = $state.raw<StylistDto[]>([]);
  salon = $state.raw<SalonDto | null>(null);
  loaded = $state(false);
  error = $state<unknown>(null);
  #api: Api;
  #loading: Promise<void> | null = null;

  constructor(api: Api) {
    this.#api = api;
  }

  load(force = false): Promise<void> {
    if (this.#loading && !force) return this.#loading;
    this.#loading = (async () => {
      try {
        const [salon, services, stylists] = await Promise.all([
          this.#api.get<SalonDto>('/api/salon'),
          this.#api.get<ServiceDto[]>('/api/services'),
          this.#api.get<StylistDto[]>('/api/stylists'),
        ]);
        this.salon = salon;
        this.services = services;
        this.stylists = stylists;
        this.error = null;
      } catch (err) {
        this.error = err;
      } finally {
        this.loaded = true;
      }
    })();
    return this.#loading;
  }

  /** The salon's time zone (a setting of the salon, GET /api/salon). Null before loading. */
  salonZone = $derived<string | null>(this.salon?.timezone ?? null);

  /** The currency of every price (the API states it with each one; the salon has one). Null before loading. */
  currency = $derived<string | null>(
    this.services[0]?.currency ?? this.stylists.find((s) => s.services.length)?.services[0]?.currency ?? null,
  );

  service(id: string | null | undefined): ServiceDto | undefined {
    return this.services.find((s) => s.id === id);
  }

  stylist(id: string | null | undefined): StylistDto | undefined {
    return this.stylists.find((s) => s.id === id);
  }

  /** Stylists who offer `serviceId` (all stylists when none is chosen). */
  stylistsFor(serviceId: string | null): StylistDto[] {
    return serviceId ? this.stylists.filter((st) => st.services.some((s) => s.id === serviceId)) : this.stylists;
  }

  /** The stylist's duration and price for a service (a stylist may override both). */
  offer(stylistId: string | null, serviceId: string | null): { durationMinutes: number; priceCents: number; currency: string } | undefined {
    const st = this.stylist(stylistId)?.services.find((s) => s.id === serviceId);
    if (st) return st;
    return this.service(serviceId);
  }
}
