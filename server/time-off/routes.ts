import { Router } from 'express';
import { requireRole } from '../auth/guard.ts';
import { serviceIdParams as idParams } from '../contract/stylist-admin.ts';
import { timeOffBody, timeOffQuery } from '../contract/time-off.ts';
import { parseOr400 } from '../errors.ts';
import type { TimeOffService } from './service.ts';

/** A stylist's own time off (stylists only; the front desk cannot ask for it) and the admin's revoke. */
export function timeOffRoutes(deps: { timeOff: TimeOffService }): Router {
  const { timeOff } = deps;
  const r = Router();

  r.get('/api/stylist/time-off', async (req, res) => {
    const user = requireRole(req, 'stylist');
    parseOr400(timeOffQuery, req.query);
    res.json(await timeOff.list(user));
  });

  r.post('/api/stylist/time-off', async (req, res) => {
    const user = requireRole(req, 'stylist');
    res.status(201).json(await timeOff.request(user, parseOr400(timeOffBody, req.body)));
  });

  r.delete('/api/admin/time-off/:id', async (req, res) => {
    const user = requireRole(req, 'admin');
    const { id } = parseOr400(idParams, req.params);
    res.json(await timeOff.revoke(user, id));
  });

  return r;
}
