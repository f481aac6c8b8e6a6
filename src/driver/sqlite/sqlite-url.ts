/** Parses `sqlite:` store URLs into SqliteDriver options. */
import { KairosError } from '../../core/errors.js';
import type { SqliteDurability } from './sqlite-driver.js';

/**
 * `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, `sqlite:///abs/path`; query options
 * `durability=normal|full` and `cacheMiB=<n>`.
 */
export function parseSqliteUrl(url: string): { filename: string; durability: SqliteDurability; cacheMiB: number } {
  const rest = url.replace(/^sqlite:/i, '');
  const q = rest.indexOf('?');
  let filename = q === -1 ? rest : rest.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : rest.slice(q + 1));
  if (filename.startsWith('//')) filename = filename.slice(2);
  if (filename.length === 0) throw new KairosError('STORE_URL_INVALID', `store: ${url} names no file (use sqlite:./kairos.db or sqlite::memory:)`, { details: { field: 'store' } });
  const durability = params.get('durability') ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') {
    throw new KairosError('STORE_URL_INVALID', `store: durability must be "normal" or "full", got "${durability}"`, { details: { field: 'store.durability' } });
  }
  const cacheMiB = Number(params.get('cacheMiB') ?? 16);
  if (!Number.isFinite(cacheMiB) || cacheMiB < 1 || cacheMiB > 4096) {
    throw new KairosError('STORE_URL_INVALID', 'store: cacheMiB must be a number from 1 to 4096', { details: { field: 'store.cacheMiB' } });
  }
  for (const key of params.keys()) {
    if (key !== 'durability' && key !== 'cacheMiB') throw new KairosError('STORE_URL_INVALID', `store: unknown option "${key}"`, { details: { field: `store.${key}` } });
  }
  return { filename, durability, cacheMiB };
}
