/**
 * The embedded store: one SQLite file through better-sqlite3. Every Driver call is one synchronous transaction
 * (IMMEDIATE for writes, so two processes on one file serialize instead of failing on lock upgrade).
 */
import Database from 'better-sqlite3';
import { KairosError } from '../../core/errors.js';
import { PRIORITY_MIN, type NewJob } from '../../core/job-options.js';
import type {
  ApiKeyRow, AttemptLogRow, AttemptProgressRow, AttemptRow, BatchRow, BulkResult, CalendarRow, CancelResult, ClaimBatch, ClaimedJob, Driver, DriverCapabilities,
  DueMinute, FinishedMinute, FinishItem, InsertResult, InstanceRow, JobCount, JobFilter, JobListParams, JobPage, JobRow, LimiterRow, LimiterUsage, LimiterWrite,
  MaterializeResult, MigrateResult, OccurrenceRow, QueueRow, QueueWrite, ReportItem, RescuedJob, SchedulePlanWrite, ScheduleRow, ScheduleWrite, StoreNotification, Subscription,
} from '../driver.js';
import { endJobs } from './flow-end.js';
import { cancelMany, createBatch, deleteMany, getBatch, insertExtras, needsExtras, replayMany, resolveUnresolved, selectJobs } from './flow-ops.js';
import { cancel, claim, finishMany, insertAll, replay, rescue } from './job-ops.js';
import { limitedNextDue, limiterStatus, toLimiterRow } from './limiter-ops.js';
import { migrate } from './migrate.js';
import { applyPlans, listDue, toScheduleRow, upsertSchedule } from './schedule-ops.js';
import { statementsFor, type Statements } from './statements.js';
import { STATE_CODE } from '../state-codes.js';
import { isFiltered } from '../job-filter.js';

/** How hard a commit is pushed to disk. See docs/architecture.md, "Durability". */
export type SqliteDurability = 'normal' | 'full';

export interface SqliteDriverOptions {
  /** A file path or ':memory:'. Ignored when `database` is given. */
  filename?: string;
  /** An open better-sqlite3 connection of the caller's; Kairos's tables go into its file, and close() leaves it open. */
  database?: Database.Database;
  /** 'normal' (default): WAL + synchronous=NORMAL; 'full': synchronous=FULL. */
  durability?: SqliteDurability;
  /** Page cache in MiB (default 16). */
  cacheMiB?: number;
  /**
   * The store's clock, used when a call leaves `now` out (default Date.now). SQLite has no clock of its own; this lets
   * several processes on one file agree on a reference, and lets tests give the store a skewed clock.
   */
  clock?: () => number;
}

/** A kairos_queues row as SQLite returns it: the pause flag is 0 or 1. */
type RawQueueRow = Omit<QueueRow, 'paused'> & { paused: number };

function toQueueRow(raw: RawQueueRow | undefined): QueueRow | null {
  return raw === undefined ? null : { ...raw, paused: raw.paused === 1 };
}

const NO_CURSOR = Number.MAX_SAFE_INTEGER;


/** Native errors become KairosErrors; KairosErrors pass through. */
function translate(cause: unknown): never {
  if (cause instanceof KairosError) throw cause;
  const e = cause as { code?: string; message?: string };
  if (e.code?.startsWith('SQLITE_CONSTRAINT') === true && e.message?.includes('kairos_jobs_id_range') === true) {
    throw new KairosError('ID_OUT_OF_RANGE', 'the store has handed out every job id a JavaScript number holds exactly (2^53 − 2^20); nothing was stored', {
      details: { field: 'id' }, cause,
    });
  }
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message?.includes('kairos_jobs.queue, kairos_jobs.key')) {
    throw new KairosError('DUPLICATE_KEY', 'key: another job of this queue holds the same key', { details: { field: 'key' }, cause });
  }
  if (e.code === 'SQLITE_BUSY' || e.code?.startsWith('SQLITE_BUSY_') === true) {
    throw new KairosError('STORE_BUSY', `SQLite: ${e.message ?? 'database is locked'}`, { cause });
  }
  throw new KairosError('STORE_ERROR', `SQLite: ${e.message ?? String(cause)}`, { cause });
}

