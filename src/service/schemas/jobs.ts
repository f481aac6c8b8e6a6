/** Schemas of jobs: what an enqueue takes, a job, its attempts, pages of jobs. */
import { Type, type Static } from 'typebox';
import type { BackoffSpec } from '../../core/backoff.js';
import { JOB_STATES, type JobState as JobStateName } from '../../core/job-state.js';
import { Instant, InstantInput, JobId, Nullable, NullableInstant, QueueName } from './common.js';

export const JobState = Type.Enum([...JOB_STATES] as JobStateName[]);

/** An attempt's error. The stack stays in the store (it names the server's files); `details` holds what a target answered. */
const ErrorInfo = Type.Object({ name: Type.String(), message: Type.String(), code: Type.Optional(Type.String()), details: Type.Optional(Type.Unknown()) });

const Backoff = Type.Unsafe<BackoffSpec>({ type: 'object', additionalProperties: true, description: "{ type: 'exponential' | 'fixed' | 'linear' | 'custom', baseMs?, maxMs?, name? } (docs in README)" });

/** Enqueue options of one job (the engine checks bounds and names the field). */
export const JobOptions = {
  runAt: Type.Optional(InstantInput),
  delayMs: Type.Optional(Type.Integer({ minimum: 0 })),
  key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  dedupe: Type.Optional(Type.Union([Type.Literal('keep'), Type.Literal('reject'), Type.Literal('replace')])),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  backoff: Type.Optional(Backoff),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
  deadline: Type.Optional(InstantInput),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
  dependsOn: Type.Optional(Type.Array(JobId, { maxItems: 1000, description: 'jobs that must end first; the job is held until they do' })),
  onDependencyFailure: Type.Optional(Type.Enum(['cancel', 'run'] as ('cancel' | 'run')[])),
  // Flow control (docs/flow-control.md).
  limiter: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the limiter the job passes through, overriding its queue's" })),
  lane: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  partitionKey: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'jobs of one key in a queue run one at a time, in order' })),
  partitionMode: Type.Optional(Type.Union([Type.Literal('strict'), Type.Literal('lenient')])),
};

export const CreateJobBody = Type.Object({ queue: QueueName, payload: Type.Optional(Type.Unknown()), ...JobOptions }, { additionalProperties: false });
export type CreateJobBody = Static<typeof CreateJobBody>;

export const CreateJobsBody = Type.Object({
  queue: QueueName,
  jobs: Type.Array(Type.Object({ payload: Type.Unknown(), ...JobOptions }, { additionalProperties: false }), { minItems: 1, maxItems: 1000 }),
}, { additionalProperties: false });
export type CreateJobsBody = Static<typeof CreateJobsBody>;

export const EnqueuedJob = Type.Object({
  id: JobId, queue: Type.String(), state: JobState, runAt: Instant, key: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('created'), Type.Literal('kept'), Type.Literal('replaced')], { description: 'created; kept: an existing job holds the key; replaced: its pending job was replaced' }),
});

export const Job = Type.Object({
  id: JobId, queue: Type.String(), state: JobState, payload: Type.Unknown(), priority: Type.Integer(), runAt: Instant, key: Nullable(Type.String()),
  attempt: Type.Integer(), maxAttempts: Type.Integer(), backoff: Nullable(Backoff), timeoutMs: Nullable(Type.Integer()), deadline: NullableInstant,
  tags: Type.Array(Type.String()), workerId: Nullable(Type.String()), leaseUntil: NullableInstant, createdAt: Instant, startedAt: NullableInstant,
  finishedAt: NullableInstant, result: Type.Unknown(), lastError: Nullable(ErrorInfo), scheduleId: Nullable(Type.String()), occurrenceAt: NullableInstant,
  // Flows (dependencies, batches, fallbacks): present once the engine has them.
  fallbackJobId: Type.Optional(Nullable(JobId)),
  fallbackOf: Type.Optional(Nullable(JobId)),
  dependsOn: Type.Optional(Type.Array(JobId)),
  onDependencyFailure: Type.Optional(Nullable(Type.String())),
  waitingFor: Type.Optional(Type.Integer({ minimum: 0 })),
  batchId: Type.Optional(Nullable(JobId)),
  limiter: Type.Optional(Nullable(Type.String())),
  lane: Type.Optional(Nullable(Type.String())),
  partitionKey: Type.Optional(Nullable(Type.String())),
});

export const Attempt = Type.Object({
  attempt: Type.Integer(), workerId: Type.String(), startedAt: Instant, finishedAt: NullableInstant, durationMs: Nullable(Type.Integer()),
  outcome: Type.String({ description: 'completed, failed, retried, skipped, snoozed, … or running for the attempt in progress' }),
  error: Nullable(ErrorInfo), note: Nullable(Type.String()),
});

export const JobDetail = Type.Object({ ...Job.properties, attempts: Type.Array(Attempt) });

export const JobPage = Type.Object({ jobs: Type.Array(Job), nextCursor: Nullable(JobId) });

export const JobListQuery = Type.Object({
  queue: Type.Optional(QueueName),
  state: Type.Optional(JobState),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  keyPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'jobs whose key starts with this (needs queue)' })),
  batchId: Type.Optional(JobId),
  cursor: Type.Optional(JobId),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
}, { additionalProperties: false });

export const IdParams = Type.Object({ id: JobId });

export const CancelByKeyBody = Type.Object({ queue: QueueName, key: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
