/**
 * Ids cross the seam as JavaScript numbers. Stores keep them as 64-bit integers (PostgreSQL bigint arrives as a
 * string, SQLite may give a bigint), so every driver passes ids through toJobId(), which refuses any id a number
 * cannot hold exactly instead of rounding it.
 */
import { KairosError } from '../core/errors.js';

/**
 * The largest job id Kairos hands out: 2^53 − 2^20. The margin below Number.MAX_SAFE_INTEGER leaves room for the
 * arithmetic drivers do on ids (a batch's first id plus its length) to stay exact.
 */
export const MAX_JOB_ID = 2 ** 53 - 2 ** 20;

/** A store's id (number, bigint or decimal string) as a number; ID_OUT_OF_RANGE when it cannot be held exactly. */
export function toJobId(raw: number | bigint | string): number {
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (Number.isSafeInteger(n) && n >= 1 && n <= MAX_JOB_ID && (typeof raw !== 'string' || String(n) === raw)) return n;
  throw new KairosError('ID_OUT_OF_RANGE', `id ${String(raw)} is outside 1…${MAX_JOB_ID}, the ids Kairos can represent exactly`, {
    details: { field: 'id', id: String(raw) },
  });
}
