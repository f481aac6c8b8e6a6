/**
 * `kairos.batches`: enqueue N jobs as one batch with a completion job that runs once, when every member has ended
 * (completed, failed, cancelled, expired or skipped), and read a batch's progress. The completion job is held by the
 * store until the last member ends, and is released in the transaction that writes that end, so it runs exactly
 * once whatever instance finishes the last member and whenever one dies.
 */
import { describeValue, KairosError } from '../core/errors.js';
import type { EnqueuedJob } from '../core/job.js';
import type { EnqueueOptions } from '../core/job-options.js';
import type { JobState } from '../core/job-state.js';
import type { Driver } from '../driver/driver.js';
import { asItemError, assertId, prepareMany, prepareOne, type EnqueueItem } from './enqueue-input.js';
import type { EngineConfig } from './store-clock.js';

/** The payload a batch's completion job gets: the batch id and the payload given for it. */
export interface BatchCompletionPayload<P = unknown> {
  batchId: number;
  payload: P;
}

/** The completion job of a batch: its queue, payload and options (no key, no dependsOn). */
export interface BatchCompletion extends Omit<EnqueueOptions, 'key' | 'dedupe' | 'dependsOn' | 'onDependencyFailure'> {
  queue: string;
  payload?: unknown;
}

/** A batch and its progress; the completion job is not counted among the members. */
export interface Batch {
  id: number;
  total: number;
  /** Members completed. */
  completed: number;
  /** Members failed, cancelled or expired. */
  failed: number;
  skipped: number;
  /** Members not ended yet (scheduled or running). */
  pending: number;
  /** Every member has ended (the completion job is then released). */
  finished: boolean;
  completionJobId: number | null;
  createdAt: Date;
  /** Members by state. */
  counts: Partial<Record<JobState, number>>;
}

export interface CreatedBatch {
  id: number;
  jobs: EnqueuedJob[];
  completionJobId: number;
}

const MAX_MEMBERS = 100_000;

export class Batches {
  constructor(
    private readonly driver: Driver,
    private readonly config: EngineConfig,
    private readonly assertOpen: () => void,
    /** Jobs of `queue` were enqueued by this instance, due at `runAt`. */
    private readonly onEnqueued: (queue: string, runAt: number) => void,
  ) {}

  /**
   * Enqueue `items` on `queue` as one batch (all or none, in one transaction) and its completion job, which runs
   * once every member has ended, with payload `{ batchId, payload }`. Members take no `key` or `dependsOn`.
   */
  async create(queue: string, items: readonly EnqueueItem[], options: { completion: BatchCompletion; tx?: unknown }): Promise<CreatedBatch> {
    this.assertOpen();
    const now = this.config.clock.now();
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_MEMBERS) {
      throw new KairosError('JOB_OPTION_INVALID', `items: must be an array of 1 to ${MAX_MEMBERS} jobs, got ${describeValue(items)}`, { details: { field: 'items' } });
    }
    for (const [i, item] of items.entries()) {
      for (const k of ['key', 'dependsOn', 'onDependencyFailure'] as const) {
        if (typeof item === 'object' && item !== null && item[k] !== undefined) {
          throw new KairosError('JOB_OPTION_INVALID', `items[${i}].${k}: a batch member takes no ${k}`, { details: { field: `items[${i}].${k}` } });
        }
      }
    }
    const jobs = prepareMany(queue, items, now, this.config);
    const completion = this.completionJob(options, now);
    let made;
    try {
      made = await this.driver.batchCreate({ jobs, completion, now: this.config.clock.param(), tx: options.tx });
    } catch (error) {
      throw asItemError(error);
    }
    if (options.tx === undefined) {
      const earliest = Math.min(...jobs.map((j) => j.runAt));
      this.onEnqueued(queue, earliest);
    }
    return {
      id: made.batchId,
      completionJobId: made.completionJobId,
      jobs: made.jobs.map((r) => ({ id: r.id, queue, state: r.state, runAt: new Date(r.runAt), key: null, outcome: r.outcome })),
    };
  }

  /** A batch with its progress; null when there is none. */
  async get(id: number): Promise<Batch | null> {
    this.assertOpen();
    assertId(id);
    const row = await this.driver.batchGet({ id });
    if (row === null) return null;
    const n = (s: JobState): number => row.counts[s] ?? 0;
    const pending = n('scheduled') + n('running');
    return {
      id: row.id, total: row.total, completed: n('completed'), failed: n('failed') + n('cancelled') + n('expired'), skipped: n('skipped'), pending,
      finished: pending === 0, completionJobId: row.completionJobId, createdAt: new Date(row.createdAt), counts: row.counts,
    };
  }

  private completionJob(options: { completion: BatchCompletion }, now: number) {
    const c = options?.completion as BatchCompletion | undefined;
    if (typeof c !== 'object' || c === null) {
      throw new KairosError('JOB_OPTION_INVALID', 'completion: must be an object { queue, payload, ...options }', { details: { field: 'completion' } });
    }
    const { queue, payload, ...rest } = c;
    for (const k of ['key', 'dedupe', 'dependsOn', 'onDependencyFailure']) {
      if (k in rest) throw new KairosError('JOB_OPTION_INVALID', `completion.${k}: the completion job takes no ${k}`, { details: { field: `completion.${k}` } });
    }
    try {
      return prepareOne(queue, payload ?? null, rest, now, this.config).job;
    } catch (error) {
      if (error instanceof KairosError) {
        throw new KairosError(error.code, `completion.${error.message}`, { details: { ...error.details, field: `completion.${error.details.field ?? ''}` }, cause: error });
      }
      throw error;
    }
  }
}
