import { Router } from 'express';
import { z } from 'zod';
import { requireRole, roleGuard } from '../auth/guard.ts';
import { createOverrideBody, overridesQuery } from '../contract/admin.ts';
import { uuid } from '../contract/common.ts';
import { parseOr400 } from '../errors.ts';
import type { OverrideService } from './service.ts';

const idParams = z.strictObject({ id: uuid });

/** /api/admin/overrides*: admins only (401 without a login, 403 for other roles). */
export function overrideRoutes(deps: { overrides: OverrideService }): Router {
  const { overrides } = deps;
  const r = Router();
  r.use('/api/admin/overrides', roleGuard('admin'));

  r.get('/api/admin/overrides', async (req, res) => {
    res.json(await overrides.list(parseOr400(overridesQuery, req.query)));
  });

  // What creating this override would affect: the same validation and answer, nothing written.
  r.post('/api/admin/overrides/preview', async (req, res) => {
    res.json(await overrides.preview(parseOr400(createOverrideBody, req.body)));
  });

  r.post('/api/admin/overrides', async (req, res) => {
    const user = requireRole(req, 'admin');
    res.status(201).json(await overrides.create(user, parseOr400(createOverrideBody, req.body)));
  });

  r.delete('/api/admin/overrides/:id', async (req, res) => {
    const user = requireRole(req, 'admin');
    const { id } = parseOr400(idParams, req.params);
    await overrides.delete(user, id);
    res.status(204).end();
  });

  return r;
}
