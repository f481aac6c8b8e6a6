/**
 * Applies the numbered migrations in ./migrations (NNN_name.sql) in order, each in its own immediate transaction,
 * recording them in kairos_migrations. Safe to run from several processes at once.
 */
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { KairosError } from '../../core/errors.js';
import type { MigrateResult } from '../driver.js';
import { readMigrationFiles, type Migration } from '../migration-files.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The migrations shipped with this driver, oldest first. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readMigrationFiles(dir);
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS kairos_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  applied_at  INTEGER NOT NULL
)`;

/** The versions already applied to `db` (none when the store is new; a dry run creates nothing). */
function appliedVersions(db: Database.Database): Set<number> {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kairos_migrations'").get() !== undefined;
  if (!exists) return new Set();
  return new Set(db.prepare('SELECT version FROM kairos_migrations').pluck().all() as number[]);
}

/** Brings the schema up to date, or with `dryRun` only reports what it would apply. */
export function migrate(db: Database.Database, options: { dryRun?: boolean } = {}, migrations = loadMigrations()): MigrateResult {
  if (options.dryRun === true) {
    const done = appliedVersions(db);
    const pending = migrations.filter((m) => !done.has(m.version));
    return { applied: [], pending, version: Math.max(0, ...done) };
  }
  db.exec(MIGRATIONS_TABLE);
  const applied: MigrateResult['applied'] = [];
  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM kairos_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO kairos_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    const apply = db.transaction(() => {
      // Checked inside the write lock so two processes starting together apply each migration once.
      if (isApplied.get(m.version) !== undefined) return;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
      applied.push({ version: m.version, name: m.name });
    });
    try {
      apply.immediate();
    } catch (cause) {
      throw new KairosError('MIGRATION_FAILED', `migration ${m.version}_${m.name} failed: ${(cause as Error).message}`, { cause });
    }
  }
  return { applied, pending: [], version: Math.max(0, ...appliedVersions(db)) };
}
