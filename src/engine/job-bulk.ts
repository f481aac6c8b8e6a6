/**
 * Bulk actions by filter (`kairos.jobs.cancelMany/replayMany/deleteMany`, `kairos.queues.drain`): the matching jobs
 * are changed in batches, one bounded transaction each, newest first, until none is left; returns how many changed.
 * Jobs that start matching while a bulk action runs (new enqueues) may be left out; run it again for them.
 */
import { describeValue, KairosError } from '../core/errors.js';
import { JobAbortedError } from '../core/job.js';
import type { BulkResult, Driver, JobFilter } from '../driver/driver.js';
import { toJobFilter, type JobFilterInput } from './job-filter-input.js';
import type { StoreClock } from './store-clock.js';

/** Options of a bulk action. */
export interface BulkOptions {
  /** Jobs per transaction, 1 to 10,000 (default 500). */
  batchSize?: number;
}

const DEFAULT_BATCH = 500;

/** What the instance lets bulk actions do to its own workers. */
export interface BulkHooks {
  /** Abort a handler this instance runs (a job cancelled while running). */
  abort(queue: string, id: number, error: JobAbortedError): void;
  /** Jobs of `queue` (null: of any queue) became due (replayed). */
  wake(queue: string | null): void;
}

export class JobBulk {
  constructor(
    private readonly driver: Driver,
    private readonly clock: StoreClock,
    private readonly owner: string,
    private readonly hooks: BulkHooks,
  ) {}

  /** Cancel every pending or running job matching the filter; running handlers get their AbortSignal fired. */
  async cancelMany(input: JobFilterInput, options: BulkOptions = {}): Promise<number> {
    return this.cancelFilter(toJobFilter(input, { requireSome: true }), options);
  }

  /** cancelMany on a filter already checked (queues.drain). */
  async cancelFilter(filter: JobFilter, options: BulkOptions = {}): Promise<number> {
    return this.loop(filter, options, async (cursor, limit) => {
      const r = await this.driver.jobCancelMany({ filter, cursor, limit, now: this.clock.param() });
      for (const run of r.running) {
        if (run.owner === this.owner) this.hooks.abort(run.queue, run.id, new JobAbortedError(`job ${run.id} was cancelled`, 'cancelled'));
      }
      return r;
    });
  }

  /** Replay every final job matching the filter (same ids, due now). */
  async replayMany(input: JobFilterInput, options: BulkOptions = {}): Promise<number> {
    const filter = toJobFilter(input, { requireSome: true });
    return this.loop(filter, options, async (cursor, limit) => {
      const r = await this.driver.jobReplayMany({ filter, cursor, limit, now: this.clock.param() });
      if (r.changed > 0) this.hooks.wake(filter.queue ?? null);
      return r;
    });
  }

  /** Delete every final job matching the filter, with its attempt history. */
  async deleteMany(input: JobFilterInput, options: BulkOptions = {}): Promise<number> {
    const filter = toJobFilter(input, { requireSome: true });
    return this.loop(filter, options, (cursor, limit) => this.driver.jobDeleteMany({ filter, cursor, limit }));
  }

  private async loop(_filter: JobFilter, options: BulkOptions, step: (cursor: number | undefined, limit: number) => Promise<BulkResult>): Promise<number> {
    const limit = batchSize(options);
    let total = 0;
    let cursor: number | undefined;
    for (;;) {
      const r = await step(cursor, limit);
      total += r.changed;
      if (r.nextCursor === null) return total;
      cursor = r.nextCursor;
    }
  }
}

function batchSize(options: BulkOptions): number {
  const n = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new KairosError('JOB_OPTION_INVALID', `batchSize: must be an integer from 1 to 10000, got ${describeValue(n)}`, { details: { field: 'batchSize' } });
  }
  return n;
}
