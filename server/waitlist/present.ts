// Waitlist rows as the API shows them, and the offer an outbox event carries (sql/000017).
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ANY_STYLIST } from '../contract/slots.ts';
import type { WaitlistOfferPayload } from '../contract/socket.ts';
import type { WaitlistEntryDto, WaitlistEntryStatus, WaitlistOfferDto } from '../contract/waitlist.ts';

export interface EntryRow {
  id: string;
  seq: string;
  customer_id: string;
  stylist_id: string | null;
  service_id: string;
  /** YYYY-MM-DD (selected as text). */
  date: string;
  /** HH:MM or null (selected as text). */
  from_time: string | null;
  to_time: string | null;
  status: WaitlistEntryStatus;
  created_at: Date;
}

/** Columns of an EntryRow from `waitlist_entries e`. */
export const ENTRY_COLUMNS = `e.id, e.seq, e.customer_id, e.stylist_id, e.service_id, to_char(e.date, 'YYYY-MM-DD') as date,
  to_char(e.from_time, 'HH24:MI') as from_time, case when e.to_time = '24:00' then '24:00' else to_char(e.to_time, 'HH24:MI') end as to_time,
  e.status, e.created_at`;

export interface OfferRow {
  id: string;
  entry_id: string;
  customer_id: string;
  hold_id: string;
  stylist_id: string;
  service_id: string;
  start_at: Date;
  end_at: Date;
  expires_at: Date;
  timezone: string;
}

/** The offer's own columns (`waitlist_offers o`): an OfferRow but the stylist's zone. */
export const OFFER_OWN_COLUMNS = `o.id, o.entry_id, o.customer_id, o.hold_id, o.stylist_id, o.service_id, o.start_at, o.end_at, o.expires_at`;
/** Columns of an OfferRow from `waitlist_offers o join stylists s on s.id = o.stylist_id`. */
export const OFFER_COLUMNS = `${OFFER_OWN_COLUMNS}, s.timezone`;

export function toOfferDto(o: OfferRow): WaitlistOfferDto {
  return {
    id: o.id,
    entryId: o.entry_id,
    hold: {
      id: o.hold_id,
      stylistId: o.stylist_id,
      serviceId: o.service_id,
      startUtc: o.start_at.toISOString(),
      endUtc: o.end_at.toISOString(),
      expiresAt: o.expires_at.toISOString(),
    },
    slot: {
      stylistId: o.stylist_id,
      serviceId: o.service_id,
      startUtc: o.start_at.toISOString(),
      endUtc: o.end_at.toISOString(),
      startLocal: DateTime.fromJSDate(o.start_at, { zone: o.timezone }).toISO()!,
    },
  };
}

export function toEntryDto(e: EntryRow, offer: OfferRow | undefined): WaitlistEntryDto {
  return {
    id: e.id,
    stylistId: e.stylist_id ?? ANY_STYLIST,
    serviceId: e.service_id,
    date: e.date,
    from: e.from_time,
    to: e.to_time,
    status: e.status,
    createdAt: e.created_at.toISOString(),
    offer: offer && e.status === 'waiting' ? toOfferDto(offer) : null,
  };
}

/** What a `waitlist.offered` event's data holds: the waiter, and the offer as their sockets get it. */
export interface OfferEventData {
  customerId: string;
  offer: WaitlistOfferDto;
}

export function offerEventData(customerId: string, offer: WaitlistOfferDto): OfferEventData {
  return { customerId, offer };
}

const hold = z.object({
  id: z.string(),
  stylistId: z.string(),
  serviceId: z.string(),
  startUtc: z.string(),
  endUtc: z.string(),
  expiresAt: z.string(),
});
const eventData = z.object({
  customerId: z.uuid(),
  offer: z.object({
    id: z.string(),
    entryId: z.string(),
    hold,
    slot: z.object({ stylistId: z.string(), serviceId: z.string(), startUtc: z.string(), endUtc: z.string(), startLocal: z.string() }),
  }),
});

/** The room message of a `waitlist.offered` event, or null when its data is not an offer. */
export function offerPayloadOf(data: unknown): { customerId: string; payload: Omit<WaitlistOfferPayload, 'eventId'> } | null {
  const r = eventData.safeParse(data);
  if (!r.success) return null;
  const { customerId, offer } = r.data;
  return { customerId, payload: { offerId: offer.id, entryId: offer.entryId, hold: offer.hold, slot: offer.slot } };
}
