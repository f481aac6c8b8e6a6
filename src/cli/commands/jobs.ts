/** `kairos jobs …`: the group of job commands (ls, show, cancel, retry). */
import type { Command } from 'commander';
import type { Output } from '../output.js';
import { registerJobsCancel, registerJobsReplay } from './jobs-change.js';
import { registerJobsList } from './jobs-list.js';
import { registerJobsShow } from './jobs-show.js';

export function registerJobs(program: Command, out: Output): void {
  const jobs = program.command('jobs').description('list, inspect, cancel and retry jobs');
  registerJobsList(jobs, out);
  registerJobsShow(jobs, out);
  registerJobsCancel(jobs, out);
  registerJobsReplay(jobs, out);
}
