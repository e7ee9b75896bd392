// /api/admin/messages: the messages the salon sent or kept in the local mailbox (admins only).
import { Router } from 'express';
import { z } from 'zod';
import { roleGuard } from '../auth/guard.ts';
import { messageParams, messagesQuery } from '../contract/messages.ts';
import type { Pool } from '../db/pool.ts';
import { AppError, parseOr400 } from '../errors.ts';
import { getMessage, listMessages } from './store.ts';

const DEFAULT_LIMIT = 50;
const noQuery = z.strictObject({});

export function messageRoutes(deps: { pool: Pool }): Router {
  const r = Router();
  r.use('/api/admin/messages', roleGuard('admin'));
  r.get('/api/admin/messages', async (req, res) => {
    const q = parseOr400(messagesQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await listMessages(deps.pool, { limit: q.limit ?? DEFAULT_LIMIT, before: q.before, status: q.status }));
  });
  r.get('/api/admin/messages/:id', async (req, res) => {
    const { id } = parseOr400(messageParams, req.params);
    parseOr400(noQuery, req.query);
    const m = await getMessage(deps.pool, id);
    if (!m) throw new AppError('NOT_FOUND', 'No such message');
    res.setHeader('Cache-Control', 'no-store');
    res.json(m);
  });
  return r;
}
