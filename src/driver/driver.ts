/**
 * THE storage seam: queue operations, one atomic call each, entity first and alphabetized. Drivers (sqlite/,
 * postgres/) implement it; the engine and the public API use nothing else. No connection, transaction or native
 * type leaks out: rows are plain objects with epoch-ms times, ids as safe integers (see ids.ts) and JSON as strings.
 *
 * Time: every call that judges time takes an optional `now` (epoch ms). Tests pass it for determinism; the engine in
 * production leaves it out and the store decides on its own clock (the process clock for SQLite, the database's for
 * PostgreSQL). `now()` reads that clock, so an instance can measure its offset against it.
 */
import type { AttemptOutcome, JobState } from '../core/job-state.js';
import type { NewJob } from '../core/job-options.js';

/** What a driver can do, declared rather than sniffed. */
export interface DriverCapabilities {
  /**
   * The store pushes notifications (new work, cancels of running jobs, schedule changes) to every instance through
   * {@link Driver.subscribe}. Without it the engine polls.
   */
  readonly listenNotify: boolean;
  /** The smallest time step the store keeps (1 ms for both drivers). */
  readonly timePrecisionMs: number;
  /** The driver can run an insert synchronously inside the caller's own transaction (better-sqlite3). */
  readonly syncTransactions: boolean;
  /** Several processes may share the store. */
  readonly multiProcess: boolean;
  /**
   * {@link Driver.subscribe} reports this driver's own writes only (work released by a finish, watched jobs that
   * ended), not other processes'. The engine subscribes and still polls for the rest.
   */
  readonly localNotify?: boolean;
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
  // ── flows (migration 007) ──
  /** The ids this job depends on (JSON array), or null. */
  dependsOn: string | null;
  /** What a dependency that did not complete does to this job; null when it has no dependencies. */
  dependencyPolicy: DependencyPolicy | null;
  /** Dependencies not ended yet; above 0 the job is held (scheduled, but out of the claim's reach). */
  dependenciesPending: number;
  /** The runAt asked for by a held job (its stored runAt is the latest instant until it is released). */
  runAfter: number | null;
  batchId: number | null;
  /** The job this one is the fallback of, and this job's own fallback job. */
  fallbackOf: number | null;
  fallbackJobId: number | null;
  /** The limiter the job passes through (its own or its queue's at enqueue), its lane there, its partition key. */
  limiter: string | null;
  lane: string | null;
  partitionKey: string | null;
}

/** What a dependency that ended without completing does to a job that depends on it. */
export type DependencyPolicy = 'cancel' | 'run';

/**
 * The runAt of a held job: the latest supported instant, so the claim (run_at <= now) never reaches it. Released
 * jobs get max(runAfter, now).
 */
export const HELD_RUN_AT = 253_402_300_799_999;

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

/** A log line a handler wrote during one attempt. */
export interface AttemptLogRow {
  attempt: number;
  /** When the handler wrote it (epoch ms, the engine's view of the store clock). */
  at: number;
  line: string;
}

/** The latest progress a handler reported during one attempt. */
export interface AttemptProgressRow {
  attempt: number;
  /** JSON: a number or an object. */
  progress: string;
  updatedAt: number;
}

/**
 * What one running handler reported since the last write, fenced like a finish by (id, owner, attempt): written only
 * while the job is still running under that owner and attempt.
 */
export interface ReportItem {
  id: number;
  owner: string;
  attempt: number;
  /** The latest progress as JSON (replaces the attempt's previous one); null to leave it. */
  progress: string | null;
  /** New log lines, oldest first, appended to the attempt's. */
  logs: readonly { at: number; line: string }[];
}

/** A job handed to a worker by {@link Driver.jobClaim}. Expired ones are returned so the engine can report them. */
export type ClaimedJob = Pick<
  JobRow,
  'id' | 'queue' | 'payload' | 'priority' | 'runAt' | 'key' | 'attempt' | 'maxAttempts' | 'backoff' | 'timeoutMs' | 'deadline' | 'tags' | 'scheduleId' | 'occurrenceAt'
  | 'limiter' | 'lane' | 'partitionKey'
> & {
  state: 'running' | 'expired';
  startedAt: number;
};

/**
 * What a claim returns: the claimed jobs, in claim order; whether a limiter held due work back (`held`); and when a
 * rate limit did, the earliest instant it may pass (`retryAt`, store clock), so a worker sleeps until then (or until
 * a slot is freed) instead of asking again.
 */
