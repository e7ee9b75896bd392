// Domain code does not import transport: outside server/http/ only the route files (the Express
// side of each folder) and the app's wiring may import from server/http/.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = path.join(ROOT, 'server');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

const mayImportHttp = (file: string) => file.startsWith('server/http/') || file === 'server/app.ts' || file.endsWith('/routes.ts');

function httpImports(file: string): string[] {
  const dir = path.dirname(path.join(ROOT, file));
  return specifiers(readFileSync(path.join(ROOT, file), 'utf8')).filter((s) => {
    if (!s.startsWith('.')) return false;
    const target = path.relative(SERVER, path.resolve(dir, s)).split(path.sep).join('/');
    return target === 'http' || target.startsWith('http/');
  });
}

describe('server layers', () => {
  it('finds the imports it checks', () => {
    // The check itself: the wiring and a route file are known to import server/http/.
    expect(httpImports('server/app.ts')).toContain('./http/handlers.ts');
    expect(httpImports('server/slots/routes.ts')).toContain('../http/metrics.ts');
    expect(specifiers(`export { a } from '../http/x.ts';\nimport type { B } from "./http/y.ts";\nawait import('../http/z.ts');`)).toEqual([
      '../http/x.ts',
      './http/y.ts',
      '../http/z.ts',
    ]);
  });

  it('no file under server/ outside server/http/, the route files and app.ts imports from server/http/', () => {
    const offenders = tsFiles(SERVER)
      .filter((f) => !mayImportHttp(f))
      .flatMap((f) => httpImports(f).map((s) => `${f} → ${s}`));
    expect(offenders).toEqual([]);
  });
});
