/**
 * Native node-postgres errors as KairosErrors with stable codes, and which of them the driver retries by itself
 * (serialization failures and deadlocks, a bounded number of times).
 */
import { KairosError } from '../../core/errors.js';

/** SQLSTATEs of a transaction PostgreSQL rolled back to break a conflict; running it again may succeed. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Contention: lock waits that ran out, too many connections, a statement cancelled by statement_timeout. */
const BUSY = new Set(['40001', '40P01', '55P03', '53300', '57014']);

/** Socket errors of a lost or refused connection, and server shutdown codes. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

interface PgErrorLike {
  code?: string;
  message?: string;
  constraint?: string;
}

/** True for errors after which the whole transaction may simply be run again. */
export function isRetryable(cause: unknown): boolean {
  return RETRYABLE.has((cause as PgErrorLike | null)?.code ?? '');
}

/** True when the connection the error came from cannot be used again. */
export function isConnectionLost(cause: unknown): boolean {
  const e = cause as PgErrorLike | null;
  const code = e?.code ?? '';
  return UNREACHABLE.has(code) || code.startsWith('08') || /Connection terminated|connection is closed|Client was closed/i.test(e?.message ?? '');
}

/** Native errors become KairosErrors; KairosErrors pass through. */
export function translate(cause: unknown): never {
  if (cause instanceof KairosError) throw cause;
  const e = (cause ?? {}) as PgErrorLike;
  const message = e.message ?? String(cause);
  if (e.code === '23505' && e.constraint === 'kairos_jobs_key') {
    throw new KairosError('DUPLICATE_KEY', 'key: another job of this queue holds the same key', { details: { field: 'key' }, cause });
  }
  if (e.code === '23514' && e.constraint === 'kairos_jobs_id_range') {
    throw new KairosError('ID_OUT_OF_RANGE', 'id: the job id sequence passed 2^53 − 2^20, the largest id Kairos can represent exactly; nothing was stored', {
      details: { field: 'id' },
      cause,
    });
  }
  if (BUSY.has(e.code ?? '') || /timeout exceeded when trying to connect/i.test(message)) {
    throw new KairosError('STORE_BUSY', `PostgreSQL: ${message}`, { cause });
  }
  if (isConnectionLost(cause)) {
    throw new KairosError('STORE_ERROR', `PostgreSQL unreachable: ${message}`, { details: { transient: true }, cause });
  }
  throw new KairosError('STORE_ERROR', `PostgreSQL: ${message}`, { cause });
}