function asConnection(tx: unknown): Database.Database {
  if (tx instanceof Database) return tx;
  throw new KairosError('JOB_OPTION_INVALID', 'tx: the SQLite driver takes a better-sqlite3 Database as the transaction', { details: { field: 'tx' } });
}

export class SqliteDriver implements Driver {
  readonly name = 'sqlite';
  readonly capabilities: DriverCapabilities = { listenNotify: false, localNotify: true, timePrecisionMs: 1, syncTransactions: true, multiProcess: true };
  /** Subscribers of this driver's own notifications (released dependents, fallback jobs, watched jobs that ended). */
  private readonly listeners = new Set<(n: StoreNotification) => void>();
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private statements: Statements | null = null;
  private closed = false;

  private readonly insertTxn: (db: Database.Database, jobs: readonly NewJob[], now: number) => InsertResult[];
  private readonly clock: () => number;
  private readonly claimTxn: Database.Transaction<(p: { queue: string; limit: number; owner: string; leaseMs: number; now: number }) => ClaimBatch>;
  private readonly finishTxn: Database.Transaction<(items: readonly FinishItem[], now: number) => boolean[]>;
  private readonly finishAndClaimTxn: Database.Transaction<
    (items: readonly FinishItem[], claim: { queue: string; limit: number; owner: string; leaseMs: number; now: number }) => { finished: boolean[]; claimed: ClaimBatch }
  >;
  private readonly rescueTxn: Database.Transaction<(now: number, limit: number) => RescuedJob[]>;
  private readonly cancelTxn: Database.Transaction<(p: { id?: number; queue?: string; key?: string; now: number }) => CancelResult | null>;
  private readonly replayTxn: Database.Transaction<(p: { id: number; now: number }) => JobRow>;
  private readonly pruneTxn: Database.Transaction<(p: { finishedBefore: number; failedBefore: number; limit: number }) => number>;
  /** Notifications of the transaction in progress; sent once it commits. */
  private notes: StoreNotification[] = [];
  private readonly reportTxn: Database.Transaction<(items: readonly ReportItem[], now: number) => boolean[]>;

  constructor(options: SqliteDriverOptions) {
    this.ownsDb = options.database === undefined;
    this.clock = options.clock ?? Date.now;
    const filename = options.database?.name ?? options.filename ?? 'kairos.db';
    try {
      this.db = options.database ?? new Database(filename);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma(`cache_size = -${Math.round((options.cacheMiB ?? 16) * 1024)}`);
      this.db.pragma('temp_store = MEMORY');
    } catch (cause) {
      if (cause instanceof KairosError) throw new KairosError(cause.code, `SQLite store ${filename}: ${cause.message}`, { details: { ...cause.details, path: filename }, cause });
      const message = (cause as Error).message;
      throw new KairosError('STORE_ERROR', `SQLite store ${filename}: cannot open: ${message}`, { details: { field: 'store', path: filename }, cause });
    }
    const txnCache = new WeakMap<Database.Database, Database.Transaction<(jobs: readonly NewJob[], now: number) => InsertResult[]>>();
    this.insertTxn = (db, jobs, now) => {
      let t = txnCache.get(db);
      if (t === undefined) {
        const s = statementsFor(db);
        t = db.transaction((js: readonly NewJob[], n: number) => {
          const out = insertAll(s, js, n);
          // Tags and dependencies (flows, migration 007), in the same transaction.
          if (needsExtras(js)) insertExtras(s, js, out, n);
          return out;
        });
        txnCache.set(db, t);
      }
      // Inside the caller's transaction better-sqlite3 nests as a savepoint; otherwise take the write lock at once.
      return db.inTransaction ? t(jobs, now) : t.immediate(jobs, now);
    };
    this.claimTxn = this.db.transaction((p) => this.endExpired(claim(this.s, p), p.now));
    this.finishTxn = this.db.transaction((items, now) => finishMany(this.s, items, now, this.notes));
    this.finishAndClaimTxn = this.db.transaction((items, c) => ({ finished: finishMany(this.s, items, c.now, this.notes), claimed: this.endExpired(claim(this.s, c), c.now) }));
    this.rescueTxn = this.db.transaction((now, limit) => rescue(this.s, now, limit, this.notes));
    this.replayTxn = this.db.transaction((p) => replay(this.s, p));
    this.cancelTxn = this.db.transaction((p) => cancel(this.s, p, this.notes));
    this.pruneTxn = this.db.transaction((p) => {
      const ids = (this.s.job.prunable.all(p) as { id: number }[]).map((r) => r.id);
      if (ids.length === 0) return 0;
      const json = JSON.stringify(ids);
      this.s.attempt.deleteByJobs.run({ ids: json });
      this.s.flow.tagsDeleteMany.run({ ids: json });
      this.s.flow.batchDeleteByCompletion.run({ ids: json });
      this.s.attempt.progressDeleteByJobs.run({ ids: json });
      this.s.attempt.logDeleteByJobs.run({ ids: json });
      return this.s.job.deleteMany.run({ ids: json }).changes;
    });
    this.reportTxn = this.db.transaction((items, now) => items.map((item) => {
      const a = this.s.attempt;
      if (a.reportHeld.get({ id: item.id, owner: item.owner, attempt: item.attempt }) === undefined) return false;
      if (item.progress !== null) a.progressUpsert.run({ id: item.id, attempt: item.attempt, progress: item.progress, now });
      for (const log of item.logs) a.logInsert.run({ id: item.id, attempt: item.attempt, at: log.at, line: log.line });
      return true;
    }));
  }

