import { Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import type { SalonDto, ServiceDto, StylistDto } from '../contract/slots.ts';
import { parseOr400 } from '../errors.ts';
import type { SalonSettings } from '../salon.ts';

/** Neither list takes parameters; an unknown one is refused like everywhere else. */
const noQuery = z.strictObject({});

/**
 * The public catalogue: the salon (its time zone and currency), services, and active stylists with
 * what they offer. Every price carries `currency` (the salon's one currency, from config), so
 * clients never hard-code it.
 */
export function catalogueRoutes(deps: { pool: Pool; currency: string; salon: SalonSettings }): Router {
  const { pool, currency, salon } = deps;
  const r = Router();
  r.get('/api/salon', async (req, res) => {
    parseOr400(noQuery, req.query);
    const body: SalonDto = { timezone: await salon.timezone(), currency };
    res.json(body);
  });
  r.get('/api/services', async (req, res) => {
    parseOr400(noQuery, req.query);
    const { rows } = await pool.query<ServiceDto>(
      `select id, name, category, duration_minutes as "durationMinutes", price_cents as "priceCents", $1::text as currency
         from services where active order by category, name`,
      [currency],
    );
    res.json(rows);
  });
  r.get('/api/stylists', async (req, res) => {
    parseOr400(noQuery, req.query);
    const { rows } = await pool.query<StylistDto>(
      `select s.id, s.display_name as "displayName", s.timezone, s.bio,
              coalesce((select json_agg(json_build_object('id', sv.id, 'name', sv.name,
                         'durationMinutes', coalesce(ss.duration_minutes, sv.duration_minutes),
                         'priceCents', coalesce(ss.price_cents, sv.price_cents), 'currency', $1::text) order by sv.name)
                  from stylist_services ss join services sv on sv.id = ss.service_id
                 where ss.stylist_id = s.id and sv.active), '[]') as services
         from stylists s where s.active order by s.display_name`,
      [currency],
    );
    res.json(rows);
  });
  return r;
}
