/** The steps of the model-based run: each acts on the driver and on the model, and checks the driver's answer. */
import type { DedupePolicy, NewJob } from '../../core/job-options.js';
import { isFinalState, type AttemptOutcome, type JobState, type TransitionEvent } from '../../core/job-state.js';
import type { Driver, FinishItem, JobRow } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0 } from './context.js';
import { codeOf, fail, KEY_HOLDING, live, MISSING_ID, move, pickFrom, release, rowDiff, show, type ModelJob, type World } from './model-world.js';

// ---- enqueue ----------------------------------------------------------------------------------------------------

export interface EnqueueItem { queue: string; key: string | null; dedupe: DedupePolicy; delayMs: number; priority: number; maxAttempts: number; deadlineMs: number | null }

/** Applies the dedupe rules to a copy of the jobs; 'reject' when the whole call must fail with DUPLICATE_KEY. */
export function planInsert(w: World, jobs: readonly NewJob[]) {
  const draft = structuredClone(w.jobs);
  const expected: { id: number; state: JobState; runAt: number; outcome: 'created' | 'kept' | 'replaced' }[] = [];
  for (const [i, job] of jobs.entries()) {
    const holder = job.key === null ? undefined
      : [...draft.values()].find((j) => !j.pruned && j.queue === job.queue && j.key === job.key && KEY_HOLDING.includes(j.state));
    if (holder === undefined) {
      const id = -1 - i; // a placeholder until the store names the id
      draft.set(id, {
        id, queue: job.queue, key: job.key, payload: job.payload, state: 'scheduled', priority: job.priority, runAt: job.runAt, attempt: 0,
        maxAttempts: job.maxAttempts, deadline: job.deadline, owner: null, workerId: null, leaseUntil: null, startedAt: null, finishedAt: null,
        result: null, attempts: [], pruned: false, seen: 'scheduled', events: [],
      });
      expected.push({ id, state: 'scheduled', runAt: job.runAt, outcome: 'created' });
    } else if (job.dedupe === 'reject') {
      return 'reject' as const;
    } else if (job.dedupe === 'replace' && holder.state === 'scheduled' && holder.attempt === 0) {
      Object.assign(holder, { payload: job.payload, priority: job.priority, runAt: job.runAt, maxAttempts: job.maxAttempts, deadline: job.deadline });
      move(holder, 'replace');
      expected.push({ id: holder.id, state: 'scheduled', runAt: job.runAt, outcome: 'replaced' });
    } else {
      expected.push({ id: holder.id, state: holder.state, runAt: holder.runAt, outcome: 'kept' });
    }
  }
  return { draft, expected };
}

