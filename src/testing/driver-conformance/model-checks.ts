/** The look after every step of the model-based run: every job read back and checked. */
import { isFinalState, nextState, transitionsBetween, type JobState } from '../../core/job-state.js';
import type { AttemptRow, Driver, JobRow } from '../../driver/driver.js';
import { fail, live, rowDiff, show, type ModelJob, type World } from './model-world.js';

/** Check (1): the change since the last look is one the table allows, and the one the model made. */
export function checkMove(w: World, job: ModelJob, to: JobState): void {
  const from = job.seen;
  if (job.events.length > 1 || (from === to && job.events.length === 0)) return; // several events: move() checked each
  const allowed = transitionsBetween(from, to);
  const event = job.events[0];
  if (from !== to && allowed.length === 0) fail(w, `job #${job.id} went ${from} → ${to}, a change no transition in TRANSITIONS allows`);
  if (event === undefined) fail(w, `job #${job.id} went ${from} → ${to} (${allowed.join(' or ')}), but the step should not have moved it`);
  if (!allowed.includes(event)) fail(w, `job #${job.id}: the step was ${event} (${from} → ${nextState(from, event)}), but the store shows ${from} → ${to}`);
}

/** Check (3): what must hold of any row, whatever the model says. */
export function checkInvariants(w: World, row: JobRow, attempts: readonly AttemptRow[]): void {
  const at = `job #${row.id} (${row.state})`;
  const running = row.state === 'running';
  if (running !== (row.owner !== null && row.leaseUntil !== null)) fail(w, `${at}: owner ${row.owner} and lease ${row.leaseUntil}; only a running job has both`);
  if (isFinalState(row.state) !== (row.finishedAt !== null)) fail(w, `${at}: finishedAt ${row.finishedAt}; exactly the final states carry one`);
  if (row.attempt > row.maxAttempts || (row.state === 'scheduled' && row.attempt >= row.maxAttempts) || (running && row.attempt < 1)) {
    fail(w, `${at}: attempt ${row.attempt} of maxAttempts ${row.maxAttempts}`);
  }
  const counted = attempts.filter((a) => a.outcome !== 'snoozed' && a.outcome !== 'handed-back').length;
  if (row.attempt !== counted + (running ? 1 : 0)) {
    fail(w, `${at}: attempt ${row.attempt}, but attemptListByJob holds ${counted} counted attempts${running ? ' plus the running one' : ''}`);
  }
  const last = attempts[attempts.length - 1];
  if (row.state === 'completed' && (last?.outcome !== 'completed' || last.attempt !== row.attempt || last.finishedAt !== row.finishedAt)) {
    fail(w, `${at}: attemptListByJob does not end with the completing attempt: ${show(last)}`);
  }
  if (attempts.some((a) => a.jobId !== row.id)) fail(w, `${at}: attemptListByJob holds attempts of another job`);
}

export async function look(w: World, d: Driver): Promise<void> {
  for (const job of w.jobs.values()) {
    const row = await d.jobGet({ id: job.id });
    const attempts = await d.attemptListByJob({ jobId: job.id });
    if (job.pruned) {
      if (row !== null || attempts.length > 0) fail(w, `job #${job.id} was pruned, but jobGet gives ${show(row?.state)} and ${attempts.length} attempts`);
      continue;
    }
    if (row === null) return fail(w, `job #${job.id} is gone; the model has it ${job.state}`);
    checkMove(w, job, row.state);
    checkInvariants(w, row, attempts);
    const diff = rowDiff(job, row);
    if (diff !== '') fail(w, `job #${job.id} differs from the model: ${diff}`);
    const history = attempts.map(({ attempt, workerId, startedAt, finishedAt, outcome }) => ({ attempt, workerId, startedAt, finishedAt, outcome }));
    if (show(history) !== show(job.attempts)) fail(w, `attemptListByJob(#${job.id}) gives\n  ${show(history)}\nthe model expected\n  ${show(job.attempts)}`);
    job.seen = row.state;
    job.events = [];
  }
  const counts = (await d.jobCounts()).map((c) => `${c.queue}/${c.state}=${c.count}`).sort();
  const tally = new Map<string, number>();
  for (const j of live(w)) tally.set(`${j.queue}/${j.state}`, (tally.get(`${j.queue}/${j.state}`) ?? 0) + 1);
  const expected = [...tally].map(([k, n]) => `${k}=${n}`).sort();
  if (show(counts) !== show(expected)) fail(w, `jobCounts gives ${counts.join(' ')}; the model has ${expected.join(' ')} (a job the model does not know?)`);
}
