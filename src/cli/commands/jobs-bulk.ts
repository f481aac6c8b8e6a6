/**
 * `kairos jobs cancel-many | replay-many | delete-many`: bulk actions by filter, in batches, printing how many jobs
 * changed; and `kairos jobs wait`: wait for a job to end, whichever process runs it.
 */
import type { Command } from 'commander';
import type { Output } from '../output.js';
import { parseInteger, parseJobId, withKairos, withStoreAndJson, type CommonOptions } from '../options.js';
import { toFilterInput, withFilterFlags, type FilterFlags } from './jobs-filter.js';

interface BulkFlags extends CommonOptions, FilterFlags {
  batchSize?: number;
}

const ACTIONS = {
  'cancel-many': { verb: 'cancelled', what: 'cancel every scheduled or running job matching the filter', run: 'cancelMany' },
  'replay-many': { verb: 'replayed', what: 'replay every finished job matching the filter (same ids, due now)', run: 'replayMany' },
  'delete-many': { verb: 'deleted', what: 'delete every finished job matching the filter, with its attempt history', run: 'deleteMany' },
} as const;

export function registerJobsBulk(jobs: Command, out: Output): void {
  for (const [name, action] of Object.entries(ACTIONS)) {
    withFilterFlags(withStoreAndJson(jobs.command(name)))
      .description(`${action.what}; at least one filter flag`)
      .option('--batch-size <n>', 'jobs per transaction, 1–10000 (default 500)', parseInteger)
      .action(async (flags: BulkFlags) => {
        const filter = toFilterInput(flags);
        const count = await withKairos(flags.store, (kairos) => kairos.jobs[action.run](filter, { batchSize: flags.batchSize }));
        if (flags.json === true) return out.json({ [action.verb]: count });
        out.line(`${action.verb} ${count} job${count === 1 ? '' : 's'}`);
      });
  }
  withStoreAndJson(jobs.command('wait'))
    .description('wait until a job has ended (run by any process), then print it; exit 5 on timeout')
    .argument('<id>', 'job id', parseJobId)
    .option('--timeout-ms <ms>', 'give up after this long (default 30000)', parseInteger)
    .action(async (id: number, flags: CommonOptions & { timeoutMs?: number }) => {
      const job = await withKairos(flags.store, (kairos) => kairos.jobs.waitFor(id, { timeoutMs: flags.timeoutMs }));
      if (flags.json === true) return out.json(job);
      out.line(`job ${job.id} (${job.queue}) ${job.state}${job.result !== null ? `: ${JSON.stringify(job.result)}` : ''}`);
    });
}