export type ClaimBatch = ClaimedJob[] & {
  retryAt?: number;
  /** True when a limiter refused due work in this claim (slots or rate): the rest waits for a slot or `retryAt`. */
  held?: boolean;
};

/** A stored limiter (docs/flow-control.md). `lanes` is JSON: lane → { reserved }. */
export interface LimiterRow {
  id: string;
  concurrency: number | null;
  lanes: string;
  lend: boolean;
  rateLimit: number | null;
  ratePerMs: number | null;
  /** Goes up by one with every write of the definition. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** The definition fields a limiter upsert writes. */
export type LimiterWrite = Omit<LimiterRow, 'version' | 'createdAt' | 'updatedAt'>;

/** A limiter's use now, read in one snapshot. */
export interface LimiterUsage {
  id: string;
  /** Running attempts (lease not expired) per lane; lane null is jobs without a lane. */
  running: { lane: string | null; count: number }[];
  /** Due jobs waiting to start, per lane, with the runAt of the oldest (jobs waiting for their key's turn are not counted). */
  waiting: { lane: string | null; count: number; oldestRunAt: number }[];
  /** Starts inside the current rate window, and when the oldest of them leaves it (null without a rate or starts). */
  rateUsed: number;
  rateNextFreeAt: number | null;
}

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
  /** The job's limiter, when it has one: a store with notifications tells every instance that a slot came free. */
  limiter?: string | null;
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

/**
 * Which jobs a list or a bulk action takes. Every field narrows; times are epoch ms, `from` inclusive and `to`
 * exclusive. A key prefix needs a queue (keys are per queue).
 */
export interface JobFilter {
  queue?: string;
  states?: readonly JobState[];
  tag?: string;
  keyPrefix?: string;
  batchId?: number;
  createdFrom?: number;
  createdTo?: number;
  runAtFrom?: number;
  runAtTo?: number;
  finishedFrom?: number;
  finishedTo?: number;
}

export interface JobListParams extends JobFilter {
  /** One state (the same as `states: [state]`). */
  state?: JobState;
  /** Return jobs with an id below this one (pages go newest first). */
  cursor?: number;
  limit: number;
}

/** One batch of a bulk action: how many jobs it changed, and where the next batch starts (null: done). */
export interface BulkResult {
  changed: number;
  /** Jobs that were running when cancelled, so the engine can abort the handlers it runs itself. */
  running: { id: number; queue: string; owner: string }[];
  nextCursor: number | null;
}

/** A stored batch and its members by state (the completion job not counted). */
export interface BatchRow {
  id: number;
  total: number;
  completionJobId: number | null;
  createdAt: number;
  counts: Partial<Record<JobState, number>>;
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
  /** Goes up by one with every write to the row: the fence of scheduleUpsert and scheduleApplyPlans. */
  version: number;
  /** State of the job of the latest enqueued occurrence (null if none, or pruned). */
  lastJobState: JobState | null;
}

/** The definition fields a schedule upsert writes; runs, history and buffering are kept by the store. */
export type ScheduleWrite = Omit<
  ScheduleRow,
  'runs' | 'bufferedAt' | 'lastOccurrenceAt' | 'lastJobId' | 'createdAt' | 'updatedAt' | 'lastJobState' | 'version'
>;

/** One occurrence as the engine planned it; `job` is set for the ones to enqueue. */
export interface OccurrenceWrite {
  at: number;
  fireAt: number;
  status: 'enqueued' | 'missed' | 'skipped' | 'buffered';
  reason: string | null;
  job: NewJob | null;
}

/** The engine's decision for one due schedule, computed from a row read by scheduleListDue. */
export interface MaterializePlan {
  occurrences: OccurrenceWrite[];
  /** A buffered occurrence to enqueue now. */
  released: { at: number; fireAt: number; job: NewJob } | null;
  nextAt: number | null;
  nextFireAt: number | null;
  bufferedAt: number | null;
}

/** A plan for one schedule, fenced by the version of the row it was computed from. */
export interface SchedulePlanWrite {
  scheduleId: string;
  version: number;
  plan: MaterializePlan;
}

/** What applying one plan did. */
export interface MaterializeResult {
  scheduleId: string;
  /** False when the schedule changed (or was deleted) since it was read: nothing was written; read and plan again. */
  applied: boolean;
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

/**
 * A stored queue: what is set on a queue for every instance. A queue needs no row to be used; `paused` of a queue
 * without one is false. JSON fields are strings.
 */
export interface QueueRow {
  name: string;
  /** The claim takes no job of a paused queue, on any instance. */
  paused: boolean;
  /** Most jobs the queue may hold pending or running; null for no bound. */
  capacity: number | null;
  /** Jobs one instance runs at once when the queue is served by a target (service mode). */
  concurrency: number | null;
  /** The limiter every job of the queue passes through, and its lane there. */
  limiter: string | null;
  lane: string | null;
  /** JSON: where service mode delivers the queue's jobs. */
  target: string | null;
  /** The queue that gets one job when a job of this one fails finally. */
  fallback: string | null;
  /** JSON: defaults for the queue's jobs (maxAttempts, backoff, timeoutMs). */
  jobOptions: string | null;
  /** Goes up by one with every write to the row. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** The settings a queue upsert writes; the pause flag has its own call. */
export type QueueWrite = Omit<QueueRow, 'paused' | 'version' | 'createdAt' | 'updatedAt'>;

/**
 * A stored API key of the HTTP service: never the key itself, only the hex SHA-256 of it. `id` is the key's public
 * part (the key is looked up by it); `scopes` is a JSON array of strings.
 */
export interface ApiKeyRow {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  createdAt: number;
  /** Set once the key is revoked; a revoked key authenticates nothing. */
  revokedAt: number | null;
}

/** Jobs of one queue in one state. */
export interface JobCount {
  queue: string;
  state: JobState;
  count: number;
}

/** One engine instance as its heartbeat loop records it. */
export interface InstanceRow {
  id: string;
  host: string;
  pid: number;
  /** JSON array of the queues it handles. */
  queues: string;
  startedAt: number;
  heartbeatAt: number;
}

/** Jobs of one queue that finished in one minute in one state, with the lateness (start − runAt) of those that started. */
export interface FinishedMinute {
  /** Start of the minute, epoch ms (a multiple of 60,000). */
  minute: number;
  queue: string;
  state: JobState;
  count: number;
  /** Mean and max of startedAt − runAt over the jobs that have a start, ms; null when none has. */
  latenessAvgMs: number | null;
  latenessMaxMs: number | null;
}

/** Scheduled jobs of one queue due in one minute. */
export interface DueMinute {
  minute: number;
  queue: string;
  count: number;
}

/** One schema migration of a driver. Versions are the same numbers in every driver. */
export interface MigrationInfo {
  version: number;
  name: string;
}

/** What migrate() did, or with `dryRun` would do. */
export interface MigrateResult {
  /** Applied by this call (empty on a dry run). */
  applied: MigrationInfo[];
  /** Not applied yet after this call (on a dry run: what it would apply), with the SQL each would run. */
  pending: (MigrationInfo & { sql: string })[];
  /** The schema version now (0 for an empty store). */
  version: number;
}

/**
 * What a store tells every subscribed instance. Sent when the write commits, so work inside a caller's transaction
 * is announced only if it commits.
 */
export type StoreNotification =
  /** Jobs of `queue` became due at `runAt` (inserted, replayed, retried early or rescued). */
  | { kind: 'job-available'; queue: string; runAt: number }
  /** A running job was cancelled; the instance named `owner` aborts its handler. */
  | { kind: 'job-cancelled'; id: number; queue: string; owner: string }
  /** A schedule or calendar changed; materializers re-read their next fire time. */
  | { kind: 'schedule-changed' }
  /** A queue's stored settings changed (paused, resumed, updated or deleted); workers of it re-read and claim. */
  | { kind: 'queue-changed'; queue: string }
  /** A job someone waits for (jobWatch) ended; sent only for watched jobs, so the hot path pays nothing. */
  | { kind: 'job-finished'; id: number; queue: string; state: JobState }
  /**
   * A limiter changed, or a slot of it was freed by the attempt of the worker `owner`: workers held back by a
   * limiter claim again (the owner's instance has already done so).
   */
  | { kind: 'limiter-changed'; limiter: string; owner?: string };

/** A live subscription; close() stops it. */
export interface Subscription {
  close(): Promise<void>;
}

/** A store. Every method is one atomic operation. `now` is optional wherever it appears; see the header. */
export interface Driver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;

