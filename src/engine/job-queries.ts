/**
 * `kairos.jobs`: job queries, bulk actions by filter and waiting for a job's end. A getter returns null for an
 * unknown id (docs/errors.md, "not found").
 */
import { assertQueueName } from '../core/job-options.js';
import type { Job, JobDetail } from '../core/job.js';
import type { Driver, JobCount } from '../driver/driver.js';
import { toListParams, type JobListQuery } from './enqueue-input.js';
import type { BulkOptions, JobBulk } from './job-bulk.js';
import type { JobFilterInput } from './job-filter-input.js';
import type { JobWaiter } from './job-waiter.js';
import { toJob, toJobDetail } from './job-view.js';

export class JobQueries {
  constructor(
    private readonly driver: Driver,
    /** Throws CLOSED once the instance is closed. */
    private readonly assertOpen: () => void,
    private readonly bulk: JobBulk,
    private readonly waiter: JobWaiter,
  ) {}

  /**
   * Resolves with the job once it has ended (completed, failed, cancelled, expired or skipped), whichever process
   * ran it; rejects with WAIT_TIMEOUT after `timeoutMs` (default 30,000), JOB_NOT_FOUND for an unknown id.
   */
  async waitFor(id: number, options: { timeoutMs?: number } = {}): Promise<Job> {
    this.assertOpen();
    return this.waiter.waitFor(id, options);
  }

  /**
   * Cancel every pending or running job matching `filter` (at least one field), in batches; returns how many.
   * Running handlers get their AbortSignal fired with reason 'cancelled', on whichever instance runs them.
   */
  async cancelMany(filter: JobFilterInput, options?: BulkOptions): Promise<number> {
    this.assertOpen();
    return this.bulk.cancelMany(filter, options);
  }

  /** Replay every final job matching `filter` (same ids, due now), in batches; returns how many. */
  async replayMany(filter: JobFilterInput, options?: BulkOptions): Promise<number> {
    this.assertOpen();
    return this.bulk.replayMany(filter, options);
  }

  /** Delete every final job matching `filter` with its history, in batches; returns how many. Pending jobs stay. */
  async deleteMany(filter: JobFilterInput, options?: BulkOptions): Promise<number> {
    this.assertOpen();
    return this.bulk.deleteMany(filter, options);
  }

  /** A job with every attempt, oldest first; null when there is no such job. */
  async get(id: number): Promise<JobDetail | null> {
    this.assertOpen();
    const row = await this.driver.jobGet({ id });
    if (row === null) return null;
    const [attempts, progress, logs] = await Promise.all([
      this.driver.attemptListByJob({ jobId: id }), this.driver.attemptProgressListByJob({ jobId: id }), this.driver.attemptLogListByJob({ jobId: id }),
    ]);
    return toJobDetail(row, attempts, { progress, logs });
  }

  /**
   * Jobs newest first, a page at a time (pass `nextCursor` back as `cursor`), filtered by queue, state(s), tag, key
   * prefix, batch and time ranges (createdAt, runAt, finishedAt).
   */
  async list(query: JobListQuery = {}): Promise<{ jobs: Job[]; nextCursor: number | null }> {
    this.assertOpen();
    const page = await this.driver.jobList(toListParams(query));
    return { jobs: page.jobs.map(toJob), nextCursor: page.nextCursor };
  }

  /** Jobs by queue and state (non-zero counts only), optionally of one queue. */
  async counts(query: { queue?: string } = {}): Promise<JobCount[]> {
    this.assertOpen();
    if (query.queue !== undefined) assertQueueName(query.queue);
    return this.driver.jobCounts(query);
  }
}
