/**
 * A Kairos handler that delivers each job of a queue to the queue's target: a delivered job completes with the
 * attempt's record as its result; a 410 fails it for good and reports the target disabled; Retry-After schedules the
 * retry at that delay; any other failure is retried with the job's backoff, the record kept in the attempt's error.
 */
import { KairosError } from '../../core/errors.js';
import { RetryAfterError, UnrecoverableError } from '../../core/job.js';
import type { Handler } from '../../engine/job-context.js';
import type { Deliverer } from './deliverer.js';
import type { DeliveryJob, DeliveryRecord } from './delivery.js';
import type { TargetSpec } from './target-spec.js';

/** Fails a job for good (the target is gone, refused or disabled); `details.record` holds the attempt's record. */
export class TargetUnrecoverableError extends UnrecoverableError {
  readonly code: string;
  readonly details: { record: DeliveryRecord };

  constructor(code: string, message: string, record: DeliveryRecord) {
    super(message);
    this.code = code;
    this.details = { record };
  }
}

/** Options of {@link targetHandler}. */
export interface TargetHandlerOptions {
  /**
   * Called when a receiver answers 410, for the server to mark the queue's target disabled. Attempts in flight at the
   * time may each call it, so it must be idempotent. Its errors are logged and otherwise ignored.
   */
  onDisable?: (queue: string, reason: string) => void | Promise<void>;
}

/**
 * The handler of a queue delivered to a target. `getSpec(queue)` returns the queue's current target (read at every
 * attempt, so an update applies at the next attempt); null fails the job for good with TARGET_INVALID.
 * The message id is the job's key; for a job of a schedule without a key, the occurrence's idempotency key; else
 * `job_<id>`.
 */
export function targetHandler(
  deliverer: Deliverer,
  getSpec: (queue: string) => TargetSpec | null | undefined | Promise<TargetSpec | null | undefined>,
  options: TargetHandlerOptions = {},
): Handler {
  return async (job, ctx) => {
    const spec = await getSpec(job.queue);
    if (spec === null || spec === undefined) {
      throw new UnrecoverableError(`queue "${job.queue}" has no delivery target`);
    }
    const key = job.key ?? (job.scheduleId === null ? null : ctx.idempotencyKey);
    const delivery: DeliveryJob = { id: job.id, queue: job.queue, key, attempt: job.attempt, payload: job.payload };
    const outcome = await deliverer.deliver(spec, delivery, ctx.signal);
    if (outcome.ok) return outcome.record;
    const { record, error } = outcome;
    if (outcome.disable !== undefined) {
      try {
        await options.onDisable?.(job.queue, outcome.disable);
      } catch (e) {
        ctx.logger.error({ err: e, queue: job.queue }, 'onDisable failed');
      }
      throw new TargetUnrecoverableError('TARGET_DISABLED', error.message, record);
    }
    if (outcome.final === true) throw new TargetUnrecoverableError(error.code, error.message, record);
    if (outcome.retryAfterMs !== undefined) {
      throw new RetryAfterError(error.message, outcome.retryAfterMs, { details: { code: error.code, record } });
    }
    throw new KairosError('TARGET_FAILED', error.message, { details: { code: error.code, record } });
  };
}
