/** Turns driver rows into the public Job and Attempt shapes. */
import type { BackoffSpec } from '../core/backoff.js';
import type { Attempt, ErrorInfo, Job, JobDetail } from '../core/job.js';
import type { AttemptLogRow, AttemptProgressRow, AttemptRow, JobRow } from '../driver/driver.js';

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    queue: row.queue,
    state: row.state,
    payload: JSON.parse(row.payload) as unknown,
    priority: row.priority,
    // A held job's stored runAt is the latest instant (out of the claim's reach); show the one asked for.
    runAt: new Date(row.dependenciesPending > 0 && row.runAfter !== null ? row.runAfter : row.runAt),
    key: row.key,
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    backoff: json<BackoffSpec>(row.backoff),
    timeoutMs: row.timeoutMs,
    deadline: date(row.deadline),
    tags: json<string[]>(row.tags) ?? [],
    workerId: row.workerId,
    leaseUntil: date(row.leaseUntil),
    createdAt: new Date(row.createdAt),
    startedAt: date(row.startedAt),
    finishedAt: date(row.finishedAt),
    result: json<unknown>(row.result),
    lastError: json<ErrorInfo>(row.lastError),
    scheduleId: row.scheduleId,
    occurrenceAt: date(row.occurrenceAt),
    dependsOn: json<number[]>(row.dependsOn) ?? [],
    onDependencyFailure: row.dependencyPolicy,
    waitingFor: row.state === 'scheduled' ? row.dependenciesPending : 0,
    batchId: row.batchId,
    fallbackOf: row.fallbackOf,
    fallbackJobId: row.fallbackJobId,
    limiter: row.limiter,
    lane: row.lane,
    partitionKey: row.partitionKey,
  };
}

export function toAttempt(row: AttemptRow): Attempt {
  return {
    attempt: row.attempt,
    workerId: row.workerId,
    startedAt: new Date(row.startedAt),
    finishedAt: new Date(row.finishedAt),
    durationMs: row.finishedAt - row.startedAt,
    outcome: row.outcome,
    error: json<ErrorInfo>(row.error),
    note: row.note,
    progress: null,
    logs: [],
  };
}

/**
 * A job with its history (every attempt the store recorded, the completing one included); a running job's current
 * attempt, not yet recorded, is shown last as 'running'.
 */
export function toJobDetail(row: JobRow, attempts: AttemptRow[], reports: { progress: AttemptProgressRow[]; logs: AttemptLogRow[] } = { progress: [], logs: [] }): JobDetail {
  const history = attempts.map(toAttempt);
  if (row.state === 'running' && row.owner !== null && row.startedAt !== null) {
    history.push({
      attempt: row.attempt, workerId: row.owner, startedAt: new Date(row.startedAt), finishedAt: null, durationMs: null,
      outcome: 'running', error: null, note: null, progress: null, logs: [],
    });
  }
  for (const p of reports.progress) {
    const run = runOf(history, p.attempt, p.updatedAt);
    if (run !== undefined) run.progress = JSON.parse(p.progress) as unknown;
  }
  for (const l of reports.logs) runOf(history, l.attempt, l.at)?.logs.push({ at: new Date(l.at), line: l.line });
  const latest = reports.progress.at(-1);
  return { ...toJob(row), progress: latest === undefined ? null : (JSON.parse(latest.progress) as unknown), attempts: history };
}

/**
 * The run a report belongs to. Runs that did not count (snoozed, handed back) share their attempt number with the
 * next run, so the report goes to the last run of that number that had started by its time.
 */
function runOf(history: Attempt[], attempt: number, at: number): Attempt | undefined {
  let found: Attempt | undefined;
  for (const run of history) {
    if (run.attempt !== attempt) continue;
    if (found === undefined || run.startedAt.getTime() <= at) found = run;
  }
  return found;
}
