import { Router } from 'express';
import type { Pool } from '../db/pool.ts';
import type { ServiceDto, StylistDto } from '../contract/slots.ts';

/** The public catalogue: services and active stylists with what they offer. */
export function catalogueRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/api/services', async (_req, res) => {
    const { rows } = await pool.query<ServiceDto>(
      `select id, name, category, duration_minutes as "durationMinutes", price_cents as "priceCents"
         from services where active order by category, name`);
    res.json(rows);
  });
  r.get('/api/stylists', async (_req, res) => {
    const { rows } = await pool.query<StylistDto>(
      `select s.id, s.display_name as "displayName", s.timezone, s.bio,
              coalesce((select json_agg(json_build_object('id', sv.id, 'name', sv.name,
                         'durationMinutes', coalesce(ss.duration_minutes, sv.duration_minutes),
                         'priceCents', coalesce(ss.price_cents, sv.price_cents)) order by sv.name)
                  from stylist_services ss join services sv on sv.id = ss.service_id
                 where ss.stylist_id = s.id and sv.active), '[]') as services
         from stylists s where s.active order by s.display_name`);
    res.json(rows);
  });
  return r;
}
