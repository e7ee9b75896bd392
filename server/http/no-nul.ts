import type { RequestHandler } from 'express';
import { AppError } from '../errors.ts';

/**
 * Refuses a JSON body holding a NUL character (U+0000) in any string or key, as 400
 * `INVALID_INPUT` naming the field: Postgres text and jsonb cannot store it, so no field of the
 * contract can accept it, and without this check it reached the database as a 500. Iterative, and
 * bounded by the body limit.
 */
export const refuseNulInBody: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object') return next();
  const stack: { value: unknown; path: string }[] = [{ value: body, path: '' }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return next(nulError(path));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const p = path ? `${path}.${k}` : k;
        if (k.includes('\u0000')) return next(nulError(p));
        stack.push({ value: v, path: p });
      }
    }
  }
  next();
};

function nulError(field: string): AppError {
  return new AppError('INVALID_INPUT', 'Some fields are missing or invalid', {
    fields: [{ field: field.replace(/\u0000/g, '\\u0000'), code: 'invalid_format', message: 'must not contain NUL characters' }],
  });
}
