/** Schemas of stored queues: settings (with the delivery target and the fallback queue) and a queue with its counts. */
import { Type } from 'typebox';
import { JOB_STATES } from '../../core/job-state.js';
import { Instant, Nullable, NullableInstant, QueueName } from './common.js';

const NullableCount = (max: number, description: string) => Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: max, description })));
const NullableName = (description: string) => Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description })));
const JsonObject = (description: string) => Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description });

/** A queue update: a field left out keeps its value, null clears it. */
export const QueueSettingsBody = Type.Object({
  capacity: NullableCount(10_000_000, 'most jobs pending or running; an enqueue beyond it fails (QUEUE_FULL)'),
  concurrency: NullableCount(10_000, 'jobs of the queue this server delivers at once'),
  limiter: NullableName('the limiter every job passes through'),
  lane: NullableName('the lane of the limiter'),
  target: Type.Optional(Nullable(JsonObject('where the server delivers the queue\'s jobs: { type: "http", url, … }, { type: "nats", … } or { type: "amqp", … } (docs/webhooks.md)'))),
  fallback: NullableName('the queue that gets one job when a job of this one fails finally'),
  jobOptions: Type.Optional(Nullable(JsonObject('defaults for the queue\'s jobs'))),
  expectedVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'write only if the queue is still at this version (0: only if it has no settings yet)' })),
}, { additionalProperties: false });

export const QueueInfo = Type.Object({
  name: Type.String(), stored: Type.Boolean(), paused: Type.Boolean(), capacity: Nullable(Type.Integer()), concurrency: Nullable(Type.Integer()),
  limiter: Nullable(Type.String()), lane: Nullable(Type.String()), target: Nullable(JsonObject('the delivery target')), fallback: Nullable(Type.String()),
  jobOptions: Nullable(JsonObject('job defaults')), version: Type.Integer(), createdAt: NullableInstant, updatedAt: NullableInstant,
  counts: Type.Object(Object.fromEntries(JOB_STATES.map((s) => [s, Type.Integer({ minimum: 0 })]))),
  targetDisabled: Type.Optional(Type.Boolean({ description: 'true after a webhook receiver answered 410 Gone; update the target to enable it again' })),
});

export const QueueParams = Type.Object({ name: QueueName });
export const QueueList = Type.Object({ queues: Type.Array(QueueInfo) });
export { Instant };
