import { Router } from 'express';
import { bookingLimiter, requireRole } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { idParams } from '../contract/routes-table.ts';
import { declineBody, joinWaitlistBody } from '../contract/waitlist.ts';
import { parseOr400 } from '../errors.ts';
import type { WaitlistService } from './service.ts';

/** The customer's waitlist (docs/api.md "Waitlist"): customers only. Thin: validate → act → present. */
export function waitlistRoutes(deps: { waitlist: WaitlistService; config: Config }): Router {
  const { waitlist, config } = deps;
  const r = Router();
  const limited = bookingLimiter(config);

  r.post('/api/waitlist', limited, async (req, res) => {
    const user = requireRole(req, 'customer');
    const body = parseOr400(joinWaitlistBody, req.body);
    res.status(201).json(await waitlist.join(user, body));
  });

  r.get('/api/waitlist/mine', async (req, res) => {
    const user = requireRole(req, 'customer');
    res.json(await waitlist.listMine(user));
  });

  r.delete('/api/waitlist/:id', async (req, res) => {
    const user = requireRole(req, 'customer');
    const { id } = parseOr400(idParams, req.params);
    await waitlist.leave(user, id);
    res.status(204).end();
  });

  r.post('/api/waitlist/:id/decline', async (req, res) => {
    const user = requireRole(req, 'customer');
    const { id } = parseOr400(idParams, req.params);
    parseOr400(declineBody, req.body ?? {});
    res.json(await waitlist.decline(user, id));
  });

  return r;
}
