import { Router } from 'express';
import type { Role } from '../contract/auth.ts';
import { ANNOUNCEMENT_CURRENT_HOURS, currentAnnouncementsQuery, type CurrentAnnouncementDto } from '../contract/admin.ts';
import type { Pool } from '../db/pool.ts';
import { parseOr400 } from '../errors.ts';

/** Most announcements one answer carries (newest first). */
const MAX_CURRENT = 20;

/**
 * Audiences a role may see, as the socket rooms deliver them: anonymous visitors count as
 * customers, stylists and reception see `stylists`, admins see every announcement.
 */
export function audiencesFor(role: Role | null): CurrentAnnouncementDto['audience'][] {
  switch (role) {
    case 'admin':
      return ['all', 'stylists', 'customers'];
    case 'stylist':
    case 'reception':
      return ['all', 'stylists'];
    default:
      return ['all', 'customers'];
  }
}

/**
 * GET /api/announcements/current: the announcements of the last 24 h the caller may see, so a page
 * opened after one was sent still shows it. Anonymous allowed; the session only picks the audience.
 */
export function announcementRoutes(deps: { pool: Pool; now: () => number }): Router {
  const { pool, now } = deps;
  const r = Router();
  r.get('/api/announcements/current', async (req, res) => {
    parseOr400(currentAnnouncementsQuery, req.query);
    const since = new Date(now() - ANNOUNCEMENT_CURRENT_HOURS * 3_600_000);
    const { rows } = await pool.query<{
      id: string;
      message: string;
      audience: CurrentAnnouncementDto['audience'];
      level: CurrentAnnouncementDto['level'];
      created_at: Date;
    }>(
      `select id, message, audience, level, created_at from announcements
        where created_at > $1 and audience = any($2::text[])
        order by created_at desc, id desc limit $3`,
      [since, audiencesFor(req.session?.user?.role ?? null), MAX_CURRENT],
    );
    const answer: CurrentAnnouncementDto[] = rows.map((a) => ({
      id: a.id,
      message: a.message,
      audience: a.audience,
      level: a.level,
      at: a.created_at.toISOString(),
    }));
    res.setHeader('Cache-Control', 'no-store');
    res.json(answer);
  });
  return r;
}