export async function enqueue(w: World, d: Driver, items: readonly EnqueueItem[]): Promise<void> {
  const jobs = items.map((it) => newJob({
    queue: it.queue, payload: `{"n":${++w.serial}}`, runAt: w.now + it.delayMs, key: it.key, dedupe: it.dedupe, priority: it.priority,
    maxAttempts: it.maxAttempts, deadline: it.deadlineMs === null ? null : w.now + it.delayMs + it.deadlineMs,
  }));
  w.trace.push(`t${w.now - T0} jobInsertMany ${jobs.map((j) => `${j.queue}${j.key === null ? '' : `/${j.key}:${j.dedupe}`} runAt t${j.runAt - T0} p${j.priority} max${j.maxAttempts}${j.deadline === null ? '' : ` deadline t${j.deadline - T0}`}`).join(', ')}`);
  const plan = planInsert(w, jobs);
  let got;
  try {
    got = await d.jobInsertMany({ jobs, now: w.now });
  } catch (e) {
    if (plan !== 'reject' || codeOf(e) !== 'DUPLICATE_KEY') {
      fail(w, `jobInsertMany threw ${codeOf(e)}: ${(e as Error).message}; the model expected ${plan === 'reject' ? 'DUPLICATE_KEY' : 'success'}`);
    }
    w.trace.push('  → DUPLICATE_KEY, nothing stored');
    return;
  }
  w.trace.push(`  → ${got.map((r) => `#${r.id} ${r.outcome}`).join(', ')}`);
  if (plan === 'reject') fail(w, 'jobInsertMany succeeded; a key was held and its item said dedupe "reject", so the model expected DUPLICATE_KEY');
  const ids = new Map<number, number>();
  plan.expected.forEach((e, i) => {
    const id = got[i]?.id;
    if (e.outcome === 'created' && id !== undefined) {
      // An id is never given twice, not even after its job was pruned: a caller holding it, or a schedule's
      // last job, would otherwise name another job.
      if (w.jobs.has(id) || [...ids.values()].includes(id)) {
        fail(w, `jobInsertMany item ${i} created a job with id ${id}, an id the store already gave another job`);
      }
      ids.set(e.id, id);
    }
  });
  const expected = plan.expected.map((e) => ({ ...e, id: ids.get(e.id) ?? e.id }));
  if (show(got) !== show(expected)) fail(w, `jobInsertMany answered ${show(got)}; the model expected ${show(expected)}`);
  w.jobs = new Map([...plan.draft.values()].map((j) => [ids.get(j.id) ?? j.id, { ...j, id: ids.get(j.id) ?? j.id }]));
}

// ---- claim ------------------------------------------------------------------------------------------------------

export async function claim(w: World, d: Driver, p: { queue: string; limit: number; owner: string; leaseMs: number }): Promise<void> {
  w.trace.push(`t${w.now - T0} jobClaim ${p.queue} limit ${p.limit} by ${p.owner} lease ${p.leaseMs}`);
  const due = live(w)
    .filter((j) => j.state === 'scheduled' && j.queue === p.queue && j.runAt <= w.now)
    .sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id)
    .slice(0, p.limit);
  const got = await d.jobClaim({ ...p, now: w.now });
  w.trace.push(`  → ${got.map((c) => `#${c.id} ${c.state}`).join(', ') || 'nothing'}`);
  const expected = due.map((j) => {
    const expired = j.deadline !== null && j.deadline < w.now;
    return { id: j.id, queue: j.queue, state: expired ? 'expired' : 'running', payload: j.payload, priority: j.priority, runAt: j.runAt, key: j.key,
      attempt: expired ? j.attempt : j.attempt + 1, maxAttempts: j.maxAttempts, deadline: j.deadline, startedAt: w.now };
  });
  const seen = got.map((c) => ({ id: c.id, queue: c.queue, state: c.state, payload: c.payload, priority: c.priority, runAt: c.runAt, key: c.key,
    attempt: c.attempt, maxAttempts: c.maxAttempts, deadline: c.deadline, startedAt: c.startedAt }));
  if (show(seen) !== show(expected)) fail(w, `jobClaim answered\n  ${show(seen)}\nthe model expected the due jobs in (priority, runAt, id) order\n  ${show(expected)}`);
  for (const j of due) {
    if (j.deadline !== null && j.deadline < w.now) {
      move(j, 'deadline-passed');
      j.finishedAt = w.now;
    } else {
      move(j, 'claim');
      Object.assign(j, { attempt: j.attempt + 1, owner: p.owner, workerId: p.owner, leaseUntil: w.now + p.leaseMs, startedAt: w.now });
    }
  }
}

// ---- finish -----------------------------------------------------------------------------------------------------

export type FinishKind = 'complete' | 'skip' | 'fail' | 'timeout' | 'unrecoverable' | 'snooze' | 'hand-back';
export interface FinishChoice { pick: number; anyJob: boolean; kind: FinishKind; stale: 'none' | 'owner' | 'attempt'; delayMs: number }

export const OUTCOME: Record<FinishKind, AttemptOutcome> = {
  complete: 'completed', skip: 'skipped', fail: 'failed', timeout: 'timeout', unrecoverable: 'unrecoverable', snooze: 'snoozed', 'hand-back': 'handed-back',
};

/** The item an engine would send for `kind`, and the event it means when the fence holds. */
export function finishItem(w: World, job: ModelJob, c: FinishChoice, owner: string, attempt: number): { item: FinishItem; event: TransitionEvent } {
  const base = { id: job.id, owner, attempt, startedAt: job.startedAt ?? w.now, outcome: OUTCOME[c.kind] };
  const later = w.now + c.delayMs;
  switch (c.kind) {
    case 'complete': return { item: { ...base, state: 'completed', countsAttempt: true, result: `{"by":"${owner}"}` }, event: 'complete' };
    case 'skip': return { item: { ...base, state: 'skipped', countsAttempt: true, note: 'skipped' }, event: 'skip' };
    case 'snooze':
    case 'hand-back': return { item: { ...base, state: 'scheduled', runAt: later, countsAttempt: false }, event: c.kind };
    default: {
      const retry = c.kind !== 'unrecoverable' && attempt < job.maxAttempts;
      const error = '{"name":"Error","message":"boom"}';
      return retry
        ? { item: { ...base, state: 'scheduled', runAt: later, countsAttempt: true, error }, event: 'fail-retry' }
        : { item: { ...base, state: 'failed', countsAttempt: true, error }, event: 'fail-final' };
    }
  }
}

export function applyFinish(w: World, job: ModelJob, item: FinishItem, event: TransitionEvent): void {
  job.attempts.push({ attempt: item.attempt, workerId: item.owner, startedAt: item.startedAt, finishedAt: w.now, outcome: item.outcome });
  move(job, event);
  release(job);
  if (item.state === 'scheduled') {
    job.runAt = item.runAt ?? w.now;
    if (!item.countsAttempt) job.attempt -= 1;
  } else {
    job.finishedAt = w.now;
    job.result = item.result ?? null;
  }
}

export async function finish(w: World, d: Driver, choices: readonly FinishChoice[]): Promise<void> {
  const running = live(w).filter((j) => j.state === 'running');
  const planned: { job: ModelJob; item: FinishItem; event: TransitionEvent; holds: boolean }[] = [];
  for (const c of choices) {
    const job = pickFrom(c.anyJob || running.length === 0 ? [...w.jobs.values()] : running, c.pick);
    if (job === undefined) continue;
    const owner = job.owner ?? job.workerId ?? 'w1';
    // The engine sends at most one live item per job in a batch (two would have no defined order): later ones go stale.
    const dup = planned.some((p) => p.job === job && p.holds);
    const stale = dup ? 'owner' : c.stale;
    const item = finishItem(w, job, c, stale === 'owner' ? (owner === 'w1' ? 'w2' : 'w1') : owner, job.attempt + (stale === 'attempt' ? 1 : 0));
    const holds = !job.pruned && job.state === 'running' && item.item.owner === job.owner && item.item.attempt === job.attempt;
    planned.push({ job, ...item, holds });
  }
  w.trace.push(`t${w.now - T0} jobFinishMany ${planned.map((p) => `#${p.job.id} ${p.item.outcome}→${p.item.state}${p.item.runAt === undefined ? '' : ` t${p.item.runAt - T0}`} as ${p.item.owner}/a${p.item.attempt}${p.holds ? '' : ' (stale)'}`).join(', ') || '(no jobs yet)'}`);
  if (planned.length === 0) return;
  const got = await d.jobFinishMany({ items: planned.map((p) => p.item), now: w.now });
  const expected = planned.map((p) => p.holds);
  if (show(got) !== show(expected)) fail(w, `jobFinishMany answered ${show(got)}; the fence (state running, owner, attempt) gives ${show(expected)}`);
  for (const p of planned) if (p.holds) applyFinish(w, p.job, p.item, p.event);
}

// ---- cancel, replay ---------------------------------------------------------------------------------------------

export async function cancel(w: World, d: Driver, c: { byKey: boolean; pick: number; missing: boolean; queue: string; key: string }): Promise<void> {
  let job: ModelJob | undefined;
  let answer;
  if (c.byKey) {
    w.trace.push(`t${w.now - T0} jobCancel key ${c.queue}/${c.key}`);
    job = live(w).find((j) => j.queue === c.queue && j.key === c.key && (j.state === 'scheduled' || j.state === 'running'));
    answer = await d.jobCancel({ queue: c.queue, key: c.key, now: w.now });
  } else {
    const target = c.missing ? undefined : pickFrom([...w.jobs.values()], c.pick);
    const id = target?.id ?? MISSING_ID;
    w.trace.push(`t${w.now - T0} jobCancel #${id}`);
    job = target?.pruned === true ? undefined : target;
    answer = await d.jobCancel({ id, now: w.now });
  }
  const active = job !== undefined && (job.state === 'scheduled' || job.state === 'running');
  const expected = job === undefined ? null
    : { id: job.id, queue: job.queue, previousState: job.state, cancelled: active, owner: job.owner, attempt: job.attempt };
  w.trace.push(`  → ${show(answer)}`);
  if (show(answer) !== show(expected)) fail(w, `jobCancel answered ${show(answer)}; the model expected ${show(expected)}`);
  if (job === undefined || !active) return;
  if (job.state === 'running') {
    job.attempts.push({ attempt: job.attempt, workerId: job.owner!, startedAt: job.startedAt!, finishedAt: w.now, outcome: 'cancelled' });
  }
  move(job, 'cancel');
  release(job);
  job.finishedAt = w.now;
}

/** The error code a replay must fail with, or null when it must succeed. */
export function replayRefusal(w: World, job: ModelJob | undefined): string | null {
  if (job === undefined || job.pruned) return 'JOB_NOT_FOUND';
  if (!isFinalState(job.state)) return 'JOB_STATE_CONFLICT';
  // Back to scheduled, a failed, cancelled, expired or skipped job takes its key again: not while another job holds it.
  const holder = job.key === null || job.state === 'completed' ? undefined
    : live(w).find((j) => j !== job && j.queue === job.queue && j.key === job.key && KEY_HOLDING.includes(j.state));
  return holder === undefined ? null : 'DUPLICATE_KEY';
}

export async function replay(w: World, d: Driver, c: { pick: number; missing: boolean }): Promise<void> {
  const job = c.missing ? undefined : pickFrom([...w.jobs.values()], c.pick);
  const id = job?.id ?? MISSING_ID;
  const refusal = replayRefusal(w, job);
  w.trace.push(`t${w.now - T0} jobReplay #${id}${job === undefined ? '' : ` (${job.pruned ? 'pruned' : job.state})`}`);
  let row: JobRow;
  try {
    row = await d.jobReplay({ id, now: w.now });
  } catch (e) {
    w.trace.push(`  → ${codeOf(e)}`);
    if (codeOf(e) !== refusal) fail(w, `jobReplay threw ${codeOf(e)}: ${(e as Error).message}; the model expected ${refusal ?? 'success'}`);
    return;
  }
  w.trace.push(`  → ${row.state}`);
  if (refusal !== null || job === undefined) return fail(w, `jobReplay succeeded; the model expected ${refusal}`);
  if (job.state === 'expired') job.deadline = null;
  move(job, 'replay');
  Object.assign(job, { runAt: w.now, finishedAt: null, result: null, maxAttempts: Math.max(job.maxAttempts, job.attempt + 1) });
  const diff = rowDiff(job, row);
  if (diff !== '') fail(w, `jobReplay returned a row that differs from the model: ${diff}`);
}

// ---- rescue, prune, clock ---------------------------------------------------------------------------------------

/** Checks that `taken` (what the store chose of `eligible` under `limit`) is the right count, oldest first (ties free). */
export function checkOldestFirst(w: World, what: string, eligible: readonly ModelJob[], taken: readonly ModelJob[], limit: number, time: (j: ModelJob) => number): void {
  if (taken.length !== Math.min(limit, eligible.length)) fail(w, `${what} took ${taken.length} of ${eligible.length} eligible jobs with limit ${limit}`);
  const newest = Math.max(...taken.map(time));
  const skipped = eligible.filter((j) => !taken.includes(j) && time(j) < newest);
  if (skipped.length > 0) fail(w, `${what} took a job at ${newest - T0} but left older eligible ones: ${skipped.map((j) => `#${j.id}`).join(', ')}`);
}

export async function rescue(w: World, d: Driver, c: { jump: boolean; limit: number }): Promise<void> {
  const leases = live(w).flatMap((j) => (j.leaseUntil === null ? [] : [j.leaseUntil]));
  if (c.jump && leases.length > 0) w.now = Math.max(w.now, Math.max(...leases) + 1);
  w.trace.push(`t${w.now - T0} jobRescueExpired limit ${c.limit}`);
  const eligible = live(w).filter((j) => j.state === 'running' && j.leaseUntil! < w.now);
  const got = await d.jobRescueExpired({ now: w.now, limit: c.limit });
  w.trace.push(`  → ${got.map((r) => `#${r.id} ${r.state}`).join(', ') || 'nothing'}`);
  const taken = got.map((r) => {
    const job = eligible.find((j) => j.id === r.id);
    const expected = job && { id: job.id, queue: job.queue, attempt: job.attempt, owner: job.owner, state: job.attempt >= job.maxAttempts ? 'failed' : 'scheduled' };
    if (job === undefined || show(r) !== show(expected)) fail(w, `jobRescueExpired answered ${show(r)}; the model expected ${show(expected ?? 'no such lease-expired running job')}`);
    return job;
  });
  checkOldestFirst(w, 'jobRescueExpired', eligible, taken, c.limit, (j) => j.leaseUntil!);
  for (const job of taken) {
    job.attempts.push({ attempt: job.attempt, workerId: job.owner!, startedAt: job.startedAt!, finishedAt: w.now, outcome: 'lease-expired' });
    release(job);
    if (job.attempt >= job.maxAttempts) {
      move(job, 'lease-expired-final');
      job.finishedAt = w.now;
    } else {
      move(job, 'lease-expired-retry');
      job.runAt = w.now;
    }
  }
}

export async function prune(w: World, d: Driver, c: { finishedAgo: number; failedAgo: number; limit: number }): Promise<void> {
  const finishedBefore = w.now - c.finishedAgo;
  const failedBefore = w.now - c.failedAgo;
  w.trace.push(`t${w.now - T0} jobPrune finishedBefore t${finishedBefore - T0} failedBefore t${failedBefore - T0} limit ${c.limit}`);
  const eligible = live(w).filter((j) => j.finishedAt !== null && j.finishedAt < (j.state === 'failed' ? failedBefore : finishedBefore));
  const count = await d.jobPrune({ finishedBefore, failedBefore, limit: c.limit });
  const gone: ModelJob[] = [];
  for (const j of eligible) if ((await d.jobGet({ id: j.id })) === null) gone.push(j);
  w.trace.push(`  → ${count}: ${gone.map((j) => `#${j.id}`).join(', ')}`);
  if (count !== gone.length) fail(w, `jobPrune answered ${count} but ${gone.length} eligible jobs are gone`);
  checkOldestFirst(w, 'jobPrune', eligible, gone, c.limit, (j) => j.finishedAt!);
  for (const j of gone) j.pruned = true;
}
