/** Helpers both drivers use for job filters: whether a list needs them, and key prefixes as index ranges. */
import type { JobListParams } from './driver.js';

/** True when a list needs the filtered statements (anything beyond one queue and one state). */
export function isFiltered(p: JobListParams): boolean {
  return p.states !== undefined || p.tag !== undefined || p.keyPrefix !== undefined || p.batchId !== undefined || p.createdFrom !== undefined
    || p.createdTo !== undefined || p.runAtFrom !== undefined || p.runAtTo !== undefined || p.finishedFrom !== undefined || p.finishedTo !== undefined;
}

/* A key prefix filter is the range [prefix, prefixEnd(prefix)) in code point order, which an index on the key reads. */

/**
 * The smallest string above every string that starts with `prefix`, in code point order (SQLite's BINARY collation
 * and PostgreSQL's "C" collation of UTF-8 both compare that way); null when there is none (the prefix is all
 * U+10FFFF), in which case the range has no upper end.
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      // Skip the surrogate range, which is not a code point of its own.
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}
