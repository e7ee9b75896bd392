import { Router } from 'express';
import { buildOpenApiDocument } from '../contract/openapi.ts';
import { noQuery } from '../contract/routes-table.ts';
import { parseOr400 } from '../errors.ts';
import { sha256Url } from '../hash.ts';

export const OPENAPI_PATH = '/api/openapi.json';

/**
 * GET /api/openapi.json: the OpenAPI 3.1 document of the HTTP contract. Public, built once per
 * process, served as the same bytes with a strong ETag (304 on If-None-Match) and cacheable.
 */
let built: { body: string; etag: string } | undefined;

export function openApiRoutes(): Router {
  const { body, etag } = (built ??= build());
  const r = Router();
  r.get(OPENAPI_PATH, (req, res) => {
    parseOr400(noQuery, req.query);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('ETag', etag);
    const match = req.headers['if-none-match'];
    if (match !== undefined && match.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(body);
  });
  return r;
}

function build(): { body: string; etag: string } {
  const body = JSON.stringify(buildOpenApiDocument());
  return { body, etag: `"${sha256Url(body).slice(0, 27)}"` };
}
