/**
 * THE storage seam: queue operations, one atomic call each, entity first and alphabetized. Drivers (sqlite/, later
 * postgres/) implement it; the engine and the public API use nothing else. No connection, transaction or native
 * type leaks out: rows are plain objects with epoch-ms times and JSON as strings.
 */
import type { AttemptOutcome, JobState } from '../core/job-state.js';
import type { NewJob } from '../core/job-options.js';

/** What a driver can do, declared rather than sniffed. */
export interface DriverCapabilities {
  /** The store can push "new work" notifications to other instances (PostgreSQL LISTEN/NOTIFY). */
  readonly listenNotify: boolean;
  /** The smallest time step the store keeps (1 ms for both drivers). */
  readonly timePrecisionMs: number;
  /** The driver can run an insert synchronously inside the caller's own transaction (better-sqlite3). */
  readonly syncTransactions: boolean;
  /** Several processes may share the store. */
  readonly multiProcess: boolean;
}

/** A stored job as the driver returns it. */
export interface JobRow {
  id: number;
  queue: string;
  state: JobState;
  payload: string;
  priority: number;
  runAt: number;
  key: string | null;
  attempt: number;
  maxAttempts: number;
  backoff: string | null;
  timeoutMs: number | null;
  deadline: number | null;
  tags: string | null;
  owner: string | null;
  /** The worker of the latest attempt, kept after it ends. */
  workerId: string | null;
  leaseUntil: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  createdAt: number;
  result: string | null;
  lastError: string | null;
  scheduleId: string | null;
  occurrenceAt: number | null;
}

/** One recorded attempt (or run that did not count, such as a snooze or a shutdown hand-back). */
export interface AttemptRow {
  jobId: number;
  attempt: number;
  workerId: string;
  startedAt: number;
  finishedAt: number;
  outcome: AttemptOutcome;
  /** JSON `{ name, message, stack?, code? }` or null. */
  error: string | null;
  /** Skip reason, snooze delay, cancel or rescue note. */
  note: string | null;
}

/** A job handed to a worker by {@link Driver.jobClaim}. Expired ones are returned so the engine can report them. */
export type ClaimedJob = Pick<
  JobRow,
  'id' | 'queue' | 'payload' | 'priority' | 'runAt' | 'key' | 'attempt' | 'maxAttempts' | 'backoff' | 'timeoutMs' | 'deadline' | 'tags' | 'scheduleId' | 'occurrenceAt'
> & {
  state: 'running' | 'expired';
  startedAt: number;
};

/** The outcome of one insert: a new row, the existing row kept, or the existing pending row replaced. */
export interface InsertResult {
  id: number;
  state: JobState;
  runAt: number;
  outcome: 'created' | 'kept' | 'replaced';
}

/** How an attempt ended, as the engine decided it. Every item is fenced by (id, owner, attempt). */
export interface FinishItem {
  id: number;
  owner: string;
  attempt: number;
  startedAt: number;
  outcome: AttemptOutcome;
  /** 'scheduled' requeues (retry, snooze, hand-back) at `runAt`; the others end the job. */
  state: 'completed' | 'failed' | 'skipped' | 'scheduled';
  runAt?: number;
  /** False for snooze and hand-back: the attempt number is given back. */
  countsAttempt: boolean;
  result?: string | null;
  error?: string | null;
  note?: string | null;
}

/** A job moved by the lease rescuer. */
export interface RescuedJob {
  id: number;
  queue: string;
  attempt: number;
  owner: string;
  state: 'scheduled' | 'failed';
}

/** The result of a cancel: the job's state before, or null when no job matched. */
export interface CancelResult {
  id: number;
  queue: string;
  previousState: JobState;
  /** True when the job moved to cancelled; false when it was already final. */
  cancelled: boolean;
  /** Owner and attempt of the run that was cut short, when the job was running. */
  owner: string | null;
  attempt: number;
}

export interface JobListParams {
  queue?: string;
  state?: JobState;
  /** Return jobs with an id below this one (pages go newest first). */
  cursor?: number;
  limit: number;
}