  /**
   * Store a new API key. With `onlyIfNone`, only when the store holds no key at all (revoked ones count), decided
   * atomically so two processes starting at once on an empty store make one key; null when it wrote nothing.
   */
  apiKeyCreate(params: { key: Pick<ApiKeyRow, 'id' | 'name' | 'hash' | 'scopes'>; onlyIfNone?: boolean; now?: number }): Promise<ApiKeyRow | null>;
  apiKeyGet(params: { id: string }): Promise<ApiKeyRow | null>;
  /** Every key, revoked ones included, oldest first. */
  apiKeyList(): Promise<ApiKeyRow[]>;
  /** Revoke a key; false when there is no such key or it was already revoked. */
  apiKeyRevoke(params: { id: string; now?: number }): Promise<boolean>;

  /** Every attempt of one job, oldest first, including the one that completed it. */
  attemptListByJob(params: { jobId: number }): Promise<AttemptRow[]>;

  /**
   * Insert a batch in one transaction: its members (keyless), then its completion job, which depends on every member
   * with policy 'run' and gets the payload `{"batchId": id, "payload": <completion.payload>}`.
   */
  batchCreate(params: { jobs: readonly NewJob[]; completion: NewJob; now?: number; tx?: unknown }): Promise<{ batchId: number; jobs: InsertResult[]; completionJobId: number }>;
  /** A batch with its members counted by state; null when there is none. */
  batchGet(params: { id: number }): Promise<BatchRow | null>;
  /** The log lines of every attempt of one job, oldest first. */
  attemptLogListByJob(params: { jobId: number }): Promise<AttemptLogRow[]>;
  /** The latest progress of every attempt of one job that reported any, by attempt. */
  attemptProgressListByJob(params: { jobId: number }): Promise<AttemptProgressRow[]>;
  /**
   * Write what running handlers reported (progress, log lines), in one transaction; returns per item whether the
   * fence held (false: the job is no longer running under that owner and attempt, and nothing of it was written).
   * Item ids are distinct.
   */
  attemptReportMany(params: { items: readonly ReportItem[]; now?: number }): Promise<boolean[]>;

