import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh temp folder to hold an embedded Postgres data folder. mkdtemp makes it 0700; as root the
 * server runs as the `postgres` user, which must pass through it, and startEmbeddedPostgres never
 * changes a folder it did not create: the folder's creator (here) opens it to search only (0711).
 */
export async function pgTempRoot(prefix: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(root, 0o711);
  return root;
}
