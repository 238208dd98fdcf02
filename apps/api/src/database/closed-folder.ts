import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The first folder on the way to `path` (itself included when it exists) that users other than its owner and group
 * may not enter, or null. The embedded PostgreSQL server started by root runs as the `postgres` system user, which
 * needs to pass through every folder above its binaries and its data.
 */
export function closedToOthers(path: string): { folder: string; mode: string } | null {
  const folders: string[] = [];
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of folders) {
    let mode: number;
    try {
      mode = statSync(folder).mode;
    } catch {
      return null; // not made yet: it will be made inside a folder already checked
    }
    if ((mode & 0o001) === 0) return { folder, mode: (mode & 0o777).toString(8).padStart(4, '0') };
  }
  return null;
}
