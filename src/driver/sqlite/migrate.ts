/**
 * Applies the numbered migrations in ./migrations (NNN_name.sql) in order, each in its own immediate transaction,
 * recording them in kairos_migrations. Safe to run from several processes at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { KairosError } from '../../core/errors.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with this driver, oldest first. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: readFileSync(dir + file, 'utf8') }));
}

/** Brings the schema up to date; returns the versions applied by this call. */
export function migrate(db: Database.Database, migrations = loadMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS kairos_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    applied_at  INTEGER NOT NULL
  )`);
  const applied: number[] = [];
  const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM kairos_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO kairos_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    const apply = db.transaction(() => {
      // Checked inside the write lock so two processes starting together apply each migration once.
      if (isApplied.get(m.version) !== undefined) return;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
      applied.push(m.version);
    });
    try {
      apply.immediate();
    } catch (cause) {
      throw new KairosError('MIGRATION_FAILED', `migration ${m.version}_${m.name} failed: ${(cause as Error).message}`, { cause });
    }
  }
  return applied;
}
