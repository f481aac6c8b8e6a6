/**
 * Applies the numbered migrations in ./migrations (NNN_name.sql, the same numbers as the SQLite driver's) to the
 * driver's schema, in one transaction under a transaction-scoped advisory lock per schema, so several instances
 * starting at once apply each migration exactly once and the others wait, then find nothing to do.
 */
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { KairosError } from '../../core/errors.js';
import type { MigrateResult, MigrationInfo } from '../driver.js';
import { translate } from './pg-errors.js';
import { run } from './pg-session.js';
import { readMigrationFiles, type Migration } from '../migration-files.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The first key of the advisory lock (the second is a hash of the schema name): "KRS" + 1. */
const LOCK_CLASS = 0x4b525301;

/** The migrations shipped with this driver, oldest first. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readMigrationFiles(dir);
}

/** The SQL a migration runs in `schema`: the file itself, with the schema first on the search path. */
function scoped(schema: string, sql: string): string {
  return `SET LOCAL search_path TO "${schema}";\n${sql}`;
}

/** The versions already applied in `schema`; empty when it has no migrations table yet. Creates nothing. */
async function appliedVersions(conn: pg.ClientBase | pg.Pool, schema: string): Promise<Set<number>> {
  const [exists] = await run<{ t: string | null }>(conn, 'SELECT to_regclass($1) AS t', [`"${schema}"."kairos_migrations"`]);
  if (exists?.t === null || exists === undefined) return new Set();
  const rows = await run<{ version: number }>(conn, `SELECT version FROM "${schema}"."kairos_migrations" ORDER BY version`);
  return new Set(rows.map((r) => r.version));
}

/** Brings `schema` up to date, or with `dryRun` only reports what that would do. */
export async function migrate(pool: pg.Pool, schema: string, dryRun: boolean, migrations = loadMigrations()): Promise<MigrateResult> {
  const latest = (done: Set<number>) => Math.max(0, ...done);
  if (dryRun) {
    let done: Set<number>;
    try {
      done = await appliedVersions(pool, schema);
    } catch (cause) {
      translate(cause);
    }
    const pending = migrations.filter((m) => !done.has(m.version)).map((m) => ({ version: m.version, name: m.name, sql: scoped(schema, m.sql) }));
    return { applied: [], pending, version: latest(done) };
  }
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    translate(cause);
  }
  let current: Migration | null = null;
  try {
    await client.query('BEGIN');
    await run(client, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${schema}"."kairos_migrations" (
      version     integer PRIMARY KEY,
      name        text    NOT NULL,
      applied_at  bigint  NOT NULL
    )`);
    const done = await appliedVersions(client, schema);
    const applied: MigrationInfo[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      current = m;
      await client.query(scoped(schema, m.sql));
      await run(client, `INSERT INTO "${schema}"."kairos_migrations" (version, name, applied_at)
        VALUES ($1, $2, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)`, [m.version, m.name]);
      done.add(m.version);
      applied.push({ version: m.version, name: m.name });
    }
    current = null;
    await client.query('COMMIT');
    return { applied, pending: [], version: latest(done) };
  } catch (cause) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (current !== null) {
      throw new KairosError('MIGRATION_FAILED', `migration ${current.version}_${current.name} failed: ${(cause as Error).message}`, { cause });
    }
    translate(cause);
  } finally {
    client.release();
  }
}
