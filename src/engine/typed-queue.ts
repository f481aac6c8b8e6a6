/**
 * A typed queue bound to one Kairos instance (`kairos.queue<Push, PushResult>('push')`): enqueue, handle and read its
 * jobs with the payload and result types checked by the compiler, and its schema (if any) checked at run time.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { KairosError } from '../core/errors.js';
import type { EnqueuedJob, JobDetail } from '../core/job.js';
import { validatePayload, validatePayloadSync, type QueueDefinition } from '../core/queue-definition.js';
import { asItemError, type EnqueueCallOptions, type EnqueueItem } from './enqueue-input.js';
import type { Handler } from './job-context.js';
import type { Kairos } from './kairos.js';
import type { HandlerOptions } from './queue-worker.js';

export class TypedQueue<P = unknown, R = unknown, I = P> implements QueueDefinition<P, R, I> {
  readonly name: string;
  readonly schema: StandardSchemaV1<I, P> | null;

  constructor(
    definition: QueueDefinition<P, R, I>,
    private readonly kairos: Kairos,
  ) {
    this.name = definition.name;
    this.schema = definition.schema;
  }

  /** Store one job of this queue (after the schema, if any, accepted the payload). */
  enqueue(payload: I, options?: EnqueueCallOptions): Promise<EnqueuedJob> {
    return this.kairos.enqueue(this, payload, options);
  }

  /** Store many jobs of this queue in one transaction: all or none. */
  enqueueMany(items: readonly EnqueueItem<I>[], options: { tx?: unknown } = {}): Promise<EnqueuedJob[]> {
    return this.kairos.enqueueMany(this, items, options);
  }

  /** enqueueSync for this queue (SQLite, inside the caller's synchronous transaction). */
  enqueueSync(payload: I, options?: EnqueueCallOptions): EnqueuedJob {
    return this.kairos.enqueueSync(this, payload, options);
  }

  /** Register this queue's handler on the instance: a function, or a module URL run in worker threads. */
  handle(handler: Handler<P, R> | URL, options?: HandlerOptions): this {
    this.kairos.handle(this, handler, options);
    return this;
  }

  /** A job of this queue with its attempts; null when there is no such job or it belongs to another queue. */
  async get(id: number): Promise<JobDetail<P, R> | null> {
    const job = await this.kairos.jobs.get(id);
    if (job === null || job.queue !== this.name) return null;
    return job as JobDetail<P, R>;
  }
}

/**
 * The schemas an instance knows by queue name, so that an enqueue by plain name of a defined queue is checked too.
 * One schema per name: defining a name again with another schema is a CONFIG_INVALID.
 */
export class QueueSchemas {
  private readonly byName = new Map<string, StandardSchemaV1>();

  register(definition: QueueDefinition<unknown, unknown, unknown>): void {
    if (definition.schema === null) return;
    const known = this.byName.get(definition.name);
    if (known !== undefined && known !== definition.schema) {
      throw new KairosError('CONFIG_INVALID', `queue "${definition.name}" is already defined on this instance with another schema`, { details: { field: 'schema' } });
    }
    this.byName.set(definition.name, definition.schema);
  }

  /** The schema to check a payload of `queue` against: the definition's, else the one registered for its name. */
  of(queue: string | QueueDefinition<unknown, unknown, unknown>): StandardSchemaV1 | null {
    if (typeof queue === 'string') return this.byName.get(queue) ?? null;
    return queue.schema ?? this.byName.get(queue.name) ?? null;
  }

  /** The payload to store for `queue`: the schema's output, or PAYLOAD_REJECTED. Unchanged without a schema. */
  async check(queue: string | QueueDefinition<unknown, unknown, unknown>, payload: unknown): Promise<unknown> {
    const schema = this.of(queue);
    return schema === null ? payload : validatePayload(nameOf(queue), schema, payload);
  }

  /** check() for enqueueSync: an asynchronous schema is refused. */
  checkSync(queue: string | QueueDefinition<unknown, unknown, unknown>, payload: unknown): unknown {
    const schema = this.of(queue);
    return schema === null ? payload : validatePayloadSync(nameOf(queue), schema, payload);
  }

  /** Every item's payload through check(); the first refusal names its item (`items[2].payload.to`). */
  async checkItems(queue: string | QueueDefinition<unknown, unknown, unknown>, items: readonly EnqueueItem[]): Promise<readonly EnqueueItem[]> {
    const schema = this.of(queue);
    // Malformed batches are left for prepareMany, which names what is wrong with them.
    if (schema === null || !Array.isArray(items)) return items;
    const out: EnqueueItem[] = [];
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      if (typeof item !== 'object' || item === null || !('payload' in item)) return items;
      try {
        out.push({ ...(item as EnqueueItem), payload: await validatePayload(nameOf(queue), schema, item.payload) });
      } catch (error) {
        throw asItemError(error, i);
      }
    }
    return out;
  }
}

function nameOf(queue: string | QueueDefinition<unknown, unknown, unknown>): string {
  return typeof queue === 'string' ? queue : queue.name;
}
