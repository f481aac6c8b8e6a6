/** `kairos jobs ls`: one page of jobs, newest first, as a table or as one JSON document `{ jobs, nextCursor }`. */
import type { Command } from 'commander';
import { formatTable, iso, type Output } from '../output.js';
import { parseInteger, withInstance, withStoreOrServer, type RemoteOptions as CommonOptions } from '../options.js';
import { toFilterInput, withFilterFlags, type FilterFlags } from './jobs-filter.js';

interface ListFlags extends CommonOptions, FilterFlags {
  limit?: number;
  cursor?: number;
}

export function registerJobsList(jobs: Command, out: Output): void {
  withFilterFlags(withStoreOrServer(jobs.command('ls').alias('list')))
    .description('list jobs, newest first, filtered by queue, states, tag, key prefix, batch and time ranges')
    .option('--limit <n>', 'jobs per page, 1–1000 (default 50)', parseInteger)
    .option('--cursor <cursor>', 'the nextCursor of the previous page', parseInteger)
    .action(async (flags: ListFlags) => {
      const page = await withInstance(flags, (kairos) =>
        kairos.jobs.list({ ...toFilterInput(flags), limit: flags.limit, cursor: flags.cursor }),
      );
      if (flags.json === true) return out.json(page);
      if (page.jobs.length === 0) return out.line('no jobs');
      const rows = page.jobs.map((j) => [String(j.id), j.queue, j.state, iso(j.runAt), `${j.attempt}/${j.maxAttempts}`, j.key ?? '-']);
      out.line(formatTable(['ID', 'QUEUE', 'STATE', 'RUN AT', 'ATTEMPT', 'KEY'], rows));
      if (page.nextCursor !== null) out.line(`more: add --cursor ${page.nextCursor}`);
    });
}
