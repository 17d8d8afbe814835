// A folder written once and then only read, by any number of readers in this process or others:
// it is written under a temporary sibling name and renamed into place, so nobody sees half of it.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

/**
 * Writes `dir` with `write(tmp)` into a temporary sibling and renames it into place. When writing
 * fails but another writer has put `dir` in place meanwhile, theirs is as good and stands.
 */
export async function writeFolderOnce(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await write(tmp);
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
}
