/** `kairos jobs show <id>`: one job with its attempt history (outcome, worker, start, duration, error). */
import type { Command } from 'commander';
import { KairosError } from '../../core/errors.js';
import type { JobDetail } from '../../core/job.js';
import { clip, formatDuration, formatTable, iso, type Output } from '../output.js';
import { parseJobId, withKairos, withStoreAndJson, type CommonOptions } from '../options.js';

export function registerJobsShow(jobs: Command, out: Output): void {
  withStoreAndJson(jobs.command('show'))
    .description('show a job and its attempts')
    .argument('<id>', 'job id', parseJobId)
    .action(async (id: number, flags: CommonOptions) => {
      const job = await withKairos(flags.store, (kairos) => kairos.jobs.get(id));
      if (job === null) throw new KairosError('JOB_NOT_FOUND', `job ${id} not found`, { details: { field: 'id' } });
      if (flags.json === true) return out.json(job);
      out.line(describeJob(job));
    });
}

/** The job as labelled lines, then its attempts as a table. */
export function describeJob(job: JobDetail): string {
  const fields: [string, string][] = [
    ['id', String(job.id)],
    ['queue', job.queue],
    ['state', job.state],
    ['run at', iso(job.runAt)],
    ['attempt', `${job.attempt}/${job.maxAttempts}`],
    ['key', job.key ?? '-'],
    ['priority', String(job.priority)],
    ['tags', job.tags.length === 0 ? '-' : job.tags.join(', ')],
    ['timeout', job.timeoutMs === null ? '-' : `${job.timeoutMs} ms`],
    ['deadline', iso(job.deadline)],
    ['created', iso(job.createdAt)],
    ['started', iso(job.startedAt)],
    ['finished', iso(job.finishedAt)],
    ['worker', job.workerId ?? '-'],
    ['lease until', iso(job.leaseUntil)],
    ['payload', clip(JSON.stringify(job.payload), 200)],
    ['result', job.result === null || job.result === undefined ? '-' : clip(JSON.stringify(job.result), 200)],
    ['last error', job.lastError === null ? '-' : clip(`${job.lastError.name}: ${job.lastError.message}`, 200)],
    ['progress', job.progress === null || job.progress === undefined ? '-' : clip(JSON.stringify(job.progress), 200)],
  ];
  const width = Math.max(...fields.map(([label]) => label.length));
  const head = fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
  if (job.attempts.length === 0) return `${head}\n\nattempts: none yet`;
  const rows = job.attempts.map((a) => [
    String(a.attempt),
    a.outcome,
    a.workerId,
    iso(a.startedAt),
    formatDuration(a.durationMs),
    a.error !== null ? clip(`${a.error.name}: ${a.error.message}`) : (a.note ?? ''),
  ]);
  const table = `${head}\n\nattempts:\n${formatTable(['#', 'OUTCOME', 'WORKER', 'STARTED', 'DURATION', 'ERROR / NOTE'], rows)}`;
  const logs = job.attempts.flatMap((a) => a.logs.map((l) => `${String(a.attempt).padStart(3)}  ${iso(l.at)}  ${l.line}`));
  return logs.length === 0 ? table : `${table}\n\nlogs (attempt, time, line):\n${logs.join('\n')}`;
}