  /** The prepared statements, once the schema exists (migrate() first; Kairos.open does). */
  private get s(): Statements {
    if (this.statements === null) {
      try {
        this.statements = statementsFor(this.db);
      } catch (cause) {
        throw new KairosError('STORE_ERROR', `SQLite store ${this.db.name}: the schema is missing or out of date; run migrate() first (Kairos.open does)`, { cause });
      }
    }
    return this.statements;
  }

  /**
   * Runs a write of the engine's own. On a connection shared with the caller, a write made while the caller holds
   * an open transaction would join it (and vanish on its rollback), so it is refused and retried later instead.
   */
  private write<T>(fn: () => T): T {
    if (!this.ownsDb && this.db.inTransaction) {
      throw new KairosError('STORE_BUSY', 'SQLite: the shared connection is inside a transaction of the caller; the engine retries after it ends');
    }
    return this.run(fn);
  }

  /** Runs a synchronous store operation, translating native errors; sends its notifications once it committed. */
  private run<T>(fn: () => T): T {
    if (this.closed) throw new KairosError('CLOSED', 'the SQLite store is closed');
    this.notes = [];
    let result: T;
    try {
      result = fn();
    } catch (cause) {
      this.notes = [];
      translate(cause);
    }
    if (this.notes.length > 0) this.dispatch(this.notes.splice(0));
    return result;
  }

  private dispatch(notes: StoreNotification[]): void {
    if (this.listeners.size === 0) return;
    // After the caller's turn: a listener may call back into the driver.
    queueMicrotask(() => {
      for (const n of notes) for (const l of this.listeners) l(n);
    });
  }

  /** Deadlines passed in the claim end jobs too: their flows are written in the claim's transaction. */
  private endExpired<T extends ClaimedJob[]>(claimed: T, now: number): T {
    let expired: number[] | null = null;
    for (const c of claimed) if (c.state === 'expired') (expired ??= []).push(c.id);
    if (expired !== null) endJobs(this.s, expired, now, this.notes);
    return claimed;
  }

  async apiKeyCreate(p: { key: Pick<ApiKeyRow, 'id' | 'name' | 'hash' | 'scopes'>; onlyIfNone?: boolean; now?: number }): Promise<ApiKeyRow | null> {
    const values = { ...p.key, now: p.now ?? this.clock() };
    return this.write(() => this.txn(() => ((p.onlyIfNone === true ? this.s.apiKey.insertIfNone : this.s.apiKey.insert).get(values) as ApiKeyRow | undefined) ?? null));
  }

  async apiKeyGet(p: { id: string }): Promise<ApiKeyRow | null> {
    return this.run(() => (this.s.apiKey.get.get(p) as ApiKeyRow | undefined) ?? null);
  }

  async apiKeyList(): Promise<ApiKeyRow[]> {
    return this.run(() => this.s.apiKey.list.all() as ApiKeyRow[]);
  }

  async apiKeyRevoke(p: { id: string; now?: number }): Promise<boolean> {
    return this.write(() => this.s.apiKey.revoke.run({ id: p.id, now: p.now ?? this.clock() }).changes === 1);
  }