export interface JobPage {
  jobs: JobRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: number | null;
}

/** A stored schedule. JSON fields are strings; `paused` is a boolean. */
export interface ScheduleRow {
  id: string;
  queue: string;
  rule: string;
  payload: string;
  jobOptions: string | null;
  misfire: 'skip' | 'once' | 'all';
  catchUpLimit: number;
  misfireGraceMs: number;
  overlap: 'allow' | 'skip' | 'buffer-one';
  deadlineMs: number | null;
  spreadMs: number;
  startAt: number | null;
  endAt: number | null;
  maxRuns: number | null;
  runs: number;
  paused: boolean;
  nextAt: number | null;
  nextFireAt: number | null;
  bufferedAt: number | null;
  lastOccurrenceAt: number | null;
  lastJobId: number | null;
  source: 'api' | 'code';
  createdAt: number;
  updatedAt: number;
  /** State of the job of the latest enqueued occurrence (null if none, or pruned). */
  lastJobState: JobState | null;
}

/** The definition fields a schedule upsert writes; runs, history and buffering are kept by the store. */
export type ScheduleWrite = Omit<ScheduleRow, 'runs' | 'bufferedAt' | 'lastOccurrenceAt' | 'lastJobId' | 'createdAt' | 'updatedAt' | 'lastJobState'>;

/** One occurrence as the engine planned it; `job` is set for the ones to enqueue. */
export interface OccurrenceWrite {
  at: number;
  fireAt: number;
  status: 'enqueued' | 'missed' | 'skipped' | 'buffered';
  reason: string | null;
  job: NewJob | null;
}

/** The engine's decision for one due schedule, computed inside the materialize transaction. */
export interface MaterializePlan {
  occurrences: OccurrenceWrite[];
  /** A buffered occurrence to enqueue now. */
  released: { at: number; fireAt: number; job: NewJob } | null;
  nextAt: number | null;
  nextFireAt: number | null;
  bufferedAt: number | null;
}

/** What one materialize pass did to one schedule. */
export interface MaterializeResult {
  scheduleId: string;
  queue: string;
  /** Jobs created, with their due time. Occurrences another instance had already recorded are absent. */
  jobs: { id: number; runAt: number; occurrenceAt: number }[];
  /** Occurrences recorded as missed, skipped or buffered. */
  recorded: { at: number; status: OccurrenceWrite['status'] }[];
}

/** One entry of a schedule's history. */
export interface OccurrenceRow {
  occurrenceAt: number;
  fireAt: number;
  status: OccurrenceWrite['status'];
  reason: string | null;
  jobId: number | null;
  jobState: JobState | null;
  recordedAt: number;
}

export interface CalendarRow {
  name: string;
  /** JSON array of 'YYYY-MM-DD'. */
  dates: string;
  updatedAt: number;
}

