/**
 * `kairos maintenance`: runs the lease rescuer, the pruner and the schedule materializer once, as a worker does on its
 * timers, and prints counts.
 */
import type { Command } from 'commander';
import type { Output } from '../output.js';
import { withKairos, withStoreAndJson, type CommonOptions } from '../options.js';

export function registerMaintenance(program: Command, out: Output): void {
  withStoreAndJson(program.command('maintenance'))
    .description('rescue jobs whose lease expired, prune finished jobs past retention and enqueue due schedule occurrences, once')
    .action(async (flags: CommonOptions) => {
      const counts = await withKairos(flags.store, (kairos) => kairos.runMaintenance());
      if (flags.json === true) return out.json(counts);
      out.line(
        `rescued ${counts.rescued} job(s) with an expired lease; pruned ${counts.pruned} finished job(s); enqueued ${counts.materialized} scheduled job(s)`,
      );
    });
}
