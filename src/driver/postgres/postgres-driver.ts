/**
 * The shared store: PostgreSQL through node-postgres, for many instances on one database. Claims use SKIP LOCKED on
 * partial indexes, completions are batched and fenced per row, notifications go out with LISTEN/NOTIFY on commit.
 */
import pg from 'pg';
import { KairosError } from '../../core/errors.js';
import type { NewJob } from '../../core/job-options.js';
import type {
  ApiKeyRow, AttemptLogRow, AttemptProgressRow, AttemptRow, BatchRow, BulkResult, CalendarRow, CancelResult, ClaimBatch, Driver, DriverCapabilities,
  DueMinute, FinishedMinute, FinishItem, InsertResult, InstanceRow, JobCount, JobFilter, JobListParams, JobPage, JobRow, LimiterRow, LimiterUsage,
  LimiterWrite, MaterializeResult, MigrateResult, OccurrenceRow, QueueRow, QueueWrite, ReportItem, RescuedJob, SchedulePlanWrite, ScheduleRow,
  ScheduleWrite, StoreNotification, Subscription,
} from '../driver.js';
import { toJobId } from '../ids.js';
import { isFiltered } from '../job-filter.js';
import { cancelMany, createBatch, deleteMany, getBatch, needsExtras, replayMany, resolveUnresolved, selectJobs } from './flow-ops.js';
import { claim, completeUnflowed, finishMany, insertAll, insertKeylessAnnounced, onlyDistinctCompletions } from './job-ops.js';
import { flowSql } from './queries/flows.js';
import { cancel, replay, rescue } from './job-manage.js';
import { claimWithLimiters, limitedNextDue, limiterStatus } from './limiter-ops.js';
import { limiterSql } from './queries/limiters.js';
import { migrate } from './migrate.js';
import { translate } from './pg-errors.js';
import { PgListener } from './pg-listener.js';
import { PgRunner, type Session } from './pg-session.js';
import { assertSchemaName, DEFAULT_POOL_SIZE, DEFAULT_SCHEMA } from './postgres-options.js';
import { apiKeySql } from './queries/api-keys.js';
import { attemptSql } from './queries/attempts.js';
import { jobWriteSql } from './queries/job-writes.js';
import { insightSql } from './queries/insights.js';
import { jobSql, RARE_STATES } from './queries/jobs.js';
import { occurrenceSql } from './queries/occurrences.js';
import { queueSql } from './queries/queues.js';
import { scheduleSql } from './queries/schedules.js';
import { tablesIn } from './queries/tables.js';
import { applyPlans, toScheduleRow, upsertSchedule } from './schedule-ops.js';
import { CHURNING_TABLES, maintenanceSql } from './queries/maintenance.js';

/** Where the driver connects: its own pool from a URL, or a pool of the caller's (then close() leaves it open). */
export type PostgresDriverOptions = ({ connectionString: string; poolSize?: number } | { pool: pg.Pool }) & {
  /** The schema that holds every Kairos table (default `kairos`); created by migrate(). */
  schema?: string;
};

const NO_CURSOR = Number.MAX_SAFE_INTEGER;


function jobRow(raw: JobRow): JobRow {
  return { ...raw, id: toJobId(raw.id) };
}

/**
 * The Driver seam on PostgreSQL. Construct it from a URL's options or a pool of yours, call migrate() (Kairos.open
 * does), share the database with any number of instances.
 */
/** How long a limiter counts as contended after a claim of this instance saw it refuse a due job, ms. */
const CONTENDED_MS = 10_000;

/** Dead row versions in one table above which storeMaintain vacuums it, when autovacuum is off. */
const VACUUM_DEAD_TUPLES = 10_000;