  /** Remove a calendar; false when there was none. */
  calendarDelete(params: { name: string }): Promise<boolean>;
  calendarList(): Promise<CalendarRow[]>;
  calendarUpsert(params: { name: string; dates: readonly string[]; now?: number }): Promise<void>;

  /** Forget an instance (at its stop); false when it was not recorded. */
  instanceDelete(params: { id: string }): Promise<boolean>;
  /** Record that an instance is alive: insert it (startedAt = now) or move its heartbeat and queues to now. */
  instanceHeartbeat(params: { id: string; host: string; pid: number; queues: readonly string[]; now?: number }): Promise<void>;
  /** Every recorded instance, latest heartbeat first. */
  instanceList(): Promise<InstanceRow[]>;
  /** Delete instances whose last heartbeat is before `before`; returns how many. */
  instancePrune(params: { before: number }): Promise<number>;

  /** Cancel one job by id, or the pending/running job of a queue with a key; null when no job matched. */
  jobCancel(params: ({ id: number } | { queue: string; key: string }) & { now?: number }): Promise<CancelResult | null>;
  /**
   * Claim up to `limit` due jobs of `queue` in (priority, runAt, id) order for `owner`. Due jobs whose deadline has
   * passed are moved to expired in the same statement and returned with state 'expired'. Never reads future jobs.
   */
  jobClaim(params: { queue: string; limit: number; owner: string; leaseMs: number; now?: number }): Promise<ClaimBatch>;
  /**
   * Cancel up to `limit` pending or running jobs matching `filter` with an id below `cursor`, newest first, in one
   * transaction (flows and owners told as for jobCancel).
   */
  jobCancelMany(params: { filter: JobFilter; cursor?: number; limit: number; now?: number }): Promise<BulkResult>;
  /** Jobs by queue and state (only non-zero counts), optionally of one queue. */
  jobCounts(params?: { queue?: string }): Promise<JobCount[]>;
  /**
   * Scheduled jobs due in [from, to) counted per minute and queue, minutes ascending (the load forecast). Reads
   * pending jobs only.
   */
  jobDueByMinute(params: { from: number; to: number }): Promise<DueMinute[]>;
  /** Extend the leases of `owner`'s running jobs; returns the ids of `ids` this owner no longer holds. */
  jobExtendLeases(params: { owner: string; ids: readonly number[]; leaseMs: number; now?: number }): Promise<number[]>;
  /**
   * jobFinishMany then jobClaim in one transaction: a worker that has outcomes to write and slots to fill pays for one
   * commit instead of two.
   */
  jobFinishAndClaim(params: {
    items: readonly FinishItem[];
    claim: { queue: string; limit: number; owner: string; leaseMs: number };
    now?: number;
  }): Promise<{ finished: boolean[]; claimed: ClaimBatch }>;
  /**
   * Jobs that finished in [from, to), counted per minute, queue and final state with their lateness, minutes ascending
   * (throughput and lateness charts). A range read of the finished-at index.
   */
  jobFinishedByMinute(params: { from: number; to: number }): Promise<FinishedMinute[]>;
  /** Apply finished attempts; returns, per item, whether the fence held (false = lease lost, nothing written). */
  jobFinishMany(params: { items: readonly FinishItem[]; now?: number }): Promise<boolean[]>;
  /**
   * Delete up to `limit` final jobs matching `filter` (with their attempts and tags) with an id below `cursor`, in one
   * transaction. Jobs whose end has consequences not yet written are left for a later call.
   */
  jobDeleteMany(params: { filter: JobFilter; cursor?: number; limit: number }): Promise<BulkResult>;
  jobGet(params: { id: number }): Promise<JobRow | null>;
  /** Insert jobs in one transaction, applying each job's dedupe policy. `tx` is the caller's own connection/transaction. */
  jobInsertMany(params: { jobs: readonly NewJob[]; now?: number; tx?: unknown }): Promise<InsertResult[]>;
  jobList(params: JobListParams): Promise<JobPage>;
  /** The earliest runAt of a scheduled job in `queues` (may be ≤ now), or null when there is none. */
  jobNextDue(params: { queues: readonly string[] }): Promise<number | null>;
  /** Delete up to `limit` final jobs (and their attempts) that finished before the cut-offs; returns how many. */
  jobPrune(params: { finishedBefore: number; failedBefore: number; limit: number }): Promise<number>;
  /** Replay a final job: back to scheduled at `now`, same id, one more attempt allowed if it had none left. */
  jobReplay(params: { id: number; now?: number }): Promise<JobRow>;
  /** jobReplay for up to `limit` final jobs matching `filter` with an id below `cursor`, in one transaction. */
  jobReplayMany(params: { filter: JobFilter; cursor?: number; limit: number; now?: number }): Promise<BulkResult>;
  /**
   * Write what the end of up to `limit` ended jobs must still set off (dependents, waiters): the ones whose end was
   * written by a statement that could not do it (a deadline passed in the claim). Returns how many it handled.
   */
  jobResolveFlows(params: { limit: number; now?: number }): Promise<number>;
  /** Requeue or fail running jobs whose lease ended before `now`; each counts as an attempt ('lease-expired'). */
  jobRescueExpired(params: { now?: number; limit: number }): Promise<RescuedJob[]>;

