import { Router } from 'express';
import { z } from 'zod';
import { requireRole, roleGuard } from '../auth/guard.ts';
import { announcementBody, auditLogQuery, createStylistBody, scheduleBody, scheduleQuery } from '../contract/admin.ts';
import { uuid } from '../contract/common.ts';
import type { Pool } from '../db/pool.ts';
import { parseOr400 } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { SalonSettings } from '../salon.ts';
import { listAudit } from './audit-log.ts';
import type { AdminService } from './service.ts';

const idParams = z.strictObject({ id: uuid });
const noQuery = z.strictObject({});

/** /api/admin/*: admins only (401 without a login, 403 for other roles). */
export function adminRoutes(deps: { admin: AdminService; pool: Pool; metrics: Metrics; salon: SalonSettings }): Router {
  const { admin, pool, metrics, salon } = deps;
  const r = Router();
  r.use('/api/admin', roleGuard('admin'));

  // The same Prometheus text as /metrics, for the console: the admin's session is the credential
  // (METRICS_TOKEN guards /metrics for scrapers and is not needed here).
  r.get('/api/admin/metrics', async (req, res) => {
    parseOr400(noQuery, req.query);
    const text = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(text);
  });

  r.post('/api/admin/stylists', async (req, res) => {
    const user = requireRole(req, 'admin');
    res.status(201).json(await admin.createStylist(user, parseOr400(createStylistBody, req.body)));
  });

  r.get('/api/admin/stylists/:id/schedule', async (req, res) => {
    const { id } = parseOr400(idParams, req.params);
    res.json(await admin.currentSchedule(id, parseOr400(scheduleQuery, req.query)));
  });

  r.put('/api/admin/stylists/:id/schedule', async (req, res) => {
    const user = requireRole(req, 'admin');
    const { id } = parseOr400(idParams, req.params);
    res.json(await admin.replaceSchedule(user, id, parseOr400(scheduleBody, req.body)));
  });

  r.post('/api/admin/announcements', async (req, res) => {
    const user = requireRole(req, 'admin');
    res.status(201).json(await admin.createAnnouncement(user, parseOr400(announcementBody, req.body)));
  });

  r.get('/api/admin/audit-log', async (req, res) => {
    const q = parseOr400(auditLogQuery, req.query);
    res.json(
      await listAudit(pool, {
        limit: q.limit ?? 50,
        before: q.before,
        action: q.action,
        actorId: q.actorId,
        from: q.from,
        to: q.to,
        timezone: await salon.timezone(),
      }),
    );
  });

  return r;
}
