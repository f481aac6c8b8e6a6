/** Native PostgreSQL errors become KairosErrors with stable codes; an unreachable database is STORE_ERROR. */
import { describe, expect, it } from 'vitest';
import { isKairosError, KairosError } from '../../src/core/errors.js';
import { isRetryable, translate } from '../../src/driver/postgres/pg-errors.js';
import { PostgresDriver } from '../../src/driver/postgres/postgres-driver.js';

function translated(cause: unknown): KairosError {
  try {
    translate(cause);
  } catch (error) {
    if (isKairosError(error)) return error;
    throw error;
  }
  throw new Error('translate returned');
}

describe('PostgreSQL error translation', () => {
  it('maps constraints, contention and lost connections to stable codes, keeping the cause', () => {
    const dup = { code: '23505', constraint: 'kairos_jobs_key', message: 'duplicate key value' };
    expect(translated(dup)).toMatchObject({ code: 'DUPLICATE_KEY', details: { field: 'key' }, cause: dup });
    expect(translated({ code: '23514', constraint: 'kairos_jobs_id_range' })).toMatchObject({ code: 'ID_OUT_OF_RANGE' });
    for (const code of ['40001', '40P01', '55P03', '53300', '57014']) expect(translated({ code, message: 'x' }).code, code).toBe('STORE_BUSY');
    expect(translated(new Error('timeout exceeded when trying to connect')).code).toBe('STORE_BUSY');
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '08006']) {
      expect(translated({ code, message: 'x' }), code).toMatchObject({ code: 'STORE_ERROR', details: { transient: true } });
    }
    expect(translated(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'STORE_ERROR', details: { transient: true } });
    expect(translated({ code: '23505', constraint: 'other' })).toMatchObject({ code: 'STORE_ERROR', details: {} });
    const own = new KairosError('JOB_NOT_FOUND', 'x');
    expect(translated(own)).toBe(own);
    expect(isRetryable({ code: '40P01' })).toBe(true);
    expect(isRetryable({ code: '23505' })).toBe(false);
  });

  it('a database that does not answer is STORE_ERROR, not a native error', async () => {
    const driver = new PostgresDriver({ connectionString: 'postgres://postgres@127.0.0.1:1/none', schema: 'kairos' });
    try {
      await expect(driver.jobGet({ id: 1 })).rejects.toMatchObject({ code: 'STORE_ERROR', details: { transient: true } });
      await expect(driver.migrate()).rejects.toMatchObject({ code: 'STORE_ERROR' });
      await expect(driver.subscribe(() => undefined)).rejects.toMatchObject({ code: 'STORE_ERROR' });
    } finally {
      await driver.close();
    }
    await expect(driver.jobGet({ id: 1 })).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
