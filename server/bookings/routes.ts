import { Router } from 'express';
import { z } from 'zod';
import { bookingLimiter, requireUser } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { uuid } from '../contract/common.ts';
import {
  cancelBody,
  createBookingBody,
  createHoldBody,
  idempotencyKey,
  mineQuery,
  rescheduleBody,
  statusBody,
} from '../contract/bookings.ts';
import { parseOr400 } from '../errors.ts';
import { ANY_STYLIST } from '../contract/slots.ts';
import type { AnyStylistBookings } from './any.ts';
import type { BookingService } from './service.ts';

const idParams = z.strictObject({ id: uuid });

/** Holds and bookings of the logged-in user (docs/api.md "Holds and bookings"). Thin: validate → act → present. */
export function bookingRoutes(deps: { bookings: BookingService; anyStylist: AnyStylistBookings; config: Config }): Router {
  const { bookings, anyStylist, config } = deps;
  const r = Router();
  const limited = bookingLimiter(config);

  r.post('/api/holds', limited, async (req, res) => {
    const user = requireUser(req);
    const body = parseOr400(createHoldBody, req.body);
    res.status(201).json(await (body.stylistId === ANY_STYLIST ? anyStylist.createHold(user, body) : bookings.createHold(user, body)));
  });

  r.get('/api/holds/mine', async (req, res) => {
    const user = requireUser(req);
    res.json(await bookings.listMyHolds(user));
  });

  r.delete('/api/holds/:id', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseOr400(idParams, req.params);
    await bookings.deleteHold(user, id);
    res.status(204).end();
  });

  r.post('/api/bookings', limited, async (req, res) => {
    const user = requireUser(req);
    const body = parseOr400(createBookingBody, req.body);
    const header = req.get('idempotency-key');
    const key =
      header === undefined
        ? undefined
        : parseOr400(z.object({ 'Idempotency-Key': idempotencyKey }), { 'Idempotency-Key': header })['Idempotency-Key'];
    const { booking, replayed } = await (body.stylistId === ANY_STYLIST
      ? anyStylist.createBooking(user, body, key)
      : bookings.createBooking(user, body, key));
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(booking);
  });

  r.get('/api/bookings/mine', async (req, res) => {
    const user = requireUser(req);
    const q = parseOr400(mineQuery, req.query);
    res.json(await bookings.listMine(user, q.limit ?? 100));
  });

  r.post('/api/bookings/:id/cancel', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseOr400(idParams, req.params);
    const body = parseOr400(cancelBody, req.body ?? {});
    res.json(await bookings.cancel(user, id, body.reason || undefined));
  });

  r.post('/api/bookings/:id/reschedule', limited, async (req, res) => {
    const user = requireUser(req);
    const { id } = parseOr400(idParams, req.params);
    const body = parseOr400(rescheduleBody, req.body);
    res.json(await bookings.reschedule(user, id, body.startUtc, body.stylistId));
  });

  r.post('/api/bookings/:id/status', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseOr400(idParams, req.params);
    const body = parseOr400(statusBody, req.body);
    res.json(await bookings.setStatus(user, id, body.status));
  });

  return r;
}
