/** Registers the concrete store drivers with the engine's store registry. Imported for its effect by index.ts and cli/. */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { PostgresDriver } from './driver/postgres/postgres-driver.js';
import { parsePostgresUrl } from './driver/postgres/postgres-options.js';
import { SqliteDriver, type SqliteDurability } from './driver/sqlite/sqlite-driver.js';
import { parseSqliteUrl } from './driver/sqlite/sqlite-url.js';
import { registerStore } from './engine/store-registry.js';

export { parsePostgresUrl, parseSqliteUrl };

registerStore('sqlite', (url) => new SqliteDriver(parseSqliteUrl(url)));
// resolveStore() maps postgresql: to postgres:.
registerStore('postgres', (url) => new PostgresDriver(parsePostgresUrl(url)));

/** A store on a better-sqlite3 connection the caller already has, so enqueues can join its transactions. */
export function sqliteStore(database: Database.Database, options: { durability?: SqliteDurability } = {}): SqliteDriver {
  return new SqliteDriver({ database, ...options });
}

/**
 * A store on a pg Pool the caller already has, so enqueues can join its transactions (pass the transaction's client
 * as `tx`). Tables live in `schema` (default `kairos`); close() leaves the pool open.
 */
export function postgresStore(pool: pg.Pool, options: { schema?: string } = {}): PostgresDriver {
  return new PostgresDriver({ pool, ...options });
}
