/** `kairos enqueue <queue> [payloadJson]`: stores one job. The payload comes from the argument, or stdin for `-`. */
import { Option, type Command } from 'commander';
import { KairosError } from '../../core/errors.js';
import type { DedupePolicy } from '../../core/job-options.js';
import type { EnqueueCallOptions } from '../../engine/kairos.js';
import type { Output } from '../output.js';
import { collect, parseInteger, withInstance, withStoreOrServer, type RemoteOptions as CommonOptions } from '../options.js';

interface EnqueueFlags extends CommonOptions {
  runAt?: string;
  delayMs?: number;
  key?: string;
  dedupe?: DedupePolicy;
  priority?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  deadline?: string;
  tag?: string[];
  limiter?: string;
  lane?: string;
  partitionKey?: string;
}

export function registerEnqueue(program: Command, out: Output, readStdin: () => Promise<string>): void {
  withStoreOrServer(program.command('enqueue'))
    .description('store one job; prints its id')
    .argument('<queue>', 'queue name (1–128 characters of A-Z a-z 0-9 _ . : -)')
    .argument('[payload]', 'the payload as JSON, or - to read it from stdin (default {})')
    .option('--run-at <iso>', 'when the job becomes due (ISO-8601); default now')
    .option('--delay-ms <n>', 'due this many milliseconds from now', parseInteger)
    .option('--key <key>', 'de-duplication key, unique per queue among pending, running and completed jobs')
    .addOption(new Option('--dedupe <policy>', 'what an enqueue with a key already held does (default keep)').choices(['keep', 'reject', 'replace']))
    .option('--priority <n>', 'lower runs first, -1000…1000 (default 0)', parseInteger)
    .option('--max-attempts <n>', 'attempts before the job fails for good (default 5)', parseInteger)
    .option('--timeout-ms <n>', 'per-attempt time limit in milliseconds', parseInteger)
    .option('--deadline <iso>', 'latest instant the job may start; after it the job expires')
    .option('--tag <tag>', 'a label; repeat for more', collect)
    .option('--limiter <id>', 'the limiter the job passes through (default: its queue\'s)')
    .option('--lane <lane>', 'the job\'s lane in its limiter')
    .option('--partition-key <key>', 'jobs with the same key in a queue run one at a time, in order')
    .action(async (queue: string, payloadArg: string | undefined, flags: EnqueueFlags) => {
      const payload = parsePayload(payloadArg === '-' ? await readStdin() : payloadArg, payloadArg === '-' ? 'stdin' : 'argument');
      const job = await withInstance(flags, (kairos) => kairos.enqueue(queue, payload, toOptions(flags)));
      if (flags.json === true) return out.json(job);
      const verb = { created: 'enqueued', kept: 'kept existing', replaced: 'replaced' }[job.outcome];
      const key = job.key === null ? '' : ` key ${JSON.stringify(job.key)}`;
      out.line(`${verb} job ${job.id} on ${job.queue}${key}: ${job.state}, runs at ${job.runAt.toISOString()}`);
    });
}

/** The payload as a value; `{}` when none was given. Bad JSON is PAYLOAD_INVALID, naming the payload. */
export function parsePayload(text: string | undefined, source: 'argument' | 'stdin'): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const shown = text.length > 80 ? `${text.slice(0, 79)}…` : text;
    throw new KairosError('PAYLOAD_INVALID', `payload: the ${source} is not valid JSON (${(cause as Error).message}): ${JSON.stringify(shown)}`, {
      details: { field: 'payload' },
      cause,
    });
  }
}

/** Only the flags given become options, so the engine's defaults and its "runAt or delayMs" check apply. */
function toOptions(flags: EnqueueFlags): EnqueueCallOptions {
  const options: EnqueueCallOptions = {};
  if (flags.runAt !== undefined) options.runAt = flags.runAt;
  if (flags.delayMs !== undefined) options.delayMs = flags.delayMs;
  if (flags.key !== undefined) options.key = flags.key;
  if (flags.dedupe !== undefined) options.dedupe = flags.dedupe;
  if (flags.priority !== undefined) options.priority = flags.priority;
  if (flags.maxAttempts !== undefined) options.maxAttempts = flags.maxAttempts;
  if (flags.timeoutMs !== undefined) options.timeoutMs = flags.timeoutMs;
  if (flags.deadline !== undefined) options.deadline = flags.deadline;
  if (flags.tag !== undefined) options.tags = flags.tag;
  if (flags.limiter !== undefined) options.limiter = flags.limiter;
  if (flags.lane !== undefined) options.lane = flags.lane;
  if (flags.partitionKey !== undefined) options.partitionKey = flags.partitionKey;
  return options;
}
