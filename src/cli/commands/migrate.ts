/** `kairos migrate`: opens the store, which brings its schema up to date, and says which migrations ran. */
import type { Command } from 'commander';
import { SqliteDriver } from '../../driver/sqlite/sqlite-driver.js';
import type { Driver } from '../../driver/driver.js';
import type { Output } from '../output.js';
import { withKairos, withStoreAndJson, type CommonOptions } from '../options.js';

interface MigrationRecord {
  version: number;
  name: string;
  appliedAt: number;
}

/** What `kairos migrate --json` prints. `applied` and `version` are null when the store does not report them. */
export interface MigrateReport {
  store: string;
  applied: { version: number; name: string }[] | null;
  version: number | null;
}

export function registerMigrate(program: Command, out: Output): void {
  withStoreAndJson(program.command('migrate'))
    .description('create or upgrade the store schema (every command does this on open; this one reports it)')
    .action(async (opts: CommonOptions) => {
      const startedAt = Date.now();
      const report = await withKairos(opts.store, async (kairos) => {
        const records = readMigrations(kairos.driver);
        if (records === null) return { store: opts.store, applied: null, version: null };
        return {
          store: opts.store,
          // Driver.migrate() returns nothing, so "applied by this run" is read from the records' timestamps.
          applied: records.filter((r) => r.appliedAt >= startedAt).map(({ version, name }) => ({ version, name })),
          version: records.at(-1)?.version ?? 0,
        };
      });
      if (opts.json === true) return out.json(report);
      out.line(describe(report));
    });
}

function describe(report: MigrateReport): string {
  if (report.applied === null) return `store ${report.store}: schema up to date`;
  const name = (m: { version: number; name: string }): string => `${String(m.version).padStart(3, '0')}_${m.name}`;
  if (report.applied.length === 0) return `store ${report.store}: schema up to date at version ${report.version}, nothing to apply`;
  return `store ${report.store}: applied ${report.applied.map(name).join(', ')}; schema now at version ${report.version}`;
}

/** The migration records of a SQLite store, oldest first; null for stores that do not expose them. */
export function readMigrations(driver: Driver): MigrationRecord[] | null {
  if (!(driver instanceof SqliteDriver)) return null;
  return driver.connection
    .prepare<[], MigrationRecord>('SELECT version, name, applied_at AS appliedAt FROM kairos_migrations ORDER BY version')
    .all();
}
