import { Router } from 'express';
import { roleGuard } from '../auth/guard.ts';
import { reportQuery } from '../contract/reports.ts';
import type { Pool } from '../db/pool.ts';
import { parseOr400 } from '../errors.ts';
import type { SalonSettings } from '../salon.ts';
import { reportSummary } from './reports.ts';

/** GET /api/admin/reports/summary: the salon's numbers, admins only. */
export function reportRoutes(deps: { pool: Pool; salon: SalonSettings; currency: string; now: () => number }): Router {
  const { pool, salon, currency, now } = deps;
  const r = Router();
  r.get('/api/admin/reports/summary', roleGuard('admin'), async (req, res) => {
    const q = parseOr400(reportQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await reportSummary(pool, q, { nowMs: now(), timezone: await salon.timezone(), currency }));
  });
  return r;
}