  async attemptListByJob(p: { jobId: number }): Promise<AttemptRow[]> {
    return this.run(() => this.s.attempt.listByJob.all(p) as AttemptRow[]);
  }

  async batchCreate(p: { jobs: readonly NewJob[]; completion: NewJob; now?: number; tx?: unknown }): Promise<{ batchId: number; jobs: InsertResult[]; completionJobId: number }> {
    const db = p.tx === undefined ? this.db : asConnection(p.tx);
    const now = p.now ?? this.clock();
    return this.run(() => {
      const s = statementsFor(db);
      const t = db.transaction(() => createBatch(s, p.jobs, p.completion, now));
      return db.inTransaction ? t() : t.immediate();
    });
  }

  async batchGet(p: { id: number }): Promise<BatchRow | null> {
    return this.run(() => getBatch(this.s, p.id));
  }

  async attemptLogListByJob(p: { jobId: number }): Promise<AttemptLogRow[]> {
    return this.run(() => this.s.attempt.logListByJob.all(p) as AttemptLogRow[]);
  }

  async attemptProgressListByJob(p: { jobId: number }): Promise<AttemptProgressRow[]> {
    return this.run(() => this.s.attempt.progressListByJob.all(p) as AttemptProgressRow[]);
  }

  async attemptReportMany(p: { items: readonly ReportItem[]; now?: number }): Promise<boolean[]> {
    if (p.items.length === 0) return [];
    return this.write(() => this.reportTxn.immediate(p.items, p.now ?? this.clock()));
  }

  async calendarDelete(p: { name: string }): Promise<boolean> {
    return this.run(() => this.s.schedule.calendarDelete.run(p).changes === 1);
  }

  async calendarList(): Promise<CalendarRow[]> {
    return this.run(() => this.s.schedule.calendarList.all() as CalendarRow[]);
  }

  async calendarUpsert(p: { name: string; dates: readonly string[]; now?: number }): Promise<void> {
    this.run(() => this.s.schedule.calendarUpsert.run({ name: p.name, dates: JSON.stringify(p.dates), now: p.now ?? this.clock() }));
  }

  async instanceDelete(p: { id: string }): Promise<boolean> {
    return this.run(() => this.s.insight.instanceDelete.run(p).changes === 1);
  }

  async instanceHeartbeat(p: { id: string; host: string; pid: number; queues: readonly string[]; now?: number }): Promise<void> {
    this.write(() => this.s.insight.instanceHeartbeat.run({ id: p.id, host: p.host, pid: p.pid, queues: JSON.stringify(p.queues), now: p.now ?? this.clock() }));
  }

  async instanceList(): Promise<InstanceRow[]> {
    return this.run(() => this.s.insight.instanceList.all() as InstanceRow[]);
  }

  async instancePrune(p: { before: number }): Promise<number> {
    return this.write(() => this.s.insight.instancePrune.run(p).changes);
  }

  async jobCancel(p: ({ id: number } | { queue: string; key: string }) & { now?: number }): Promise<CancelResult | null> {
    return this.write(() => this.cancelTxn.immediate({ ...p, now: p.now ?? this.clock() }));
  }

  async jobCancelMany(p: { filter: JobFilter; cursor?: number; limit: number; now?: number }): Promise<BulkResult> {
    return this.write(() => this.txn(() => cancelMany(this.s, p.filter, p.cursor, p.limit, p.now ?? this.clock(), this.notes)));
  }

  async jobDeleteMany(p: { filter: JobFilter; cursor?: number; limit: number }): Promise<BulkResult> {
    return this.write(() => this.txn(() => deleteMany(this.s, p.filter, p.cursor, p.limit)));
  }

  async jobReplayMany(p: { filter: JobFilter; cursor?: number; limit: number; now?: number }): Promise<BulkResult> {
    return this.write(() => this.txn(() => replayMany(this.s, p.filter, p.cursor, p.limit, p.now ?? this.clock(), this.notes)));
  }

  async jobResolveFlows(p: { limit: number; now?: number }): Promise<number> {
    return this.write(() => this.txn(() => resolveUnresolved(this.s, p.limit, p.now ?? this.clock(), this.notes)));
  }

  async jobWatch(p: { id: number }): Promise<JobRow | null> {
    return this.write(() => {
      this.s.flow.watch.run(p);
      return (this.s.job.get.get(p) as JobRow | undefined) ?? null;
    });
  }

