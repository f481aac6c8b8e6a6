/** The job operations of the PostgreSQL driver that manage single jobs and leases: cancel, replay, rescue. */
import { KairosError } from '../../core/errors.js';
import type { CancelResult, JobRow, RescuedJob } from '../driver.js';
import { toJobId } from '../ids.js';
import type { Session } from './pg-session.js';
import type { attemptSql } from './queries/attempts.js';
import type { jobWriteSql } from './queries/job-writes.js';
import type { jobSql } from './queries/jobs.js';
import type { flowSql } from './queries/flows.js';
import { endJobs, fallbackFor } from './flow-ops.js';

interface Sql {
  job: ReturnType<typeof jobSql>;
  jobWrite: ReturnType<typeof jobWriteSql>;
  attempt: ReturnType<typeof attemptSql>;
  flow: ReturnType<typeof flowSql>;
}

/** Cancels a pending or running job (locked first); a running one gets a 'cancelled' attempt and its owner is told. */
export async function cancel(s: Session, sql: Sql, p: ({ id: number } | { queue: string; key: string }) & { now?: number }): Promise<CancelResult | null> {
  const [row] = 'id' in p
    ? await s.run<JobRow>(sql.jobWrite.lockById, [p.id])
    : await s.run<JobRow>(sql.jobWrite.lockActiveByKey, [p.queue, p.key]);
  if (row === undefined) return null;
  const base = { id: toJobId(row.id), queue: row.queue, previousState: row.state, owner: row.owner, attempt: row.attempt };
  if (row.state !== 'scheduled' && row.state !== 'running') return { ...base, cancelled: false };
  const [{ finishedAt }] = (await s.run<{ finishedAt: number }>(sql.jobWrite.cancel, [row.id, p.now ?? null])) as [{ finishedAt: number }];
  if (row.state === 'running' && row.owner !== null) {
    await s.run(sql.attempt.insert, [row.id, row.attempt, row.owner, row.startedAt ?? finishedAt, finishedAt, 'cancelled', null, 'cancelled while running']);
    s.notify({ kind: 'job-cancelled', id: base.id, queue: row.queue, owner: row.owner });
  }
  await endJobs(s, sql.flow, [base.id], p.now ?? null);
  return { ...base, cancelled: true };
}

/** Replays a final job: same id, due at `now`; the completed attempt moves from the job row to kairos_attempts first. */
export async function replay(s: Session, sql: Sql, id: number, now: number | null): Promise<JobRow> {
  await s.run(sql.jobWrite.archiveCompletedAttempt, [id]);
  const [replayed] = await s.run<JobRow>(sql.jobWrite.replay, [id, now]);
  if (replayed !== undefined) {
    s.notify({ kind: 'job-available', queue: replayed.queue, runAt: replayed.runAt });
    return { ...replayed, id: toJobId(replayed.id) };
  }
  const [row] = await s.run<JobRow>(sql.job.get, [id]);
  if (row === undefined) throw new KairosError('JOB_NOT_FOUND', `job ${id} not found`, { details: { field: 'id' } });
  throw new KairosError('JOB_STATE_CONFLICT', `job ${id} is ${row.state}; only a completed, failed, cancelled, expired or skipped job can be replayed`, {
    details: { field: 'id', state: row.state },
  });
}

/** Requeues or fails running jobs whose lease ended; requeued ones are announced per queue. */
export async function rescue(s: Session, sql: Sql, now: number | null, limit: number): Promise<RescuedJob[]> {
  const rows = await s.run<RescuedJob & { runAt: number }>(sql.jobWrite.rescueExpired, [now, limit]);
  // Rescues that failed a job finally: its fallback and what its end sets off, in the same transaction.
  const failed = rows.filter((r) => r.state === 'failed').map((r) => toJobId(r.id));
  if (failed.length > 0) {
    await fallbackFor(s, sql.flow, failed, now);
    await endJobs(s, sql.flow, failed, now);
  }
  const earliest = new Map<string, number>();
  for (const r of rows) {
    if (r.state === 'scheduled' && !(r.runAt >= (earliest.get(r.queue) ?? Infinity))) earliest.set(r.queue, r.runAt);
  }
  for (const [queue, runAt] of earliest) s.notify({ kind: 'job-available', queue, runAt });
  return rows.map((r) => ({ id: toJobId(r.id), queue: r.queue, attempt: r.attempt, owner: r.owner, state: r.state }));
}
