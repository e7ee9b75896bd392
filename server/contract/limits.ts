// Limits the web app checks before sending, declared once for the server's schemas and the forms
// (zod-free, so the web app imports the values).

/** Longest display name, in characters after trimming (the users and stylists tables check the same). */
export const DISPLAY_NAME_MAX = 120;

/** Longest range of the salon's numbers (`GET /api/admin/reports/summary`), in days, both ends included: a quarter. */
export const MAX_REPORT_DAYS = 92;