  async jobClaim(p: { queue: string; limit: number; owner: string; leaseMs: number; now?: number }): Promise<ClaimBatch> {
    return this.write(() => this.claimTxn.immediate({ ...p, now: p.now ?? this.clock() }));
  }

  async jobCounts(p: { queue?: string } = {}): Promise<JobCount[]> {
    return this.run(() => (p.queue === undefined ? this.s.job.counts.all() : this.s.job.countsByQueue.all({ queue: p.queue })) as JobCount[]);
  }

  async jobDueByMinute(p: { from: number; to: number }): Promise<DueMinute[]> {
    return this.run(() => this.s.insight.dueByMinute.all(p) as DueMinute[]);
  }

  async jobExtendLeases(p: { owner: string; ids: readonly number[]; leaseMs: number; now?: number }): Promise<number[]> {
    return this.write(() => {
      const leaseUntil = (p.now ?? this.clock()) + p.leaseMs;
      const held = new Set((this.s.job.extendLeases.all({ owner: p.owner, leaseUntil }) as { id: number }[]).map((r) => r.id));
      return p.ids.filter((id) => !held.has(id));
    });
  }

  async jobFinishAndClaim(p: {
    items: readonly FinishItem[];
    claim: { queue: string; limit: number; owner: string; leaseMs: number };
    now?: number;
  }): Promise<{ finished: boolean[]; claimed: ClaimBatch }> {
    return this.write(() => this.finishAndClaimTxn.immediate(p.items, { ...p.claim, now: p.now ?? this.clock() }));
  }

  async jobFinishedByMinute(p: { from: number; to: number }): Promise<FinishedMinute[]> {
    return this.run(() => this.s.insight.finishedByMinute.all(p) as FinishedMinute[]);
  }

  async jobFinishMany(p: { items: readonly FinishItem[]; now?: number }): Promise<boolean[]> {
    return this.write(() => this.finishTxn.immediate(p.items, p.now ?? this.clock()));
  }

  async jobGet(p: { id: number }): Promise<JobRow | null> {
    return this.run(() => (this.s.job.get.get(p) as JobRow | undefined) ?? null);
  }

  async jobInsertMany(p: { jobs: readonly NewJob[]; now?: number; tx?: unknown }): Promise<InsertResult[]> {
    return this.jobInsertManySync(p);
  }

  jobInsertManySync(p: { jobs: readonly NewJob[]; now?: number; tx?: unknown }): InsertResult[] {
    const db = p.tx === undefined ? this.db : asConnection(p.tx);
    return this.run(() => {
      if (db !== this.db) migrate(db);
      return this.insertTxn(db, p.jobs, p.now ?? this.clock());
    });
  }

  async jobList(p: JobListParams): Promise<JobPage> {
    if (isFiltered(p)) {
      return this.run(() => {
        const { cursor, limit, state, ...filter } = p;
        const jobs = selectJobs(this.s, state === undefined ? filter : { ...filter, states: [state] }, cursor, limit);
        const last = jobs[jobs.length - 1];
        return { jobs, nextCursor: jobs.length === limit && last !== undefined ? last.id : null };
      });
    }
    return this.run(() => {
      const params = { queue: p.queue, state: p.state === undefined ? undefined : STATE_CODE[p.state], cursor: p.cursor ?? NO_CURSOR, limit: p.limit };
      const j = this.s.job;
      const rare = p.state !== undefined && STATE_CODE[p.state] >= STATE_CODE.failed;
      const stmt = p.state === 'running'
        ? (p.queue !== undefined ? j.listRunningByQueue : j.listRunning)
        : p.queue !== undefined
          ? (p.state !== undefined ? (rare ? j.listByQueueRareState : j.listByQueueState) : j.listByQueue)
          : (p.state !== undefined ? (rare ? j.listByRareState : j.listByState) : j.listAll);
      const jobs = stmt.all(params) as JobRow[];
      const last = jobs[jobs.length - 1];
      return { jobs, nextCursor: jobs.length === p.limit && last !== undefined ? last.id : null };
    });
  }

