// Metrics at the HTTP edge: request latency by route, and GET /metrics. The registry and the
// process's metrics are server/metrics.ts.
import { Router, type RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../hash.ts';
import type { Metrics } from '../metrics.ts';

/** A latency recorder for one route that records itself (the slots route), children memoised per status. */
export function routeObserver(metrics: Metrics, method: string, route: string): (status: number, started: number) => void {
  const children = new Map<number, { observe(v: number): void }>();
  return (status, started) => {
    let child = children.get(status);
    if (!child) children.set(status, (child = metrics.httpDuration.labels(method, route, String(status))));
    child.observe((performance.now() - started) / 1000);
  };
}

/** Records every request's latency by its matched route (bounded label values: never the raw URL). */
export function httpMetrics(metrics: Metrics): RequestHandler {
  // One memoised recorder per (method, route): resolving labels on every observation showed up on
  // the cached slots path (docs/benchmarks.md). Bounded by routes × methods.
  const observers = new Map<string, ReturnType<typeof routeObserver>>();
  return (req, res, next) => {
    const start = performance.now();
    res.once('finish', () => {
      // Express types the matched route as `any`; its path is the pattern as registered.
      const matched = req.route as { path: unknown } | undefined;
      const route = matched ? `${req.baseUrl}${String(matched.path)}` : res.statusCode === 404 ? 'unmatched' : 'other';
      const key = `${req.method} ${route}`;
      let observe = observers.get(key);
      if (!observe) observers.set(key, (observe = routeObserver(metrics, req.method, route)));
      observe(res.statusCode, start);
    });
    next();
  };
}

/** GET /metrics in the Prometheus text format; with a token set, only for `Authorization: Bearer <token>`. */
export function metricsRoute(metrics: Metrics, token: string | undefined): Router {
  const r = Router();
  r.get('/metrics', async (req, res) => {
    if (token && !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'A metrics token is required' } });
      return;
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(await metrics.registry.metrics());
  });
  return r;
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
