/** `kairos jobs …`: the group of job commands (ls, show, cancel, replay, bulk actions by filter, wait). */
import type { Command } from 'commander';
import type { Output } from '../output.js';
import { registerJobsBulk } from './jobs-bulk.js';
import { registerJobsCancel, registerJobsReplay } from './jobs-change.js';
import { registerJobsList } from './jobs-list.js';
import { registerJobsShow } from './jobs-show.js';

export function registerJobs(program: Command, out: Output): void {
  const jobs = program.command('jobs').description('list, inspect, cancel and replay jobs, one or many by filter');
  registerJobsList(jobs, out);
  registerJobsShow(jobs, out);
  registerJobsCancel(jobs, out);
  registerJobsReplay(jobs, out);
  registerJobsBulk(jobs, out);
}
