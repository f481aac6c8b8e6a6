/** docs/cli.md's exit code table names every error code of the catalog once, with the exit code exit-codes.ts gives it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { ERROR_CATALOG, KairosError, type ErrorCode } from '../../src/core/errors.js';

/** The codes each row of the "Exit codes" table names, by exit code. */
function documentedCodes(): Map<ErrorCode, number[]> {
  const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Exit codes'), doc.indexOf('The rule between 2 and 3'));
  const found = new Map<ErrorCode, number[]>();
  for (const row of section.split('\n').filter((line) => /^\| \d+ \|/.test(line))) {
    const exit = Number(/^\| (\d+) \|/.exec(row)?.[1]);
    for (const [, code] of row.matchAll(/`([A-Z_]+)`/g)) {
      if (code !== undefined && code in ERROR_CATALOG) found.set(code as ErrorCode, [...(found.get(code as ErrorCode) ?? []), exit]);
    }
  }
  return found;
}

describe('kairos CLI: exit codes', () => {
  it('docs/cli.md lists every error code once, under the exit code the CLI uses', () => {
    const documented = documentedCodes();
    for (const code of Object.keys(ERROR_CATALOG) as ErrorCode[]) {
      expect(documented.get(code), code).toEqual([exitCodeFor(new KairosError(code, 'x'))]);
    }
  });
});