  async jobNextDue(p: { queues: readonly string[] }): Promise<number | null> {
    return this.run(() => {
      let earliest: number | null = null;
      for (const queue of p.queues) {
        let after = PRIORITY_MIN - 1;
        for (;;) {
          const level = this.s.job.nextPriority.get({ queue, after }) as { priority: number } | undefined;
          if (level === undefined) break;
          const row = this.s.job.nextDueAtPriority.get({ queue, priority: level.priority }) as { runAt: number };
          if (earliest === null || row.runAt < earliest) earliest = row.runAt;
          after = level.priority;
        }
        const limited = limitedNextDue(this.s, queue);
        if (limited !== null && (earliest === null || limited < earliest)) earliest = limited;
      }
      return earliest;
    });
  }

  async jobPrune(p: { finishedBefore: number; failedBefore: number; limit: number }): Promise<number> {
    return this.write(() => this.pruneTxn.immediate(p));
  }

  async jobReplay(p: { id: number; now?: number }): Promise<JobRow> {
    return this.write(() => this.replayTxn.immediate({ id: p.id, now: p.now ?? this.clock() }));
  }

  async jobRescueExpired(p: { now?: number; limit: number }): Promise<RescuedJob[]> {
    return this.write(() => this.rescueTxn.immediate(p.now ?? this.clock(), p.limit));
  }

  async leaseNextExpiry(): Promise<number | null> {
    return this.run(() => (this.s.job.leaseNextExpiry.get() as { leaseUntil: number | null }).leaseUntil);
  }

  async limiterDelete(p: { id: string }): Promise<boolean> {
    return this.write(() => this.s.limiter.limiterDelete.run(p).changes === 1);
  }

  async limiterGet(p: { id: string }): Promise<LimiterRow | null> {
    return this.run(() => toLimiterRow(this.s.limiter.limiterGet.get(p) as Parameters<typeof toLimiterRow>[0]));
  }

  async limiterList(): Promise<LimiterRow[]> {
    return this.run(() => (this.s.limiter.limiterList.all() as Parameters<typeof toLimiterRow>[0][]).map((r) => toLimiterRow(r)!));
  }

  async limiterStatus(p: { id: string; now?: number }): Promise<LimiterUsage | null> {
    return this.run(() => limiterStatus(this.s, p.id, p.now ?? this.clock()));
  }

  async limiterUpsert(p: { limiter: LimiterWrite; now?: number }): Promise<{ row: LimiterRow; created: boolean }> {
    return this.write(() => this.txn(() => {
      const created = this.s.limiter.limiterGet.get({ id: p.limiter.id }) === undefined;
      const raw = this.s.limiter.limiterUpsert.get({ ...p.limiter, lend: p.limiter.lend ? 1 : 0, now: p.now ?? this.clock() });
      return { row: toLimiterRow(raw as Parameters<typeof toLimiterRow>[0])!, created };
    }));
  }

  async occurrenceListBySchedule(p: { scheduleId: string; before?: number; limit: number }): Promise<OccurrenceRow[]> {
    return this.run(() => this.s.schedule.occurrenceList.all({ scheduleId: p.scheduleId, before: p.before ?? NO_CURSOR, limit: p.limit }) as OccurrenceRow[]);
  }

  async occurrencePrune(p: { before: number; limit: number }): Promise<number> {
    return this.run(() => this.s.schedule.occurrencePrune.run(p).changes);
  }

  async scheduleApplyPlans(p: { plans: readonly SchedulePlanWrite[]; now?: number }): Promise<MaterializeResult[]> {
    return this.write(() => this.txn(() => applyPlans(this.s, p.plans, p.now ?? this.clock())));
  }

  async queueDelete(p: { name: string }): Promise<boolean> {
    return this.write(() => this.s.queue.delete.run(p).changes === 1);
  }

  async queueGet(p: { name: string }): Promise<QueueRow | null> {
    return this.run(() => toQueueRow(this.s.queue.get.get(p) as RawQueueRow | undefined));
  }

  async queueList(): Promise<QueueRow[]> {
    return this.run(() => (this.s.queue.list.all() as RawQueueRow[]).map((r) => toQueueRow(r)!));
  }

  async queueSetPaused(p: { name: string; paused: boolean; now?: number }): Promise<QueueRow> {
    return this.write(() => toQueueRow(this.s.queue.setPaused.get({ name: p.name, paused: p.paused ? 1 : 0, now: p.now ?? this.clock() }) as RawQueueRow)!);
  }

