/** `kairos jobs cancel` (by id, or by queue and key) and `kairos jobs replay`: the commands that move a job. */
import type { Command } from 'commander';
import { KairosError } from '../../core/errors.js';
import type { Output } from '../output.js';
import { parseJobId, withInstance, withStoreOrServer, type RemoteOptions as CommonOptions } from '../options.js';

interface CancelFlags extends CommonOptions {
  queue?: string;
  key?: string;
}

export function registerJobsCancel(jobs: Command, out: Output): void {
  withStoreOrServer(jobs.command('cancel'))
    .description('cancel a scheduled or running job, by id or by --queue and --key')
    .argument('[id]', 'job id', parseJobId)
    .option('--queue <queue>', 'with --key: cancel the pending or running job of this queue holding the key')
    .option('--key <key>', 'with --queue: the job key')
    .action(async (id: number | undefined, flags: CancelFlags, command: Command) => {
      const byKey = flags.queue !== undefined || flags.key !== undefined;
      if (id !== undefined && byKey) command.error('error: give a job id or --queue with --key, not both');
      if (id === undefined && !(flags.queue !== undefined && flags.key !== undefined)) {
        command.error('error: give a job id, or both --queue and --key');
      }
      if (id === undefined) return cancelByKey(out, flags, flags.queue ?? '', flags.key ?? '');
      await cancelById(out, flags, id);
    });
}

/**
 * Cancelling a job that is already cancelled succeeds (nothing to do); cancelling one that ended otherwise is
 * JOB_STATE_CONFLICT, since the caller's intent, "this job must not run", can no longer be met.
 */
async function cancelById(out: Output, flags: CommonOptions, id: number): Promise<void> {
  const { cancelled, job } = await withInstance(flags, async (kairos) => {
    const moved = await kairos.cancel(id);
    return { cancelled: moved, job: await kairos.jobs.get(id) };
  });
  // Pruned between the cancel and the read: the cancel itself succeeded.
  if (job === null) throw new KairosError('JOB_NOT_FOUND', `job ${id} not found`, { details: { field: 'id' } });
  if (!cancelled && job.state !== 'cancelled') {
    throw new KairosError('JOB_STATE_CONFLICT', `job ${id} is ${job.state}; only a scheduled or running job can be cancelled`, {
      details: { field: 'id', state: job.state },
    });
  }
  const { attempts: _attempts, ...plain } = job;
  if (flags.json === true) return out.json({ cancelled, job: plain });
  out.line(cancelled ? `cancelled job ${id} (${job.queue})` : `job ${id} was already cancelled`);
}

async function cancelByKey(out: Output, flags: CommonOptions, queue: string, key: string): Promise<void> {
  const id = await withInstance(flags, (kairos) => kairos.cancelByKey(queue, key));
  if (flags.json === true) return out.json({ cancelled: true, id, queue, key });
  out.line(`cancelled job ${id} of ${queue} with key ${JSON.stringify(key)}`);
}

export function registerJobsReplay(jobs: Command, out: Output): void {
  withStoreOrServer(jobs.command('replay'))
    .description('replay a finished job (completed, failed, cancelled, expired, skipped): same id, due now')
    .argument('<id>', 'job id', parseJobId)
    .action(async (id: number, flags: CommonOptions) => {
      const job = await withInstance(flags, (kairos) => kairos.replay(id));
      if (flags.json === true) return out.json(job);
      out.line(`job ${job.id} (${job.queue}) is scheduled again, due ${job.runAt.toISOString()}; attempt ${job.attempt}/${job.maxAttempts} used`);
    });
}