/** A store. Every method is one atomic operation; `now` is the engine clock's time in epoch ms. */
export interface Driver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;

  /** The attempt history of one job, oldest first. */
  attemptListByJob(params: { jobId: number }): Promise<AttemptRow[]>;

  /** Remove a calendar; false when there was none. */
  calendarDelete(params: { name: string }): Promise<boolean>;
  calendarList(): Promise<CalendarRow[]>;
  calendarUpsert(params: { name: string; dates: readonly string[]; now: number }): Promise<void>;

  /** Cancel one job by id, or the pending/running job of a queue with a key. */
  jobCancel(params: { id: number; now: number } | { queue: string; key: string; now: number }): Promise<CancelResult | null>;
  /**
   * Claim up to `limit` due jobs of `queue` in (priority, runAt, id) order for `owner`. Due jobs whose deadline has
   * passed are moved to expired in the same statement and returned with state 'expired'. Never reads future jobs.
   */
  jobClaim(params: { queue: string; limit: number; owner: string; leaseMs: number; now: number }): Promise<ClaimedJob[]>;
  /** Extend the leases of `owner`'s running jobs; returns the ids of `ids` this owner no longer holds. */
  jobExtendLeases(params: { owner: string; ids: readonly number[]; leaseMs: number; now: number }): Promise<number[]>;
  /**
   * jobFinishMany then jobClaim in one transaction: a worker that has outcomes to write and slots to fill pays for one
   * commit instead of two.
   */
  jobFinishAndClaim(params: {
    items: readonly FinishItem[];
    claim: { queue: string; limit: number; owner: string; leaseMs: number };
    now: number;
  }): Promise<{ finished: boolean[]; claimed: ClaimedJob[] }>;
  /** Apply finished attempts; returns, per item, whether the fence held (false = lease lost, nothing written). */
  jobFinishMany(params: { items: readonly FinishItem[]; now: number }): Promise<boolean[]>;
  jobGet(params: { id: number }): Promise<JobRow | null>;
  /** Insert jobs in one transaction, applying each job's dedupe policy. `tx` is the caller's own connection/transaction. */
  jobInsertMany(params: { jobs: readonly NewJob[]; now: number; tx?: unknown }): Promise<InsertResult[]>;
  jobList(params: JobListParams): Promise<JobPage>;
  /** The earliest runAt of a scheduled job in `queues` (may be ≤ now), or null when there is none. */
  jobNextDue(params: { queues: readonly string[] }): Promise<number | null>;
  /** Delete up to `limit` final jobs (and their attempts) that finished before the cut-offs; returns how many. */
  jobPrune(params: { finishedBefore: number; failedBefore: number; limit: number }): Promise<number>;
  /** Requeue or fail running jobs whose lease ended before `now`; each counts as an attempt ('lease-expired'). */
  jobRescueExpired(params: { now: number; limit: number }): Promise<RescuedJob[]>;
  /** Replay a final job: back to scheduled at `now`, same id, one more attempt allowed if it had none left. */
  jobRetry(params: { id: number; now: number }): Promise<JobRow>;

  /** The earliest lease end among running jobs, or null. */
  leaseNextExpiry(): Promise<number | null>;

  /** A schedule's history, newest occurrence first, before `before` (exclusive). */
  occurrenceListBySchedule(params: { scheduleId: string; before?: number; limit: number }): Promise<OccurrenceRow[]>;
  /** Delete occurrence records older than `before`; returns how many. */
  occurrencePrune(params: { before: number; limit: number }): Promise<number>;

  /** Delete a schedule and its history (its jobs stay); false when there was none. */
  scheduleDelete(params: { id: string }): Promise<boolean>;
  scheduleGet(params: { id: string }): Promise<ScheduleRow | null>;
  scheduleList(): Promise<ScheduleRow[]>;
  /**
   * In one transaction: read up to `limit` due schedules (fire time ≤ now, or a buffered occurrence whose previous job
   * ended), call `plan` for each (a pure function), and write its occurrences, jobs and next state. Each occurrence is
   * recorded once by its (schedule, instant) key; a job whose occurrence was already recorded is not created.
   */
  scheduleMaterializeDue(params: { now: number; limit: number; plan: (row: ScheduleRow) => MaterializePlan | null }): Promise<MaterializeResult[]>;
  /** The earliest fire time of a live schedule (may be ≤ now), and whether a buffered occurrence waits. */
  scheduleNextFire(): Promise<{ nextFireAt: number | null; hasBuffered: boolean }>;
  scheduleSetPaused(params: { id: string; paused: boolean; nextAt: number | null; nextFireAt: number | null; now: number }): Promise<boolean>;
  /** Create or update a schedule's definition; returns the stored row and whether it was new. */
  scheduleUpsert(params: { schedule: ScheduleWrite; now: number }): Promise<{ row: ScheduleRow; created: boolean }>;

  /** Apply pending migrations; idempotent. */
  migrate(): Promise<void>;
  /** Release connections. Idempotent. */
  close(): Promise<void>;

  /**
   * Synchronous insert for callers inside their own synchronous transaction (better-sqlite3's db.transaction()).
   * Present only when capabilities.syncTransactions is true.
   */
  jobInsertManySync?(params: { jobs: readonly NewJob[]; now: number; tx?: unknown }): InsertResult[];
}
