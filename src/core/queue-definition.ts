/**
 * Typed queues: a queue name bound to its payload and result types, and optionally to a runtime schema (any
 * Standard Schema: zod, valibot, TypeBox, …) that every enqueue through it must pass before anything is stored.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describeValue, KairosError } from './errors.js';
import { assertQueueName } from './job-options.js';

declare const queueTypes: unique symbol;

/**
 * A queue defined once with its types: `P` the payload a handler receives, `R` its result, `I` what enqueue accepts
 * (the schema's input; `P` without a schema). Pass it to `kairos.enqueue`, `kairos.handle` or `kairos.queue`.
 */
export interface QueueDefinition<P = unknown, R = unknown, I = P> {
  readonly name: string;
  /** Validates (and may transform) each payload at enqueue; null for a type-only definition. */
  readonly schema: StandardSchemaV1<I, P> | null;
  /** Carries the types only; never set at run time. */
  readonly [queueTypes]?: { payload: P; result: R; input: I };
}

/** Options of defineQueue() and kairos.queue(). */
export interface QueueDefinitionOptions<P, I> {
  /** A Standard Schema checked at every enqueue through this definition; its output is what is stored. */
  schema?: StandardSchemaV1<I, P>;
}

/**
 * Define a queue with its payload and result types: `defineQueue<Push, PushResult>('push')`, or with a schema whose
 * types are inferred: `defineQueue('push', { schema: z.object({ … }) })`.
 */
export function defineQueue<P = unknown, R = unknown, I = P>(name: string, options: QueueDefinitionOptions<P, I> = {}): QueueDefinition<P, R, I> {
  assertQueueName(name);
  if (typeof options !== 'object' || options === null) throw definitionError('options', 'must be an object such as { schema }');
  for (const k of Object.keys(options)) if (k !== 'schema') throw definitionError(k, 'is not a queue definition option (only schema)');
  const schema = options.schema ?? null;
  if (schema !== null && !isStandardSchema(schema)) {
    throw definitionError('schema', `must implement Standard Schema v1 (a "~standard" property with validate), got ${describeValue(schema)}`);
  }
  return Object.freeze({ name, schema });
}

/** True when `value` is a queue definition made by defineQueue(). */
export function isQueueDefinition(value: unknown): value is QueueDefinition {
  return typeof value === 'object' && value !== null && typeof (value as QueueDefinition).name === 'string' && 'schema' in value;
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (typeof value !== 'object' && typeof value !== 'function') return false;
  const props = (value as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof props === 'object' && props !== null && typeof props.validate === 'function';
}

function definitionError(field: string, what: string): KairosError {
  return new KairosError('CONFIG_INVALID', `queue definition ${field}: ${what}`, { details: { field } });
}

/** The issues of a failed validation as one PAYLOAD_REJECTED error naming the first path (`payload.user.id`). */
function rejected(queue: string, issues: readonly StandardSchemaV1.Issue[]): KairosError {
  const described = issues.slice(0, 5).map((issue) => `${issuePath(issue)}: ${issue.message}`);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  const field = issues[0] === undefined ? 'payload' : issuePath(issues[0]);
  return new KairosError('PAYLOAD_REJECTED', `queue "${queue}" refused the payload: ${described.join('; ')}${more}`, {
    details: { field, issues: issues.map((i) => ({ path: issuePath(i), message: i.message })) },
  });
}

function issuePath(issue: StandardSchemaV1.Issue): string {
  let path = 'payload';
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    path += typeof key === 'number' ? `[${key}]` : typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${describeValue(String(key))}]`;
  }
  return path;
}

/** The payload to store: the schema's output, or PAYLOAD_REJECTED naming the path. Without a schema, the payload. */
export async function validatePayload(queue: string, schema: StandardSchemaV1 | null, payload: unknown): Promise<unknown> {
  if (schema === null) return payload;
  const result = await schema['~standard'].validate(payload);
  if (result.issues !== undefined) throw rejected(queue, result.issues);
  return result.value;
}

/** validatePayload for synchronous callers (enqueueSync); a schema that validates asynchronously is refused. */
export function validatePayloadSync(queue: string, schema: StandardSchemaV1 | null, payload: unknown): unknown {
  if (schema === null) return payload;
  const result = schema['~standard'].validate(payload);
  if (result instanceof Promise) {
    throw new KairosError('CAPABILITY_MISSING', `queue "${queue}": its schema validates asynchronously; use enqueue() instead of enqueueSync()`);
  }
  if (result.issues !== undefined) throw rejected(queue, result.issues);
  return result.value;
}
