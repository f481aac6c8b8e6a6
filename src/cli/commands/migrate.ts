/**
 * `kairos migrate [--dry-run]`: brings the store's schema up to date through the driver's migrate(), and says which
 * migrations ran; with --dry-run, prints the pending migrations' SQL and applies nothing.
 */
import type { Command } from 'commander';
import type { MigrateResult } from '../../driver/driver.js';
import { resolveStore } from '../../engine/store-registry.js';
import type { Output } from '../output.js';
import { withStoreAndJson, type CommonOptions } from '../options.js';

/** What `kairos migrate --json` prints. */
export interface MigrateReport extends MigrateResult {
  store: string;
  dryRun: boolean;
}

export function registerMigrate(program: Command, out: Output): void {
  withStoreAndJson(program.command('migrate'))
    .description('create or upgrade the store schema (every command does this on open; this one reports it)')
    .option('--dry-run', 'print the SQL of the pending migrations and apply nothing')
    .action(async (opts: CommonOptions & { dryRun?: boolean }) => {
      const dryRun = opts.dryRun === true;
      const driver = await resolveStore(opts.store);
      let result: MigrateResult;
      try {
        result = await driver.migrate({ dryRun });
      } finally {
        await driver.close();
      }
      const report: MigrateReport = { store: opts.store, dryRun, ...result };
      if (opts.json === true) return out.json(report);
      out.line(describe(report));
    });
}

const name = (m: { version: number; name: string }): string => `${String(m.version).padStart(3, '0')}_${m.name}`;

function describe(r: MigrateReport): string {
  if (r.dryRun) {
    if (r.pending.length === 0) return `store ${r.store}: schema up to date at version ${r.version}, nothing to apply`;
    const sql = r.pending.map((m) => `-- ${name(m)}\n${m.sql.trim()}\n`).join('\n');
    return `store ${r.store}: at version ${r.version}; would apply ${r.pending.map(name).join(', ')}\n\n${sql}`;
  }
  if (r.applied.length === 0) return `store ${r.store}: schema up to date at version ${r.version}, nothing to apply`;
  return `store ${r.store}: applied ${r.applied.map(name).join(', ')}; schema now at version ${r.version}`;
}
