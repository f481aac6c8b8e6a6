/** `kairos.jobs`: read-only job queries. A getter returns null for an unknown id (docs/errors.md, "not found"). */
import { assertQueueName } from '../core/job-options.js';
import type { Job, JobDetail } from '../core/job.js';
import type { Driver, JobCount } from '../driver/driver.js';
import { toListParams, type JobListQuery } from './enqueue-input.js';
import { toJob, toJobDetail } from './job-view.js';

export class JobQueries {
  constructor(
    private readonly driver: Driver,
    /** Throws CLOSED once the instance is closed. */
    private readonly assertOpen: () => void,
  ) {}

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

  /** Jobs newest first, filtered by queue and state, a page at a time (pass `nextCursor` back as `cursor`). */
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
