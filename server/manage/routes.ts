import { Router, type Response } from 'express';
import { bookingLimiter } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { manageCancelBody, manageParams, manageRescheduleBody } from '../contract/manage.ts';
import { noQuery } from '../contract/routes-table.ts';
import { parseOr400 } from '../errors.ts';
import type { ManageService } from './service.ts';

/** Sends an .ics file; never cached (it changes with the booking, and its URL may carry a secret). */
export function sendIcs(res: Response, ics: { filename: string; content: string }): void {
  res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${ics.filename}"`);
  res.setHeader('Cache-Control', 'private, no-store');
  res.send(ics.content);
}

/** A booking through its manage link, without a session (docs/api.md "Manage links"). */
export function manageRoutes(deps: { manage: ManageService; config: Config }): Router {
  const { manage, config } = deps;
  const r = Router();
  const limited = bookingLimiter(config);
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'private, no-store');

  r.get('/api/manage/:token', async (req, res) => {
    const { token } = parseOr400(manageParams, req.params);
    parseOr400(noQuery, req.query);
    noStore(res);
    res.json(await manage.view(token));
  });

  r.get('/api/manage/:token/calendar.ics', async (req, res) => {
    const { token } = parseOr400(manageParams, req.params);
    parseOr400(noQuery, req.query);
    sendIcs(res, await manage.calendar(token));
  });

  r.post('/api/manage/:token/cancel', limited, async (req, res) => {
    const { token } = parseOr400(manageParams, req.params);
    const body = parseOr400(manageCancelBody, req.body ?? {});
    noStore(res);
    res.json(await manage.cancel(token, body.reason || undefined));
  });

  r.post('/api/manage/:token/reschedule', limited, async (req, res) => {
    const { token } = parseOr400(manageParams, req.params);
    const body = parseOr400(manageRescheduleBody, req.body);
    noStore(res);
    res.json(await manage.reschedule(token, body.startUtc));
  });

  return r;
}
