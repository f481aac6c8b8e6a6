/**
 * The embedded store: one SQLite file through better-sqlite3. Every Driver call is one synchronous transaction
 * (IMMEDIATE for writes, so two processes on one file serialize instead of failing on lock upgrade).
 */
import Database from 'better-sqlite3';
import { KairosError } from '../../core/errors.js';
import { PRIORITY_MIN, type NewJob } from '../../core/job-options.js';
import { INSERT_ROWS } from './queries/jobs.js';
import type {
  AttemptRow, CalendarRow, CancelResult, ClaimedJob, Driver, DriverCapabilities, FinishItem, InsertResult, JobListParams, JobPage, JobRow,
  MaterializePlan, MaterializeResult, OccurrenceRow, RescuedJob, ScheduleRow, ScheduleWrite,
} from '../driver.js';
import { materializeDue, toScheduleRow, upsertSchedule } from './schedule-ops.js';
import { migrate } from './migrate.js';
import { statementsFor, type Statements } from './statements.js';

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
}

const NO_CURSOR = Number.MAX_SAFE_INTEGER;

/** Native errors become KairosErrors; KairosErrors pass through. */
function translate(cause: unknown): never {
  if (cause instanceof KairosError) throw cause;
  const e = cause as { code?: string; message?: string };
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
  readonly capabilities: DriverCapabilities = { listenNotify: false, timePrecisionMs: 1, syncTransactions: true, multiProcess: true };
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly s: Statements;
  private closed = false;

  private readonly insertTxn: (db: Database.Database, jobs: readonly NewJob[], now: number) => InsertResult[];
  private readonly claimTxn: Database.Transaction<(p: { queue: string; limit: number; owner: string; leaseMs: number; now: number }) => ClaimedJob[]>;
  private readonly finishTxn: Database.Transaction<(items: readonly FinishItem[], now: number) => boolean[]>;
  private readonly finishAndClaimTxn: Database.Transaction<
    (items: readonly FinishItem[], claim: { queue: string; limit: number; owner: string; leaseMs: number; now: number }) => { finished: boolean[]; claimed: ClaimedJob[] }
  >;
  private readonly rescueTxn: Database.Transaction<(now: number, limit: number) => RescuedJob[]>;
  private readonly cancelTxn: Database.Transaction<(p: { id?: number; queue?: string; key?: string; now: number }) => CancelResult | null>;
  private readonly retryTxn: Database.Transaction<(p: { id: number; now: number }) => JobRow>;
  private readonly pruneTxn: Database.Transaction<(p: { finishedBefore: number; failedBefore: number; limit: number }) => number>;

  constructor(options: SqliteDriverOptions) {
    this.ownsDb = options.database === undefined;
    try {
      this.db = options.database ?? new Database(options.filename ?? 'kairos.db');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma(`cache_size = -${Math.round((options.cacheMiB ?? 16) * 1024)}`);
      this.db.pragma('temp_store = MEMORY');
      migrate(this.db);
      this.s = statementsFor(this.db);
    } catch (cause) {
      translate(cause);
    }
    const txnCache = new WeakMap<Database.Database, Database.Transaction<(jobs: readonly NewJob[], now: number) => InsertResult[]>>();
    this.insertTxn = (db, jobs, now) => {
      let t = txnCache.get(db);
      if (t === undefined) {
        const s = statementsFor(db);
        t = db.transaction((js: readonly NewJob[], n: number) => insertAll(s, js, n));
        txnCache.set(db, t);
      }
      // Inside the caller's transaction better-sqlite3 nests as a savepoint; otherwise take the write lock at once.
      return db.inTransaction ? t(jobs, now) : t.immediate(jobs, now);
    };
    this.claimTxn = this.db.transaction((p) => claim(this.s, p));
    this.finishTxn = this.db.transaction((items, now) => finishMany(this.s, items, now));
    this.finishAndClaimTxn = this.db.transaction((items, c) => ({ finished: finishMany(this.s, items, c.now), claimed: claim(this.s, c) }));
    this.rescueTxn = this.db.transaction((now, limit) => rescue(this.s, now, limit));
    this.retryTxn = this.db.transaction((p) => this.retry(p));
    this.cancelTxn = this.db.transaction((p) => cancel(this.s, p));
    this.pruneTxn = this.db.transaction((p) => {
      const ids = (this.s.job.prunable.all(p) as { id: number }[]).map((r) => r.id);
      if (ids.length === 0) return 0;
      const json = JSON.stringify(ids);
      this.s.attempt.deleteByJobs.run({ ids: json });
      return this.s.job.deleteMany.run({ ids: json }).changes;
    });
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

  /** Runs a synchronous store operation, translating native errors. */
  private run<T>(fn: () => T): T {
    if (this.closed) throw new KairosError('CLOSED', 'the SQLite store is closed');
    try {
      return fn();
    } catch (cause) {
      translate(cause);
    }
  }

  async attemptListByJob(p: { jobId: number }): Promise<AttemptRow[]> {
    return this.run(() => this.s.attempt.listByJob.all(p) as AttemptRow[]);
  }

  async calendarDelete(p: { name: string }): Promise<boolean> {
    return this.run(() => this.s.schedule.calendarDelete.run(p).changes === 1);
  }

  async calendarList(): Promise<CalendarRow[]> {
    return this.run(() => this.s.schedule.calendarList.all() as CalendarRow[]);
  }

  async calendarUpsert(p: { name: string; dates: readonly string[]; now: number }): Promise<void> {
    this.run(() => this.s.schedule.calendarUpsert.run({ name: p.name, dates: JSON.stringify(p.dates), now: p.now }));
  }

  async jobCancel(p: { id: number; now: number } | { queue: string; key: string; now: number }): Promise<CancelResult | null> {
    return this.write(() => this.cancelTxn.immediate(p));
  }

  async jobClaim(p: { queue: string; limit: number; owner: string; leaseMs: number; now: number }): Promise<ClaimedJob[]> {
    return this.write(() => this.claimTxn.immediate(p));
  }

  async jobExtendLeases(p: { owner: string; ids: readonly number[]; leaseMs: number; now: number }): Promise<number[]> {
    return this.write(() => {
      const held = new Set((this.s.job.extendLeases.all({ owner: p.owner, leaseUntil: p.now + p.leaseMs }) as { id: number }[]).map((r) => r.id));
      return p.ids.filter((id) => !held.has(id));
    });
  }

  async jobFinishAndClaim(p: {
    items: readonly FinishItem[];
    claim: { queue: string; limit: number; owner: string; leaseMs: number };
    now: number;
  }): Promise<{ finished: boolean[]; claimed: ClaimedJob[] }> {
    return this.write(() => this.finishAndClaimTxn.immediate(p.items, { ...p.claim, now: p.now }));
  }

  async jobFinishMany(p: { items: readonly FinishItem[]; now: number }): Promise<boolean[]> {
    return this.write(() => this.finishTxn.immediate(p.items, p.now));
  }

  async jobGet(p: { id: number }): Promise<JobRow | null> {
    return this.run(() => (this.s.job.get.get(p) as JobRow | undefined) ?? null);
  }

  async jobInsertMany(p: { jobs: readonly NewJob[]; now: number; tx?: unknown }): Promise<InsertResult[]> {
    return this.jobInsertManySync(p);
  }

  jobInsertManySync(p: { jobs: readonly NewJob[]; now: number; tx?: unknown }): InsertResult[] {
    const db = p.tx === undefined ? this.db : asConnection(p.tx);
    return this.run(() => {
      if (db !== this.db) migrate(db);
      return this.insertTxn(db, p.jobs, p.now);
    });
  }

  async jobList(p: JobListParams): Promise<JobPage> {
    return this.run(() => {
      const params = { queue: p.queue, state: p.state, cursor: p.cursor ?? NO_CURSOR, limit: p.limit };
      const stmt = p.queue !== undefined
        ? (p.state !== undefined ? this.s.job.listByQueueState : this.s.job.listByQueue)
        : (p.state !== undefined ? this.s.job.listByState : this.s.job.listAll);
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
      }
      return earliest;
    });
  }

  async jobPrune(p: { finishedBefore: number; failedBefore: number; limit: number }): Promise<number> {
    return this.write(() => this.pruneTxn.immediate(p));
  }

  async jobRescueExpired(p: { now: number; limit: number }): Promise<RescuedJob[]> {
    return this.write(() => this.rescueTxn.immediate(p.now, p.limit));
  }

  async jobRetry(p: { id: number; now: number }): Promise<JobRow> {
    return this.write(() => this.retryTxn.immediate(p));
  }

  private retry(p: { id: number; now: number }): JobRow {
    {
      this.s.job.archiveCompletedAttempt.run(p);
      const changed = this.s.job.replay.run(p).changes;
      const row = this.s.job.get.get(p) as JobRow | undefined;
      if (row === undefined) throw new KairosError('JOB_NOT_FOUND', `job ${p.id} not found`, { details: { field: 'id' } });
      if (changed === 0) {
        throw new KairosError('JOB_STATE_CONFLICT', `job ${p.id} is ${row.state}; only a completed, failed, cancelled, expired or skipped job can be retried`, {
          details: { field: 'id', state: row.state },
        });
      }
      return row;
    }
  }

  async leaseNextExpiry(): Promise<number | null> {
    return this.run(() => (this.s.job.leaseNextExpiry.get() as { leaseUntil: number | null }).leaseUntil);
  }

  async occurrenceListBySchedule(p: { scheduleId: string; before?: number; limit: number }): Promise<OccurrenceRow[]> {
    return this.run(() => this.s.schedule.occurrenceList.all({ scheduleId: p.scheduleId, before: p.before ?? NO_CURSOR, limit: p.limit }) as OccurrenceRow[]);
  }

  async occurrencePrune(p: { before: number; limit: number }): Promise<number> {
    return this.run(() => this.s.schedule.occurrencePrune.run(p).changes);
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

  async scheduleMaterializeDue(p: { now: number; limit: number; plan: (row: ScheduleRow) => MaterializePlan | null }): Promise<MaterializeResult[]> {
    return this.write(() => this.txn(() => materializeDue(this.s, p)));
  }

  async scheduleNextFire(): Promise<{ nextFireAt: number | null; hasBuffered: boolean }> {
    return this.run(() => {
      const r = this.s.schedule.nextFire.get() as { nextFireAt: number | null; hasBuffered: number };
      return { nextFireAt: r.nextFireAt, hasBuffered: r.hasBuffered === 1 };
    });
  }

  async scheduleSetPaused(p: { id: string; paused: boolean; nextAt: number | null; nextFireAt: number | null; now: number }): Promise<boolean> {
    return this.run(() => this.s.schedule.setPaused.run({ ...p, paused: p.paused ? 1 : 0 }).changes === 1);
  }

  async scheduleUpsert(p: { schedule: ScheduleWrite; now: number }): Promise<{ row: ScheduleRow; created: boolean }> {
    return this.run(() => this.txn(() => upsertSchedule(this.s, p.schedule, p.now)));
  }

  /** Runs `fn` in an IMMEDIATE transaction (or as a savepoint inside one). */
  private txn<T>(fn: () => T): T {
    const t = this.db.transaction(fn);
    return this.db.inTransaction ? t() : t.immediate();
  }

  async migrate(): Promise<void> {
    this.run(() => migrate(this.db));
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

/** Inserts in order: runs of INSERT_ROWS keyless jobs with one statement, the rest one by one. */
function insertAll(s: Statements, jobs: readonly NewJob[], now: number): InsertResult[] {
  const out = new Array<InsertResult>(jobs.length);
  const params = new Array<unknown>(INSERT_ROWS * 12);
  let i = 0;
  while (i < jobs.length) {
    let run = 0;
    while (run < INSERT_ROWS && i + run < jobs.length && jobs[i + run]!.key === null) run++;
    if (run < INSERT_ROWS) {
      out[i] = insertOne(s, jobs[i]!, now);
      i++;
      continue;
    }
    for (let r = 0; r < INSERT_ROWS; r++) {
      const j = jobs[i + r]!;
      const o = r * 12;
      params[o] = j.queue; params[o + 1] = j.payload; params[o + 2] = j.priority; params[o + 3] = j.runAt; params[o + 4] = j.maxAttempts;
      params[o + 5] = j.backoff; params[o + 6] = j.timeoutMs; params[o + 7] = j.deadline; params[o + 8] = j.tags; params[o + 9] = now;
      params[o + 10] = j.scheduleId ?? null; params[o + 11] = j.occurrenceAt ?? null;
    }
    const first = Number(s.job.insertRows.run(params).lastInsertRowid) - INSERT_ROWS + 1;
    for (let r = 0; r < INSERT_ROWS; r++) out[i + r] = { id: first + r, state: 'scheduled', runAt: jobs[i + r]!.runAt, outcome: 'created' };
    i += INSERT_ROWS;
  }
  return out;
}

function insertOne(s: Statements, job: NewJob, now: number): InsertResult {
  const params = {
    queue: job.queue, payload: job.payload, priority: job.priority, runAt: job.runAt, key: job.key, maxAttempts: job.maxAttempts,
    backoff: job.backoff, timeoutMs: job.timeoutMs, deadline: job.deadline, tags: job.tags, now, scheduleId: job.scheduleId ?? null,
    occurrenceAt: job.occurrenceAt ?? null,
  };
  if (job.key === null) {
    return { id: Number(s.job.insert.run(params).lastInsertRowid), state: 'scheduled', runAt: job.runAt, outcome: 'created' };
  }
  const created = s.job.insertKeyed.get(params) as { id: number } | undefined;
  if (created !== undefined) return { id: created.id, state: 'scheduled', runAt: job.runAt, outcome: 'created' };
  const existing = s.job.getByKey.get({ queue: job.queue, key: job.key }) as { id: number; state: JobRow['state']; runAt: number };
  if (job.dedupe === 'reject') {
    throw new KairosError('DUPLICATE_KEY', `key: job ${existing.id} of queue "${job.queue}" already holds key "${job.key}" (${existing.state})`, {
      details: { field: 'key', existingId: existing.id },
    });
  }
  if (job.dedupe === 'replace' && s.job.replacePending.run({ ...params, id: existing.id }).changes === 1) {
    return { id: existing.id, state: 'scheduled', runAt: job.runAt, outcome: 'replaced' };
  }
  return { id: existing.id, state: existing.state, runAt: existing.runAt, outcome: 'kept' };
}

/** A row of jobClaimAtPriority in raw mode, in RETURNING order. */
type ClaimRow = [
  id: number, state: 'running' | 'expired', payload: string, priority: number, runAt: number, key: string | null, attempt: number,
  maxAttempts: number, backoff: string | null, timeoutMs: number | null, deadline: number | null, tags: string | null,
  scheduleId: string | null, occurrenceAt: number | null,
];

function claim(s: Statements, p: { queue: string; limit: number; owner: string; leaseMs: number; now: number }): ClaimedJob[] {
  const out: ClaimedJob[] = [];
  let after = PRIORITY_MIN - 1;
  while (out.length < p.limit) {
    const level = s.job.nextPriority.get({ queue: p.queue, after }) as { priority: number } | undefined;
    if (level === undefined) break;
    const rows = s.job.claimAtPriority.all({
      queue: p.queue, priority: level.priority, now: p.now, limit: p.limit - out.length, owner: p.owner, leaseUntil: p.now + p.leaseMs,
    }) as ClaimRow[];
    // RETURNING gives no order guarantee; hand jobs out in claim order.
    rows.sort((a, b) => a[4] - b[4] || a[0] - b[0]);
    for (const r of rows) {
      out.push({
        id: r[0], queue: p.queue, state: r[1], payload: r[2], priority: r[3], runAt: r[4], key: r[5], attempt: r[6], maxAttempts: r[7],
        backoff: r[8], timeoutMs: r[9], deadline: r[10], tags: r[11], startedAt: p.now, scheduleId: r[12], occurrenceAt: r[13],
      });
    }
    after = level.priority;
  }
  return out;
}

function finishMany(s: Statements, items: readonly FinishItem[], now: number): boolean[] {
  const applied = new Array<boolean>(items.length).fill(false);
  const completed: [number, string, number, string | null][] = [];
  const index = new Map<number, number>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.state === 'completed' && !index.has(item.id)) {
      completed.push([item.id, item.owner, item.attempt, item.result ?? null]);
      index.set(item.id, i);
    } else if (item.state === 'completed') {
      // A second completion of the same job in one batch (another attempt or owner): RETURNING gives only the id,
      // so this one is written on its own. The fence lets at most one of them apply.
      applied[i] = s.job.finishFinal.run({ id: item.id, owner: item.owner, attempt: item.attempt, error: null, state: 'completed', now, result: item.result ?? null }).changes === 1;
    } else {
      applied[i] = finishOne(s, item, now);
    }
  }
  if (completed.length > 0) {
    for (const id of s.job.completeMany.all({ now, items: JSON.stringify(completed) }) as number[]) applied[index.get(id)!] = true;
  }
  return applied;
}

/** One attempt that did not complete its job: fenced job update plus its kairos_attempts row. */
function finishOne(s: Statements, item: FinishItem, now: number): boolean {
  const fence = { id: item.id, owner: item.owner, attempt: item.attempt, error: item.error ?? null };
  const changed = item.state === 'scheduled'
    ? s.job.requeue.run({ ...fence, runAt: item.runAt ?? now, giveBack: item.countsAttempt ? 0 : 1 }).changes
    : s.job.finishFinal.run({ ...fence, state: item.state, now, result: item.result ?? null }).changes;
  if (changed === 0) return false;
  s.attempt.insert.run({
    jobId: item.id, attempt: item.attempt, workerId: item.owner, startedAt: item.startedAt, finishedAt: now,
    outcome: item.outcome, error: item.error ?? null, note: item.note ?? null,
  });
  return true;
}

function rescue(s: Statements, now: number, limit: number): RescuedJob[] {
  const rows = s.job.expiredLeases.all({ now, limit }) as { id: number; queue: string; attempt: number; maxAttempts: number; owner: string; startedAt: number }[];
  const out: RescuedJob[] = [];
  for (const r of rows) {
    const error = JSON.stringify({ name: 'LeaseExpired', message: `lease of worker ${r.owner} expired before attempt ${r.attempt} finished` });
    const fence = { id: r.id, owner: r.owner, attempt: r.attempt, error, now };
    const final = r.attempt >= r.maxAttempts;
    const changed = final ? s.job.failRescued.run(fence).changes : s.job.requeue.run({ ...fence, runAt: now, giveBack: 0 }).changes;
    if (changed === 0) continue;
    s.attempt.insert.run({ jobId: r.id, attempt: r.attempt, workerId: r.owner, startedAt: r.startedAt, finishedAt: now, outcome: 'lease-expired', error, note: null });
    out.push({ id: r.id, queue: r.queue, attempt: r.attempt, owner: r.owner, state: final ? 'failed' : 'scheduled' });
  }
  return out;
}

function cancel(s: Statements, p: { id?: number; queue?: string; key?: string; now: number }): CancelResult | null {
  const row = (p.id !== undefined ? s.job.get.get({ id: p.id }) : s.job.activeByKey.get({ queue: p.queue, key: p.key })) as JobRow | undefined;
  if (row === undefined) return null;
  const base = { id: row.id, queue: row.queue, previousState: row.state, owner: row.owner, attempt: row.attempt };
  if (row.state !== 'scheduled' && row.state !== 'running') return { ...base, cancelled: false };
  s.job.cancel.run({ id: row.id, now: p.now });
  if (row.state === 'running' && row.owner !== null) {
    s.attempt.insert.run({
      jobId: row.id, attempt: row.attempt, workerId: row.owner, startedAt: row.startedAt ?? p.now, finishedAt: p.now,
      outcome: 'cancelled', error: null, note: 'cancelled while running',
    });
  }
  return { ...base, cancelled: true };
}
