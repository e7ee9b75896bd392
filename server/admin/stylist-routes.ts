import { Router } from 'express';
import { requireRole, roleGuard } from '../auth/guard.ts';
import { createServiceBody, patchServiceBody, patchStylistBody, serviceIdParams as idParams } from '../contract/stylist-admin.ts';
import { parseOr400 } from '../errors.ts';
import type { ServiceCatalogueAdmin } from './services.ts';
import type { StylistEditor } from './stylists.ts';
import { z } from 'zod';

const noQuery = z.strictObject({});

/** Stylist edits and the service catalogue (/api/admin/stylists, /api/admin/services): admins only. */
export function stylistAdminRoutes(deps: { stylists: StylistEditor; services: ServiceCatalogueAdmin }): Router {
  const { stylists, services } = deps;
  const r = Router();
  r.use(['/api/admin/stylists', '/api/admin/services'], roleGuard('admin'));

  r.get('/api/admin/stylists', async (req, res) => {
    parseOr400(noQuery, req.query);
    res.json(await stylists.list());
  });

  r.patch('/api/admin/stylists/:id', async (req, res) => {
    const user = requireRole(req, 'admin');
    const { id } = parseOr400(idParams, req.params);
    res.json(await stylists.patch(user, id, parseOr400(patchStylistBody, req.body)));
  });

  r.get('/api/admin/services', async (req, res) => {
    parseOr400(noQuery, req.query);
    res.json(await services.list());
  });

  r.post('/api/admin/services', async (req, res) => {
    const user = requireRole(req, 'admin');
    res.status(201).json(await services.create(user, parseOr400(createServiceBody, req.body)));
  });

  r.patch('/api/admin/services/:id', async (req, res) => {
    const user = requireRole(req, 'admin');
    const { id } = parseOr400(idParams, req.params);
    res.json(await services.patch(user, id, parseOr400(patchServiceBody, req.body)));
  });

  return r;
}
