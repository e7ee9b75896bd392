// The e-mail of a waitlist offer: the offered stylist, service and time in salon time, when the
// offer ends, and a link to the web app, where the offer's banner books it. Composed when its job
// runs (and before every retry): an offer that has since ended (declined, expired, booked) or whose
// hold has run out sends nothing.
import type { ComposeDeps, ComposedMessage } from './compose.ts';
import type { OfferMessagePayload } from './payload.ts';
import { renderMessage } from './templates.ts';

interface OfferFacts {
  status: 'live' | 'accepted' | 'declined' | 'expired';
  start_at: Date;
  end_at: Date;
  expires_at: Date;
  email: string;
  customer_name: string;
  service_name: string;
  stylist_name: string;
}

/** Where the offer's banner is: the customer's bookings in the web app. */
export const OFFER_PATH = '/bookings';

export async function composeOfferMessage(
  deps: ComposeDeps,
  p: OfferMessagePayload,
  nowMs: number,
): Promise<{ message: ComposedMessage } | { skip: string }> {
  const { rows } = await deps.pool.query<OfferFacts>(
    `select o.status, o.start_at, o.end_at, o.expires_at, u.email, u.display_name as customer_name,
            sv.name as service_name, s.display_name as stylist_name
       from waitlist_offers o join users u on u.id = o.customer_id join services sv on sv.id = o.service_id
       join stylists s on s.id = o.stylist_id
      where o.id = $1`,
    [p.offerId],
  );
  const o = rows[0];
  if (!o) return { skip: 'the offer no longer exists' };
  if (o.status !== 'live') return { skip: `the offer is ${o.status}` };
  if (o.expires_at.getTime() <= nowMs) return { skip: 'the offer has expired' };
  const rendered = renderMessage({
    kind: 'waitlist_offer',
    salonName: await deps.salonName(),
    zone: await deps.salonZone(),
    customerName: o.customer_name,
    serviceName: o.service_name,
    appointment: { startMs: o.start_at.getTime(), endMs: o.end_at.getTime(), stylistName: o.stylist_name },
    manageUrl: null,
    offerExpiresAtMs: o.expires_at.getTime(),
    offerUrl: deps.publicUrl ? `${deps.publicUrl}${OFFER_PATH}` : undefined,
  });
  return { message: { ...rendered, to: o.email, attachments: [] } };
}
