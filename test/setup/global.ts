// Vitest global setup: one real PostgreSQL (embedded) for the whole run, in a fresh temp folder, with
// a migrated template database that each test file clones (see test/setup/db.ts).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, withDatabase } from '../../server/db/embedded.ts';
import { migrate } from '../../server/db/migrate.ts';
import { installJobSchema } from '../../server/jobs/schema.ts';
import { freePort } from './net.ts';
import { pgTempRoot } from './tmp.ts';

export const TEMPLATE_DB = 'kb_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pgDataDir: string;
    pgPort: number;
  }
}

export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  let dataDir = '';
  let port = 0;
  if (!url) {
    const root = await pgTempRoot('kb-test-');
    dataDir = path.join(root, 'pg');
    port = await freePort();
    const db = await startEmbeddedPostgres(dataDir, port, pino({ level: 'silent' }));
    url = db.url;
    stop = async () => {
      await db.stop();
      await rm(root, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB}`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const tpl = new pg.Client({ connectionString: withDatabase(url, TEMPLATE_DB) });
  await tpl.connect();
  await migrate(tpl);
  await tpl.end();
  // The job queue's schema too (the booking triggers add jobs to it): no test file pays for it.
  await installJobSchema(withDatabase(url, TEMPLATE_DB), pino({ level: 'silent' }));
  project.provide('pgUrl', url);
  project.provide('pgDataDir', dataDir);
  project.provide('pgPort', port);
  return stop;
}