export class PostgresDriver implements Driver {
  readonly name = 'postgres';
  readonly capabilities: DriverCapabilities = { listenNotify: true, timePrecisionMs: 1, syncTransactions: false, multiProcess: true };
  /** The schema of this store's tables. */
  readonly schema: string;
  private readonly db: PgRunner;
  private readonly ownsPool: boolean;
  private readonly listener: PgListener;
  private readonly sql;
  private closed = false;
  /**
   * Limiters this instance saw refuse a due job lately (id → until, ms): the ends of their attempts are announced to
   * every instance (limiter-changed), so workers held back elsewhere claim at once instead of at their next poll. A
   * limiter that never fills costs its completions nothing.
   */
  private readonly contended = new Map<string, number>();
  private readonly isContended = (limiter: string): boolean => (this.contended.get(limiter) ?? 0) > Date.now();
  private readonly markContended = (limiter: string): void => void this.contended.set(limiter, Date.now() + CONTENDED_MS);

  constructor(options: PostgresDriverOptions) {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    assertSchemaName(schema);
    this.schema = schema;
    let pool: pg.Pool;
    if ('pool' in options) {
      pool = options.pool;
      this.ownsPool = false;
    } else {
      pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? DEFAULT_POOL_SIZE, application_name: 'kairos' });
      // An idle client whose connection drops emits 'error' on the pool; the pool discards it and the next call
      // connects again (translating the error if the database is still away). Without a listener it would crash.
      pool.on('error', () => undefined);
      this.ownsPool = true;
    }
    const channel = `${schema}_kairos`;
    this.db = new PgRunner(pool, channel);
    this.listener = new PgListener(pool.options, channel);
    const t = tablesIn(schema);
    this.sql = {
      job: jobSql(t), jobWrite: jobWriteSql(t), attempt: attemptSql(t), schedule: scheduleSql(t), occurrence: occurrenceSql(t), queue: queueSql(t),
      maintenance: maintenanceSql(t), flow: flowSql(t), insight: insightSql(t), apiKey: apiKeySql(t), limiter: limiterSql(t),
    };
  }

  private check(): void {
    if (this.closed) throw new KairosError('CLOSED', 'the PostgreSQL store is closed');
  }

  private tx<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    this.check();
    return this.db.transaction(fn);
  }

  private async query<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    this.check();
    return this.db.query<R>(text, values);
  }

  async apiKeyCreate(p: { key: Pick<ApiKeyRow, 'id' | 'name' | 'hash' | 'scopes'>; onlyIfNone?: boolean; now?: number }): Promise<ApiKeyRow | null> {
    const k = p.key;
    const values = [k.id, k.name, k.hash, k.scopes, p.now ?? null];
    return this.tx(async (s) => {
      if (p.onlyIfNone !== true) return (await s.run<ApiKeyRow>(this.sql.apiKey.insert, values))[0] ?? null;
      await s.conn.query(this.sql.apiKey.lockForFirst);
      return (await s.run<ApiKeyRow>(this.sql.apiKey.insertIfNone, values))[0] ?? null;
    });
  }

  async apiKeyGet(p: { id: string }): Promise<ApiKeyRow | null> {
    return (await this.query<ApiKeyRow>(this.sql.apiKey.get, [p.id]))[0] ?? null;
  }

  async apiKeyList(): Promise<ApiKeyRow[]> {
    return this.query<ApiKeyRow>(this.sql.apiKey.list);
  }

  async apiKeyRevoke(p: { id: string; now?: number }): Promise<boolean> {
    return this.tx(async (s) => (await s.conn.query(this.sql.apiKey.revoke, [p.id, p.now ?? null])).rowCount === 1);
  }

  async attemptListByJob(p: { jobId: number }): Promise<AttemptRow[]> {
    return (await this.query<AttemptRow>(this.sql.attempt.listByJob, [p.jobId])).map((r) => ({ ...r, jobId: toJobId(r.jobId) }));
  }

  async batchCreate(p: { jobs: readonly NewJob[]; completion: NewJob; now?: number; tx?: unknown }): Promise<{ batchId: number; jobs: InsertResult[]; completionJobId: number }> {
    this.check();
    const now = p.now ?? null;
    const body = (s: Session) => createBatch(s, this.sql.flow, (jobs) => insertAll(s, this.sql.job, jobs, now, this.sql.limiter, this.sql.flow), p.jobs, p.completion, now);
    return p.tx !== undefined ? this.db.inCallerTransaction(p.tx, body) : this.db.transaction(body);
  }

  async batchGet(p: { id: number }): Promise<BatchRow | null> {
    this.check();
    return getBatch({ run: (text, values) => this.db.query(text, values) }, this.sql.flow, p.id);
  }

  async attemptLogListByJob(p: { jobId: number }): Promise<AttemptLogRow[]> {
    return this.query<AttemptLogRow>(this.sql.attempt.logListByJob, [p.jobId]);
  }

  async attemptProgressListByJob(p: { jobId: number }): Promise<AttemptProgressRow[]> {
    return this.query<AttemptProgressRow>(this.sql.attempt.progressListByJob, [p.jobId]);
  }

  async attemptReportMany(p: { items: readonly ReportItem[]; now?: number }): Promise<boolean[]> {
    if (p.items.length === 0) return [];
    const logs = p.items.flatMap((item) => item.logs.map((log) => [item.id, log.at, log.line] as const));
    const rows = await this.query<{ id: number }>(this.sql.attempt.reportMany, [
      p.items.map((i) => i.id), p.items.map((i) => i.owner), p.items.map((i) => i.attempt), p.items.map((i) => i.progress),
      logs.map((l) => l[0]), logs.map((l) => l[1]), logs.map((l) => l[2]), p.now ?? null,
    ]);
    const held = new Set(rows.map((r) => Number(r.id)));
    return p.items.map((i) => held.has(i.id));
  }

  async calendarDelete(p: { name: string }): Promise<boolean> {
    return this.tx(async (s) => {
      const gone = (await s.conn.query(this.sql.occurrence.calendarDelete, [p.name])).rowCount === 1;
      if (gone) s.notify({ kind: 'schedule-changed' });
      return gone;
    });
  }

  async calendarList(): Promise<CalendarRow[]> {
    return this.query<CalendarRow>(this.sql.occurrence.calendarList);
  }

  async calendarUpsert(p: { name: string; dates: readonly string[]; now?: number }): Promise<void> {
    await this.tx(async (s) => {
      await s.run(this.sql.occurrence.calendarUpsert, [p.name, JSON.stringify(p.dates), p.now ?? null]);
      s.notify({ kind: 'schedule-changed' });
    });
  }

  async instanceDelete(p: { id: string }): Promise<boolean> {
    return this.tx(async (s) => (await s.conn.query(this.sql.insight.instanceDelete, [p.id])).rowCount === 1);
  }

  async instanceHeartbeat(p: { id: string; host: string; pid: number; queues: readonly string[]; now?: number }): Promise<void> {
    await this.query(this.sql.insight.instanceHeartbeat, [p.id, p.host, p.pid, JSON.stringify(p.queues), p.now ?? null]);
  }

  async instanceList(): Promise<InstanceRow[]> {
    return this.query<InstanceRow>(this.sql.insight.instanceList);
  }

  async instancePrune(p: { before: number }): Promise<number> {
    return this.tx(async (s) => (await s.conn.query(this.sql.insight.instancePrune, [p.before])).rowCount ?? 0);
  }

  async jobCancel(p: ({ id: number } | { queue: string; key: string }) & { now?: number }): Promise<CancelResult | null> {
    return this.tx((s) => cancel(s, this.sql, p));
  }

  async jobCancelMany(p: { filter: JobFilter; cursor?: number; limit: number; now?: number }): Promise<BulkResult> {
    return this.tx((s) => cancelMany(s, this.sql.flow, p.filter, p.cursor, p.limit, p.now ?? null));
  }

  async jobDeleteMany(p: { filter: JobFilter; cursor?: number; limit: number }): Promise<BulkResult> {
    return this.tx((s) => deleteMany(s, this.sql.flow, p.filter, p.cursor, p.limit));
  }

  async jobReplayMany(p: { filter: JobFilter; cursor?: number; limit: number; now?: number }): Promise<BulkResult> {
    return this.tx((s) => replayMany(s, this.sql.flow, p.filter, p.cursor, p.limit, p.now ?? null));
  }

  async jobResolveFlows(p: { limit: number; now?: number }): Promise<number> {
    return this.tx((s) => resolveUnresolved(s, this.sql.flow, p.limit, p.now ?? null));
  }

  async jobWatch(p: { id: number }): Promise<JobRow | null> {
    const [row] = await this.query<JobRow>(this.sql.flow.watch, [p.id]);
    return row === undefined ? null : jobRow(row);
  }

  /** Each priority level's statement commits on its own; see claim() in job-ops.ts. */
  async jobClaim(p: { queue: string; limit: number; owner: string; leaseMs: number; now?: number }): Promise<ClaimBatch> {
    this.check();
    const params = { ...p, now: p.now ?? null };
    const claimed = await claim({ run: (text, values) => this.db.query(text, values) }, this.sql.job, params, true);
    if (Array.isArray(claimed)) return claimed;
    return this.tx((s) => claimWithLimiters(s, this.sql.limiter, params, claimed.freeDue, this.markContended));
  }

  async jobCounts(p: { queue?: string } = {}): Promise<JobCount[]> {
    return p.queue === undefined
      ? this.query<JobCount>(this.sql.job.countsAll)
      : this.query<JobCount>(this.sql.job.countsByQueue, [p.queue]);
  }

  async jobDueByMinute(p: { from: number; to: number }): Promise<DueMinute[]> {
    return this.query<DueMinute>(this.sql.insight.dueByMinute, [p.from, p.to]);
  }

  async jobExtendLeases(p: { owner: string; ids: readonly number[]; leaseMs: number; now?: number }): Promise<number[]> {
    return this.tx(async (s) => {
      const held = new Set((await s.run<{ id: number }>(this.sql.jobWrite.extendLeases, [p.owner, p.leaseMs, p.now ?? null])).map((r) => r.id));
      return p.ids.filter((id) => !held.has(id));
    });
  }

  /** Finish, then claim, in one transaction (two statements: a single complete-and-claim statement can deadlock). */
  async jobFinishAndClaim(p: {
    items: readonly FinishItem[];
    claim: { queue: string; limit: number; owner: string; leaseMs: number };
    now?: number;
  }): Promise<{ finished: boolean[]; claimed: ClaimBatch }> {
    const now = p.now ?? null;
    return this.tx(async (s) => {
      const finished = await finishMany(s, this.sql.jobWrite, p.items, now, this.sql.flow, this.isContended);
      const first = p.claim.limit > 0 ? await claim(s, this.sql.job, { ...p.claim, now }) : [];
      const claimed = Array.isArray(first) ? first : await claimWithLimiters(s, this.sql.limiter, { ...p.claim, now }, first.freeDue, this.markContended);
      return { finished, claimed };
    });
  }

  async jobFinishedByMinute(p: { from: number; to: number }): Promise<FinishedMinute[]> {
    return this.query<FinishedMinute>(this.sql.insight.finishedByMinute, [p.from, p.to]);
  }

  async jobFinishMany(p: { items: readonly FinishItem[]; now?: number }): Promise<boolean[]> {
    if (p.items.length === 0) return [];
    if (onlyDistinctCompletions(p.items, this.isContended)) {
      this.check();
      // The common batch needs no transaction round trips: one statement, and nothing to announce. Jobs whose end
      // sets something off (flows) are left out by it and completed below, in a transaction with their consequences.
      const applied = await completeUnflowed({ run: (text, values) => this.db.query(text, values) }, this.sql.jobWrite, p.items, p.now ?? null);
      const rest = p.items.flatMap((item, i) => (applied[i] ? [] : [{ item, i }]));
      if (rest.length === 0) return applied;
      const again = await this.tx((s) => finishMany(s, this.sql.jobWrite, rest.map((r) => r.item), p.now ?? null, this.sql.flow, this.isContended));
      for (const [k, r] of rest.entries()) applied[r.i] = again[k] === true;
      return applied;
    }
    return this.tx((s) => finishMany(s, this.sql.jobWrite, p.items, p.now ?? null, this.sql.flow, this.isContended));
  }

  async jobGet(p: { id: number }): Promise<JobRow | null> {
    const [row] = await this.query<JobRow>(this.sql.job.get, [p.id]);
    return row === undefined ? null : jobRow(row);
  }

  /** With `tx` (a pg Client or PoolClient inside an open transaction) the insert joins that transaction. */
  async jobInsertMany(p: { jobs: readonly NewJob[]; now?: number; tx?: unknown }): Promise<InsertResult[]> {
    this.check();
    if (p.jobs.length === 0) return [];
    const now = p.now ?? null;
    if (p.tx !== undefined) return this.db.inCallerTransaction(p.tx, (s) => insertAll(s, this.sql.job, p.jobs, now, this.sql.limiter, this.sql.flow));
    if (p.jobs.every((j) => j.key === null) && !needsExtras(p.jobs)) {
      const done = await insertKeylessAnnounced({ run: (text, values) => this.db.query(text, values) }, this.sql.job, p.jobs, now, this.db.channel);
      if (done !== null) return done;
    }
    return this.db.transaction((s) => insertAll(s, this.sql.job, p.jobs, now, this.sql.limiter, this.sql.flow));
  }

  async jobList(p: JobListParams): Promise<JobPage> {
    if (isFiltered(p)) {
      this.check();
      const { cursor, limit, state, ...filter } = p;
      const jobs = await selectJobs({ run: (text, values) => this.db.query(text, values) }, this.sql.flow, state === undefined ? filter : { ...filter, states: [state] }, cursor, limit);
      const last = jobs[jobs.length - 1];
      return { jobs, nextCursor: jobs.length === limit && last !== undefined ? last.id : null };
    }
    const base = [p.cursor ?? NO_CURSOR, p.limit];
    const j = this.sql.job;
    const rare = p.state !== undefined && (RARE_STATES as readonly string[]).includes(p.state);
    const rows = p.queue !== undefined
      ? (p.state !== undefined
        ? await this.query<JobRow>(rare ? j.listByQueueRareState : j.listByQueueState, [...base, p.queue, p.state])
        : await this.query<JobRow>(j.listByQueue, [...base, p.queue]))
      : (p.state !== undefined ? await this.query<JobRow>(rare ? j.listByRareState : j.listByState, [...base, p.state]) : await this.query<JobRow>(j.listAll, base));
    const jobs = rows.map(jobRow);
    const last = jobs[jobs.length - 1];
    return { jobs, nextCursor: jobs.length === p.limit && last !== undefined ? last.id : null };
  }

  async jobNextDue(p: { queues: readonly string[] }): Promise<number | null> {
    let earliest: number | null = null;
    for (const queue of p.queues) {
      const [row] = await this.query<{ runAt: number | null }>(this.sql.job.nextDue, [queue]);
      const at = row?.runAt ?? null;
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
      const limited = await limitedNextDue({ run: (text, values) => this.query(text, values) }, this.sql.limiter, queue);
      if (limited !== null && (earliest === null || limited < earliest)) earliest = limited;
    }
    return earliest;
  }

  async jobPrune(p: { finishedBefore: number; failedBefore: number; limit: number }): Promise<number> {
    const [row] = await this.query<{ count: number }>(this.sql.jobWrite.prune, [p.finishedBefore, p.failedBefore, p.limit]);
    return row?.count ?? 0;
  }

  async jobReplay(p: { id: number; now?: number }): Promise<JobRow> {
    return this.tx((s) => replay(s, this.sql, p.id, p.now ?? null));
  }

  async jobRescueExpired(p: { now?: number; limit: number }): Promise<RescuedJob[]> {
    return this.tx((s) => rescue(s, this.sql, p.now ?? null, p.limit));
  }

  async leaseNextExpiry(): Promise<number | null> {
    const [row] = await this.query<{ leaseUntil: number | null }>(this.sql.job.leaseNextExpiry);
    return row?.leaseUntil ?? null;
  }

  async limiterDelete(p: { id: string }): Promise<boolean> {
    return this.tx(async (s) => {
      const gone = (await s.conn.query(this.sql.limiter.limiterDelete, [p.id])).rowCount === 1;
      if (gone) s.notify({ kind: 'limiter-changed', limiter: p.id });
      return gone;
    });
  }

  async limiterGet(p: { id: string }): Promise<LimiterRow | null> {
    return (await this.query<LimiterRow>(this.sql.limiter.limiterGet, [p.id]))[0] ?? null;
  }

  async limiterList(): Promise<LimiterRow[]> {
    return this.query<LimiterRow>(this.sql.limiter.limiterList);
  }

  async limiterStatus(p: { id: string; now?: number }): Promise<LimiterUsage | null> {
    return this.tx((s) => limiterStatus(s, this.sql.limiter, p.id, p.now ?? null));
  }

  async limiterUpsert(p: { limiter: LimiterWrite; now?: number }): Promise<{ row: LimiterRow; created: boolean }> {
    const l = p.limiter;
    return this.tx(async (s) => {
      const [raw] = await s.run<LimiterRow & { created: boolean }>(this.sql.limiter.limiterUpsert, [l.id, l.concurrency, l.lanes, l.lend, l.rateLimit, l.ratePerMs, p.now ?? null]);
      const { created, ...row } = raw!;
      s.notify({ kind: 'limiter-changed', limiter: l.id });
      return { row, created };
    });
  }

  async occurrenceListBySchedule(p: { scheduleId: string; before?: number; limit: number }): Promise<OccurrenceRow[]> {
    const rows = await this.query<OccurrenceRow>(this.sql.occurrence.list, [p.scheduleId, p.before ?? NO_CURSOR, p.limit]);
    return rows.map((r) => (r.jobId === null ? r : { ...r, jobId: toJobId(r.jobId) }));
  }

  async occurrencePrune(p: { before: number; limit: number }): Promise<number> {
    this.check();
    return this.db.transaction(async (s) => (await s.conn.query(this.sql.occurrence.prune, [p.before, p.limit])).rowCount ?? 0);
  }

  async scheduleApplyPlans(p: { plans: readonly SchedulePlanWrite[]; now?: number }): Promise<MaterializeResult[]> {
    if (p.plans.length === 0) return [];
    return this.tx((s) => applyPlans(s, this.sql, p.plans, p.now ?? null));
  }

  async queueDelete(p: { name: string }): Promise<boolean> {
    return this.tx(async (s) => {
      const gone = (await s.conn.query(this.sql.queue.delete, [p.name])).rowCount === 1;
      if (gone) s.notify({ kind: 'queue-changed', queue: p.name });
      return gone;
    });
  }

  async queueGet(p: { name: string }): Promise<QueueRow | null> {
    return (await this.query<QueueRow>(this.sql.queue.get, [p.name]))[0] ?? null;
  }

  async queueList(): Promise<QueueRow[]> {
    return this.query<QueueRow>(this.sql.queue.list);
  }

  async queueSetPaused(p: { name: string; paused: boolean; now?: number }): Promise<QueueRow> {
    return this.tx(async (s) => {
      const [row] = await s.run<QueueRow>(this.sql.queue.setPaused, [p.name, p.paused, p.now ?? null]);
      s.notify({ kind: 'queue-changed', queue: p.name });
      return row!;
    });
  }

  async queueUpsert(p: { queue: QueueWrite; expectedVersion?: number | null; now?: number }): Promise<{ row: QueueRow; created: boolean } | null> {
    const q = p.queue;
    const values = [q.name, q.capacity, q.concurrency, q.limiter, q.lane, q.target, q.fallback, q.jobOptions, p.now ?? null];
    return this.tx(async (s) => {
      let rows: QueueRow[] = [];
      if (p.expectedVersion === undefined || p.expectedVersion === null) {
        rows = await s.run<QueueRow>(this.sql.queue.insert, values);
        if (rows.length === 0 && p.expectedVersion === null) return null;
      }
      const created = rows.length === 1;
      if (!created) rows = await s.run<QueueRow>(this.sql.queue.update, [...values, p.expectedVersion ?? null]);
      const [row] = rows;
      if (row === undefined) return null;
      s.notify({ kind: 'queue-changed', queue: q.name });
      return { row, created };
    });
  }

  async scheduleDelete(p: { id: string }): Promise<boolean> {
    return this.tx(async (s) => {
      const gone = (await s.conn.query(this.sql.schedule.delete, [p.id])).rowCount === 1;
      if (gone) s.notify({ kind: 'schedule-changed' });
      return gone;
    });
  }

  async scheduleGet(p: { id: string }): Promise<ScheduleRow | null> {
    return toScheduleRow((await this.query<ScheduleRow>(this.sql.schedule.get, [p.id]))[0]);
  }

  async scheduleList(): Promise<ScheduleRow[]> {
    return (await this.query<ScheduleRow>(this.sql.schedule.list)).map((r) => toScheduleRow(r)!);
  }

  async scheduleListDue(p: { now?: number; limit: number }): Promise<ScheduleRow[]> {
    const rows: ScheduleRow[] = [];
    const seen = new Set<string>();
    for (const { part: _part, sort_at: _sortAt, ...raw } of await this.query<ScheduleRow & { part: number; sort_at: number }>(this.sql.schedule.listDue, [p.now ?? null, p.limit])) {
      if (seen.has(raw.id)) continue;
      seen.add(raw.id);
      rows.push(toScheduleRow(raw)!);
    }
    return rows;
  }

  async scheduleNextFire(): Promise<{ nextFireAt: number | null; hasBuffered: boolean }> {
    const [row] = await this.query<{ nextFireAt: number | null; hasBuffered: boolean }>(this.sql.schedule.nextFire);
    return { nextFireAt: row?.nextFireAt ?? null, hasBuffered: row?.hasBuffered ?? false };
  }

  async scheduleSetPaused(p: { id: string; paused: boolean; nextAt: number | null; nextFireAt: number | null; expectedVersion: number; now?: number }): Promise<boolean> {
    return this.tx(async (s) => {
      const result = await s.conn.query(this.sql.schedule.setPaused, [p.id, p.paused, p.nextAt, p.nextFireAt, p.now ?? null, p.expectedVersion]);
      if (result.rowCount !== 1) return false;
      s.notify({ kind: 'schedule-changed' });
      return true;
    });
  }

  async scheduleUpsert(p: { schedule: ScheduleWrite; expectedVersion: number | null; now?: number }): Promise<{ row: ScheduleRow; created: boolean } | null> {
    return this.tx((s) => upsertSchedule(s, this.sql.schedule, p.schedule, p.expectedVersion, p.now ?? null));
  }

  /**
   * Vacuum the churning tables when this server's autovacuum is off and one of them holds more than
   * VACUUM_DEAD_TUPLES dead row versions (every job leaves three: claim, completion, prune). With autovacuum on,
   * migration 004's per-table settings let it keep up, and this does nothing. VACUUM (not FULL) takes no lock that
   * blocks claims or writes.
   */
  async storeMaintain(): Promise<{ vacuumed: string[] }> {
    const rows = await this.query<{ autovacuum: boolean; table: (typeof CHURNING_TABLES)[number]; dead: number; live: number }>(
      this.sql.maintenance.deadTuples, [this.schema, CHURNING_TABLES],
    );
    const vacuumed: string[] = [];
    for (const r of rows) {
      if (r.autovacuum || r.dead < VACUUM_DEAD_TUPLES) continue;
      await this.query(this.sql.maintenance.vacuum[r.table]);
      vacuumed.push(r.table);
    }
    return { vacuumed };
  }

  async now(): Promise<number> {
    const [row] = await this.query<{ now: number }>('SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now');
    return row!.now;
  }

  /** One listening connection per driver, shared by every subscriber; re-established by itself after a loss. */
  async subscribe(listener: (n: StoreNotification) => void, onReconnect?: () => void): Promise<Subscription> {
    this.check();
    try {
      return await this.listener.subscribe(listener, onReconnect);
    } catch (cause) {
      translate(cause);
    }
  }

  async migrate(p: { dryRun?: boolean } = {}): Promise<MigrateResult> {
    this.check();
    return migrate(this.db.pool, this.schema, p.dryRun === true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listener.close();
    if (this.ownsPool) await this.db.pool.end();
  }
}
