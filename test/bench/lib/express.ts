// Looking inside an Express 5 app's router, to measure exactly what a request passes through:
// which middleware runs before a given route's handler, and a floor that keeps that middleware but
// answers in place of the handler. Uses `app.router.stack` (Express 5's router layers).
import { Router, type Express, type RequestHandler } from 'express';

interface Layer {
  name: string;
  handle: ((...args: unknown[]) => unknown) & { stack?: Layer[] };
  route?: { path: string; _handlesMethod(method: string): boolean };
  match(path: string): false | { path: string };
}

function stackOf(app: Express): Layer[] {
  return (app as unknown as { router: { stack: Layer[] } }).router.stack;
}

function describe(layer: Layer): string {
  if (layer.name && layer.name !== '<anonymous>') return layer.name;
  // Anonymous middleware: show the start of its source so it can be found.
  const src = String(layer.handle).replace(/\s+/g, ' ').slice(0, 70);
  return `anonymous(${src}…)`;
}

/**
 * What a request `method path` runs through, in order, up to and including the route that answers
 * it: middleware by name, routers it only passes through, then `GET /the/route`. Error handlers
 * are left out (they do not run on success). Returns null when no route answers.
 */
export function routeTrail(app: Express, method: string, path: string): { index: number; trail: string[] } | null {
  const trail: string[] = [];
  const stack = stackOf(app);
  for (let i = 0; i < stack.length; i++) {
    if (walk([stack[i]], method.toLowerCase(), path, trail)) return { index: i, trail };
  }
  return null;
}

function walk(stack: Layer[], method: string, path: string, out: string[]): boolean {
  for (const layer of stack) {
    const m = layer.match(path);
    if (!m) continue;
    if (layer.route) {
      if (!layer.route._handlesMethod(method)) continue;
      out.push(`${method.toUpperCase()} ${layer.route.path}`);
      return true;
    }
    if (Array.isArray(layer.handle.stack)) {
      const inner: string[] = [];
      if (walk(layer.handle.stack, method, path.slice(m.path.length) || '/', inner)) {
        out.push(...inner);
        return true;
      }
      out.push(inner.length ? `router[${inner.join(', ')}]` : 'router (passed through)');
      continue;
    }
    if (layer.handle.length === 4) continue;
    out.push(describe(layer));
  }
  return false;
}

/**
 * Puts `handler` for `method path` right before the top-level layer that holds the real route, so
 * a request passes through exactly the app's own middleware and then gets the floor's answer.
 * Returns the trail of the real route (see routeTrail).
 */
export function floorInPlace(app: Express, method: 'get', path: string, handler: RequestHandler): string[] {
  const found = routeTrail(app, method, path);
  if (!found) throw new Error(`no route answers ${method.toUpperCase()} ${path}`);
  const floor = Router();
  floor[method](path, handler);
  app.use(floor);
  const stack = stackOf(app);
  stack.splice(found.index, 0, stack.pop()!);
  return found.trail;
}
