// The routes an Express app really registered, found by walking its router stack (routers mounted
// with app.use are walked too, with their mount path). Regular-expression routes (the web app's
// fallback) are left out: they are not part of the HTTP contract.
import type { Express } from 'express';

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

export function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string, depth: number) => {
    if (depth > 10) throw new Error('router nesting deeper than 10');
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue;
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount, depth + 1);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', 0);
  return out;
}
