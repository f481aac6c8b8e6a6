/** One fresh directory per test for SQLite files; removed after a passing test, kept (and printed) after a failing one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  path: string;
  file(name: string): string;
  /** Remove unless `keep` (pass the test's failed state). */
  cleanup(keep: boolean): void;
}

export function makeTempDir(prefix = 'kairos-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    cleanup(keep) {
      if (keep) console.warn(`kept test files for a look: ${path}`);
      else rmSync(path, { recursive: true, force: true });
    },
  };
}
