// What the browser's tab (and a screen reader on page change) calls each page: the page first, then
// the product, so tabs of one browser tell the pages apart.

export const PRODUCT = 'KB Stylish Live';

/** The admin console's sections, by route segment (`/admin/<id>`), in their order on screen. */
export const ADMIN_TABS = [
  { id: '', label: 'Today' },
  { id: 'stylists', label: 'Stylists' },
  { id: 'schedule', label: 'Schedules' },
  { id: 'overrides', label: 'Overrides' },
  { id: 'announcements', label: 'Announcements' },
  { id: 'audit', label: 'Audit log' },
  { id: 'reports', label: 'Reports' },
  { id: 'system', label: 'System' },
  { id: 'messages', label: 'Messages' },
  { id: 'services', label: 'Services' },
] as const;

/** The document title of a route (`section`, `sub`: the first two path segments). */
export function pageTitle(section: string, sub = ''): string {
  const page = pageName(section, sub);
  return page ? `${page} · ${PRODUCT}` : PRODUCT;
}

function pageName(section: string, sub: string): string {
  switch (section) {
    case '':
      return 'Book a visit';
    case 'bookings':
      return 'My bookings';
    case 'signin':
      return 'Sign in';
    case 'manage':
      return 'Your booking';
    case 'stylist':
      return 'My day · Stylist dashboard';
    case 'desk':
      return 'Front desk';
    case 'admin': {
      const tab = ADMIN_TABS.find((t) => t.id === sub);
      return tab ? `${tab.label} · Admin console` : 'Admin console';
    }
    default:
      return 'Page not found';
  }
}