  /**
   * Mark a job as waited for, so its end is announced with a `job-finished` notification; returns the job (as it
   * is now; a final job is not marked), or null when there is none.
   */
  jobWatch(params: { id: number }): Promise<JobRow | null>;

  /** The earliest lease end among running jobs, or null. */
  leaseNextExpiry(): Promise<number | null>;

  /** Remove a limiter; false when there was none. Jobs naming it wait until one of that id exists again. */
  limiterDelete(params: { id: string }): Promise<boolean>;
  limiterGet(params: { id: string }): Promise<LimiterRow | null>;
  /** Every limiter, by id. */
  limiterList(): Promise<LimiterRow[]>;
  /** What a limiter uses now: running per lane, due waiting per lane, the rate window. Null when there is no such limiter. */
  limiterStatus(params: { id: string; now?: number }): Promise<LimiterUsage | null>;
  /** Create or replace a limiter's definition (its rate log is kept); applies from the next claim, on every instance. */
  limiterUpsert(params: { limiter: LimiterWrite; now?: number }): Promise<{ row: LimiterRow; created: boolean }>;

  /** Delete a queue's stored settings (its jobs stay; the queue goes on unpaused); false when there were none. */
  queueDelete(params: { name: string }): Promise<boolean>;
  queueGet(params: { name: string }): Promise<QueueRow | null>;
  /** Every stored queue, by name. */
  queueList(): Promise<QueueRow[]>;
  /**
   * Pause or resume a queue for every instance, creating its row when it has none. From the commit on, no claim
   * takes a job of a paused queue; running jobs go on.
   */
  queueSetPaused(params: { name: string; paused: boolean; now?: number }): Promise<QueueRow>;
  /**
   * Create or update a queue's settings (the pause flag is kept), as a compare-and-set when `expectedVersion` is
   * given (null: the queue must not exist yet). Returns null, writing nothing, when the row moved on.
   */
  queueUpsert(params: { queue: QueueWrite; expectedVersion?: number | null; now?: number }): Promise<{ row: QueueRow; created: boolean } | null>;

