/** Registers the concrete store drivers with the engine's store registry. Imported for its effect by index.ts and cli/. */
import { SqliteDriver, type SqliteDurability } from './driver/sqlite/sqlite-driver.js';
import { parseSqliteUrl } from './driver/sqlite/sqlite-url.js';
import { registerStore } from './engine/store-registry.js';
import type Database from 'better-sqlite3';

export { parseSqliteUrl };

registerStore('sqlite', (url) => new SqliteDriver(parseSqliteUrl(url)));

/** A store on a better-sqlite3 connection the caller already has, so enqueues can join its transactions. */
export function sqliteStore(database: Database.Database, options: { durability?: SqliteDurability } = {}): SqliteDriver {
  return new SqliteDriver({ database, ...options });
}
