/**
 * What a handler receives: the job and a context with its AbortSignal, attempt, idempotency key, logger and the
 * skip/snooze signals. The AbortController and child logger are made only when the handler asks for them.
 */
import type { Logger } from '../core/config.js';
import { KairosError } from '../core/errors.js';
import type { ClaimedJob } from '../driver/driver.js';
import { AttemptReport, type AttemptReports } from './attempt-reports.js';

/** The job as a handler sees it. */
export interface RunningJob<P = unknown> {
  id: number;
  queue: string;
  payload: P;
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  key: string | null;
  priority: number;
  tags: string[];
  deadline: Date | null;
  /** The schedule that produced the job, and the occurrence's nominal instant; null for one-off jobs. */
  scheduleId: string | null;
  occurrenceAt: Date | null;
}

/** Returned by ctx.skip(); returning it (or just calling skip) ends the job as skipped. */
export interface SkipSignal {
  readonly kind: 'skip';
  readonly reason: string;
}

/** Returned by ctx.snooze(); the job runs again after delayMs and the attempt does not count. */
export interface SnoozeSignal {
  readonly kind: 'snooze';
  readonly delayMs: number;
}

/** The second argument of a handler. */
export interface JobContext {
  /** Fires on timeout, cancel, lost lease and shutdown; its reason says which. */
  readonly signal: AbortSignal;
  /** 1 on the first attempt. */
  readonly attempt: number;
  /** Stable across attempts of the job; send it to receivers so they can drop duplicates. */
  readonly idempotencyKey: string;
  /** A child logger bound to the job id, queue and attempt. */
  readonly logger: Logger;
  /** For a job produced by a schedule: the schedule id and the occurrence instant. */
  readonly schedule: { id: string; occurrenceAt: Date } | null;
  /** End the job as skipped (not an error, no retry). */
  skip(reason: string): SkipSignal;
  /** Run the job again after `delayMs`; this attempt does not count toward maxAttempts. */
  snooze(delayMs: number): SnoozeSignal;
  /**
   * Report progress: a number (say, a percentage) or a JSON object (≤ 4 KiB). The latest value is stored with the
   * attempt and shown by jobs.get and `kairos jobs show`. Throws PROGRESS_INVALID for anything else.
   */
  progress(value: number | object): void;
  /** Append a line to the attempt's log (cut to 1 KiB; at most 200 lines per attempt are kept). Never throws. */
  log(line: string): void;
}

/** A handler: resolve to complete (the value, of type R, is stored as the result), throw to fail. */
export type Handler<P = unknown, R = unknown> = (
  job: RunningJob<P>,
  ctx: JobContext,
) => R | SkipSignal | SnoozeSignal | PromiseLike<R | SkipSignal | SnoozeSignal>;

export class JobContextImpl implements JobContext {
  private controller: AbortController | null = null;
  private abortReason: Error | null = null;
  private childLogger: Logger | null = null;
  /** Set by skip() / snooze(); read when the handler resolves. */
  signalled: SkipSignal | SnoozeSignal | null = null;

  /** What this attempt reported, made on its first report. */
  report: AttemptReport | null = null;
  /** Set when the attempt is over for this worker; later reports of a handler still running are ignored. */
  private ended = false;

  constructor(
    private readonly claimed: ClaimedJob,
    private readonly baseLogger: Logger,
    private readonly reports: AttemptReports | null = null,
    private readonly owner = '',
  ) {}

  progress(value: number | object): void {
    if (this.reports !== null && !this.ended) this.reports.progress(this.ownReport(), value);
  }

  log(line: string): void {
    if (this.reports !== null && !this.ended) this.reports.log(this.ownReport(), line);
  }

  /** The attempt is over (settled, timed out, handed back or lost): stop taking reports. */
  end(): void {
    this.ended = true;
  }

  private ownReport(): AttemptReport {
    this.report ??= new AttemptReport(this.claimed.id, this.owner, this.claimed.attempt);
    return this.report;
  }

  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.abortReason !== null) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get attempt(): number {
    return this.claimed.attempt;
  }

  get idempotencyKey(): string {
    const c = this.claimed;
    // One occurrence is one delivery, whichever job carries it: the key is the schedule and the instant.
    if (c.scheduleId !== null && c.occurrenceAt !== null) return `kairos:schedule:${c.scheduleId}@${new Date(c.occurrenceAt).toISOString()}`;
    return `kairos:${c.queue}:${c.id}`;
  }

  get schedule(): { id: string; occurrenceAt: Date } | null {
    const c = this.claimed;
    return c.scheduleId === null || c.occurrenceAt === null ? null : { id: c.scheduleId, occurrenceAt: new Date(c.occurrenceAt) };
  }

  get logger(): Logger {
    this.childLogger ??= this.baseLogger.child({ jobId: this.claimed.id, queue: this.claimed.queue, attempt: this.claimed.attempt });
    return this.childLogger;
  }

  skip(reason: string): SkipSignal {
    const s: SkipSignal = { kind: 'skip', reason: String(reason) };
    this.signalled = s;
    return s;
  }

  snooze(delayMs: number): SnoozeSignal {
    if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0) {
      throw new KairosError('JOB_OPTION_INVALID', `snooze delayMs: must be an integer ≥ 0, got ${String(delayMs)}`, { details: { field: 'delayMs' } });
    }
    const s: SnoozeSignal = { kind: 'snooze', delayMs };
    this.signalled = s;
    return s;
  }

  /** Fire the AbortSignal (now, or as soon as the handler reads it). */
  abort(reason: Error): void {
    if (this.abortReason !== null) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}

/** Builds the handler's view of a claimed job. */
export function toRunningJob(c: ClaimedJob, payload: unknown): RunningJob {
  return {
    id: c.id,
    queue: c.queue,
    payload,
    attempt: c.attempt,
    maxAttempts: c.maxAttempts,
    runAt: new Date(c.runAt),
    key: c.key,
    priority: c.priority,
    tags: c.tags === null ? [] : (JSON.parse(c.tags) as string[]),
    deadline: c.deadline === null ? null : new Date(c.deadline),
    scheduleId: c.scheduleId,
    occurrenceAt: c.occurrenceAt === null ? null : new Date(c.occurrenceAt),
  };
}