  async queueUpsert(p: { queue: QueueWrite; expectedVersion?: number | null; now?: number }): Promise<{ row: QueueRow; created: boolean } | null> {
    const values = { ...p.queue, now: p.now ?? this.clock() };
    return this.write(() => this.txn(() => {
      let raw: RawQueueRow | undefined;
      if (p.expectedVersion === undefined || p.expectedVersion === null) {
        raw = this.s.queue.insert.get(values) as RawQueueRow | undefined;
        if (raw === undefined && p.expectedVersion === null) return null;
      }
      const created = raw !== undefined;
      if (!created) raw = this.s.queue.update.get({ ...values, expectedVersion: p.expectedVersion ?? null }) as RawQueueRow | undefined;
      const row = toQueueRow(raw);
      return row === null ? null : { row, created };
    }));
  }

  async scheduleDelete(p: { id: string }): Promise<boolean> {
    return this.run(() => this.txn(() => {
      this.s.schedule.occurrenceDeleteBySchedule.run({ scheduleId: p.id });
      return this.s.schedule.delete.run(p).changes === 1;
    }));
  }

  async scheduleGet(p: { id: string }): Promise<ScheduleRow | null> {
    return this.run(() => toScheduleRow(this.s.schedule.get.get(p) as Parameters<typeof toScheduleRow>[0]));
  }

  async scheduleList(): Promise<ScheduleRow[]> {
    return this.run(() => (this.s.schedule.list.all() as Parameters<typeof toScheduleRow>[0][]).map((r) => toScheduleRow(r)!));
  }

  async scheduleListDue(p: { now?: number; limit: number }): Promise<ScheduleRow[]> {
    return this.run(() => listDue(this.s, { now: p.now ?? this.clock(), limit: p.limit }));
  }

  async scheduleNextFire(): Promise<{ nextFireAt: number | null; hasBuffered: boolean }> {
    return this.run(() => {
      const r = this.s.schedule.nextFire.get() as { nextFireAt: number | null; hasBuffered: number };
      return { nextFireAt: r.nextFireAt, hasBuffered: r.hasBuffered === 1 };
    });
  }

  async scheduleSetPaused(p: {
    id: string; paused: boolean; nextAt: number | null; nextFireAt: number | null; expectedVersion: number; now?: number;
  }): Promise<boolean> {
    return this.run(() => this.s.schedule.setPaused.run({ ...p, paused: p.paused ? 1 : 0, now: p.now ?? this.clock() }).changes === 1);
  }

  async scheduleUpsert(p: { schedule: ScheduleWrite; expectedVersion: number | null; now?: number }): Promise<{ row: ScheduleRow; created: boolean } | null> {
    return this.run(() => this.txn(() => upsertSchedule(this.s, p.schedule, p.expectedVersion, p.now ?? this.clock())));
  }

  /** Runs `fn` in an IMMEDIATE transaction (or as a savepoint inside one). */
  private txn<T>(fn: () => T): T {
    const t = this.db.transaction(fn);
    return this.db.inTransaction ? t() : t.immediate();
  }

  /**
   * Nothing to do: SQLite keeps no dead row versions (a deleted row's page goes to the free list and is reused by the
   * next inserts), and WAL checkpoints run by themselves at every 1,000 pages.
   */
  async storeMaintain(): Promise<{ vacuumed: string[] }> {
    this.run(() => undefined);
    return { vacuumed: [] };
  }

  async now(): Promise<number> {
    return this.clock();
  }

  /** This driver's own notifications only (capabilities.localNotify): other processes on the file are polled. */
  async subscribe(listener: (n: StoreNotification) => void): Promise<Subscription> {
    this.run(() => undefined);
    this.listeners.add(listener);
    return { close: async () => void this.listeners.delete(listener) };
  }

  async migrate(p: { dryRun?: boolean } = {}): Promise<MigrateResult> {
    const result = this.run(() => migrate(this.db, p));
    // Statements prepared against an older schema are stale once a migration ran.
    if (result.applied.length > 0) this.statements = null;
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDb) this.db.close();
  }

  /** The connection, for tests and tools that inspect the file (EXPLAIN QUERY PLAN). Not part of the Driver seam. */
  get connection(): Database.Database {
    return this.db;
  }
}
