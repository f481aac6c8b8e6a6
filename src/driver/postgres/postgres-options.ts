/** Options of the PostgreSQL driver and the parsing of `postgres://` store URLs into them. */
import { KairosError } from '../../core/errors.js';

/** Kairos's own query options of a store URL; the rest of the URL goes to node-postgres unchanged. */
const OWN_PARAMS = ['schema', 'poolSize'] as const;

/** A schema name Kairos accepts: a plain lower-case identifier, short enough for the channel name built from it. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** The schema of a store URL or driver that names none. */
export const DEFAULT_SCHEMA = 'kairos';
/** Connections of the driver's own pool when the URL or options name no size. */
export const DEFAULT_POOL_SIZE = 10;

/** Throws CONFIG_INVALID unless `schema` is 1–48 characters of [a-z0-9_], not starting with a digit. */
export function assertSchemaName(schema: unknown): asserts schema is string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new KairosError('CONFIG_INVALID', `schema: ${JSON.stringify(schema)} is not a valid schema name (1–48 characters of a-z 0-9 _, not starting with a digit or pg_)`, {
      details: { field: 'schema' },
    });
  }
}

/**
 * `postgres://user@host:5432/db?schema=kairos&poolSize=10` (or `postgresql://`). `schema` (default `kairos`) holds
 * every table; `poolSize` (1–1000, default 10) bounds the driver's pool. Other parameters (sslmode, …) reach pg.
 */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string; poolSize: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new KairosError('STORE_URL_INVALID', 'store: not a valid postgres:// URL', { details: { field: 'store' }, cause });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new KairosError('STORE_URL_INVALID', `store: expected postgres:// or postgresql://, got ${parsed.protocol}`, { details: { field: 'store' } });
  }
  const schema = parsed.searchParams.get('schema') ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new KairosError('STORE_URL_INVALID', `store: schema ${JSON.stringify(schema)} is not a valid schema name (1–48 characters of a-z 0-9 _)`, {
      details: { field: 'store.schema' },
    });
  }
  const poolSize = Number(parsed.searchParams.get('poolSize') ?? DEFAULT_POOL_SIZE);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new KairosError('STORE_URL_INVALID', 'store: poolSize must be an integer from 1 to 1000', { details: { field: 'store.poolSize' } });
  }
  for (const name of OWN_PARAMS) parsed.searchParams.delete(name);
  return { connectionString: parsed.toString(), schema, poolSize };
}