  /** A schedule's history, newest occurrence first, before `before` (exclusive). */
  occurrenceListBySchedule(params: { scheduleId: string; before?: number; limit: number }): Promise<OccurrenceRow[]>;
  /** Delete occurrence records older than `before`; returns how many. */
  occurrencePrune(params: { before: number; limit: number }): Promise<number>;

  /**
   * In one transaction, write each plan whose schedule still has the version it was read at: its occurrences (each
   * recorded once by its (schedule, instant) key; a job whose occurrence was already recorded is not created), its
   * jobs and its next state. A plan whose schedule moved on is skipped and reported with `applied: false`.
   */
  scheduleApplyPlans(params: { plans: readonly SchedulePlanWrite[]; now?: number }): Promise<MaterializeResult[]>;
  /** Delete a schedule and its history (its jobs stay); false when there was none. */
  scheduleDelete(params: { id: string }): Promise<boolean>;
  scheduleGet(params: { id: string }): Promise<ScheduleRow | null>;
  scheduleList(): Promise<ScheduleRow[]>;
  /**
   * Up to `limit` schedules with work now: live ones whose fire time is ≤ now, and ones holding a buffered occurrence
   * whose previous job has ended. A read only; the engine plans them outside any transaction.
   */
  scheduleListDue(params: { now?: number; limit: number }): Promise<ScheduleRow[]>;
  /** The earliest fire time of a live schedule (may be ≤ now), and whether a buffered occurrence waits. */
  scheduleNextFire(): Promise<{ nextFireAt: number | null; hasBuffered: boolean }>;
  /**
   * Pause or resume, setting where the schedule goes on, as a compare-and-set on `expectedVersion`; false when the
   * schedule is gone or moved on (the caller reads it again).
   */
  scheduleSetPaused(params: {
    id: string; paused: boolean; nextAt: number | null; nextFireAt: number | null; expectedVersion: number; now?: number;
  }): Promise<boolean>;
  /**
   * Create or update a schedule's definition, as a compare-and-set: `expectedVersion` is the version the caller
   * computed from (null: the schedule must not exist yet). Returns null, writing nothing, when the row moved on.
   */
  scheduleUpsert(params: { schedule: ScheduleWrite; expectedVersion: number | null; now?: number }): Promise<{ row: ScheduleRow; created: boolean } | null>;

  /**
   * Housekeeping after deletes and updates, run by the pruner after each pass: reclaim what churn leaves behind so
   * the store does not grow without bound. Returns the tables it worked on (none when nothing was needed).
   */
  storeMaintain(): Promise<{ vacuumed: string[] }>;

  /** The store's clock, epoch ms: what the store uses when a call leaves `now` out. */
  now(): Promise<number>;
  /**
   * Listen for notifications from every instance on this store (capabilities.listenNotify), or from this driver's own
   * writes only (capabilities.localNotify). Present when either is true. The driver re-establishes a lost listener by itself and calls `onReconnect`,
   * after which the engine re-reads what it may have missed.
   */
  subscribe?(listener: (n: StoreNotification) => void, onReconnect?: () => void): Promise<Subscription>;

  /** Apply pending migrations (idempotent, safe from several processes at once), or with `dryRun` only report them. */
  migrate(params?: { dryRun?: boolean }): Promise<MigrateResult>;
  /** Release connections. Idempotent. */
  close(): Promise<void>;

  /**
   * Synchronous insert for callers inside their own synchronous transaction (better-sqlite3's db.transaction()).
   * Present only when capabilities.syncTransactions is true.
   */
  jobInsertManySync?(params: { jobs: readonly NewJob[]; now?: number; tx?: unknown }): InsertResult[];
}
