// Where an audit entry's target can be seen in the console, and who it concerns, for the audit log.
import type { AuditEntry } from '../lib/types.ts';
import { formatDay } from '../lib/time.ts';

export interface AuditLink {
  href: string;
  label: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The page showing the target: a booking on the front desk's day calendar (`/admin?date=&booking=`,
 * its stylist's local date), an override in the overrides tab, a stylist in the stylists tab; null
 * when the target is not one of those (or is gone and had no date).
 */
export function auditLink(e: Pick<AuditEntry, 'target' | 'date' | 'stylistName'>): AuditLink | null {
  const [kind, id = ''] = e.target.split(':');
  if (!UUID.test(id)) return null;
  switch (kind) {
    case 'booking':
      return e.date
        ? {
            href: `/admin?date=${e.date}&booking=${id}`,
            label: `Booking on ${formatDay(e.date)}${e.stylistName ? ` with ${e.stylistName}` : ''}`,
          }
        : null;
    case 'override':
      return { href: `/admin/overrides#override-${id}`, label: e.date ? `Override from ${formatDay(e.date)}` : 'Overrides' };
    case 'stylist':
      return { href: '/admin/stylists', label: e.stylistName ? `Stylist ${e.stylistName}` : 'Stylists' };
    default:
      return null;
  }
}

/** Who the entry concerns, for reading: "Customer Anita R. · Stylist Priya" (or ''). */
export function auditConcerns(e: Pick<AuditEntry, 'customerName' | 'stylistName'>): string {
  return [e.customerName ? `Customer ${e.customerName}` : '', e.stylistName ? `Stylist ${e.stylistName}` : ''].filter(Boolean).join(' · ');
}
