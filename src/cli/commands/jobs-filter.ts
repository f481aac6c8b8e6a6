/** The job filter flags shared by `kairos jobs ls` and the bulk commands, and their translation to a JobFilterInput. */
import { InvalidArgumentError, type Command } from 'commander';
import { JOB_STATES, type JobState } from '../../core/job-state.js';
import type { JobFilterInput } from '../../engine/job-filter-input.js';
import { parseInteger } from '../options.js';

export interface FilterFlags {
  queue?: string;
  state?: JobState[];
  tag?: string;
  keyPrefix?: string;
  batch?: number;
  createdFrom?: string;
  createdTo?: string;
  runAtFrom?: string;
  runAtTo?: string;
  finishedFrom?: string;
  finishedTo?: string;
}

/** `--state failed,cancelled` (or repeated): states, each checked. */
function parseStates(value: string, previous: JobState[] | undefined): JobState[] {
  const states = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const s of states) {
    if (!JOB_STATES.includes(s as JobState)) throw new InvalidArgumentError(`"${s}" is not a state (${JOB_STATES.join(', ')}).`);
  }
  return [...(previous ?? []), ...(states as JobState[])];
}

/** Adds the filter flags to a command. */
export function withFilterFlags(command: Command): Command {
  return command
    .option('--queue <queue>', 'only jobs of this queue')
    .option('--state <states>', `only jobs in these states, comma-separated or repeated (${JOB_STATES.join(', ')})`, parseStates)
    .option('--tag <tag>', 'only jobs with this tag')
    .option('--key-prefix <prefix>', 'only jobs whose key starts with this (needs --queue)')
    .option('--batch <id>', 'only the jobs of this batch', parseInteger)
    .option('--created-from <time>', 'created at or after this instant (ISO 8601 with Z or an offset, or epoch ms)')
    .option('--created-to <time>', 'created before this instant')
    .option('--run-at-from <time>', 'due at or after this instant')
    .option('--run-at-to <time>', 'due before this instant')
    .option('--finished-from <time>', 'finished at or after this instant')
    .option('--finished-to <time>', 'finished before this instant');
}

/** An instant flag as the library takes it: digits are epoch ms, anything else an ISO string. */
function instant(value: string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function range(from: string | undefined, to: string | undefined): { from?: string | number; to?: string | number } | undefined {
  if (from === undefined && to === undefined) return undefined;
  return { ...(from !== undefined ? { from: instant(from) } : {}), ...(to !== undefined ? { to: instant(to) } : {}) };
}

/** The flags as a filter; fields left out are absent. */
export function toFilterInput(f: FilterFlags): JobFilterInput {
  const out: JobFilterInput = {};
  if (f.queue !== undefined) out.queue = f.queue;
  if (f.state !== undefined) out.state = f.state.length === 1 ? f.state[0]! : f.state;
  if (f.tag !== undefined) out.tag = f.tag;
  if (f.keyPrefix !== undefined) out.keyPrefix = f.keyPrefix;
  if (f.batch !== undefined) out.batchId = f.batch;
  const created = range(f.createdFrom, f.createdTo);
  const runAt = range(f.runAtFrom, f.runAtTo);
  const finished = range(f.finishedFrom, f.finishedTo);
  if (created !== undefined) out.createdAt = created;
  if (runAt !== undefined) out.runAt = runAt;
  if (finished !== undefined) out.finishedAt = finished;
  return out;
}
