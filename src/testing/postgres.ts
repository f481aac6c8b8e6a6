/**
 * PostgreSQL for tests: where it is (KAIROS_TEST_DATABASE_URL or the local default), whether it answers, and a fresh
 * schema per test, dropped after a passing test and kept (and named) after a failing one.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresDriver } from '../driver/postgres/postgres-driver.js';
import type { ConformanceTarget } from './driver-conformance/context.js';

/** The database the PostgreSQL tests use. */
export const TEST_DATABASE_URL = process.env.KAIROS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let availability: Promise<string | null> | undefined;

/** Null when PostgreSQL answers, else why not. Asked once per process. */
function unavailableReason(): Promise<string | null> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return availability;
}

/**
 * True when PostgreSQL answers. When it does not, says so in one loud line and returns false (the caller skips its
 * tests), except under CI=true, where a missing database is a failure: it throws.
 */
export async function pgAvailable(): Promise<boolean> {
  const reason = await unavailableReason();
  if (reason === null) return true;
  const line = `PostgreSQL tests: no database answers at ${TEST_DATABASE_URL} (${reason})`;
  if (process.env.CI === 'true') throw new Error(`${line}; CI=true requires it`);
  console.warn(`\n*** SKIPPED ${line}; set KAIROS_TEST_DATABASE_URL or start PostgreSQL to run them ***\n`);
  return false;
}

/** A fresh schema name, kairos_t_<random>. */
export function freshSchemaName(): string {
  return `kairos_t_${randomBytes(6).toString('hex')}`;
}

/** Drops `schema` unless `keep`, in which case it names it for a look. */
export async function dropSchema(schema: string, keep: boolean): Promise<void> {
  if (keep) {
    console.warn(`kept PostgreSQL schema for a look: ${schema} at ${TEST_DATABASE_URL}`);
    return;
  }
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A store URL on a fresh schema (not created yet: the first instance's migrate() does), and the cleanup that drops it. */
export function freshPostgresStore(): { store: string; schema: string; cleanup(failed: boolean): Promise<void> } {
  const schema = freshSchemaName();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema);
  url.searchParams.set('poolSize', '4');
  return { store: url.toString(), schema, cleanup: (failed) => dropSchema(schema, failed) };
}

/** A migrated driver on a fresh schema, and the cleanup that drops it. */
export async function freshPostgresDriver(options: { poolSize?: number } = {}): Promise<{ driver: PostgresDriver; schema: string; cleanup(failed: boolean): Promise<void> }> {
  const schema = freshSchemaName();
  const driver = new PostgresDriver({ connectionString: TEST_DATABASE_URL, schema, poolSize: options.poolSize ?? 5 });
  await driver.migrate();
  return { driver, schema, cleanup: (failed) => dropSchema(schema, failed) };
}

/** The conformance target: every test on a fresh, migrated schema. */
export function postgresTestTarget(): ConformanceTarget {
  return { name: 'postgres', create: () => freshPostgresDriver() };
}
