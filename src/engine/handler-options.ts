/** Validation of kairos.handle() options, and the function a QueueWorker runs: the handler, or a thread pool's. */
import { configError } from '../core/config.js';
import { describeValue } from '../core/errors.js';
import type { Handler } from './job-context.js';
import type { HandlerOptions } from './queue-worker.js';
import { ThreadPool } from './thread-pool.js';

/** The options kairos.handle() knows. */
const HANDLER_OPTIONS = new Set(['concurrency', 'timeoutMs', 'backoff', 'isolate', 'resourceLimits']);

/** A checked handler registration: what to run, at what concurrency, and the thread pool to close (if any). */
export interface ResolvedHandler {
  handler: Handler;
  concurrency: number;
  pool: ThreadPool | null;
}

/** Checks `options` (CONFIG_INVALID naming the option) and turns a module URL into a thread pool's handler. */
export function resolveHandler(handler: Handler | URL, options: HandlerOptions, defaultConcurrency: number): ResolvedHandler {
  for (const k of Object.keys(options)) if (!HANDLER_OPTIONS.has(k)) throw configError(`handle.${k}`, 'unknown handler option');
  const concurrency = options.concurrency ?? defaultConcurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw configError('handle.concurrency', `must be an integer from 1 to 10000, got ${String(concurrency)}`);
  if (options.timeoutMs !== undefined && (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1)) throw configError('handle.timeoutMs', 'must be an integer ≥ 1');
  if (options.isolate !== undefined && options.isolate !== 'thread') throw configError('handle.isolate', `must be 'thread', got ${describeValue(options.isolate)}`);
  if (handler instanceof URL) {
    const pool = new ThreadPool(handler, options.resourceLimits);
    return { handler: pool.handler, concurrency, pool };
  }
  if (typeof handler !== 'function') throw configError('handler', 'must be a function (job, ctx) => Promise<result>, or a module URL for a thread handler');
  if (options.isolate === 'thread' || options.resourceLimits !== undefined) {
    throw configError('handle.isolate', "a thread handler is a module URL: handle(queue, new URL('./handler.js', import.meta.url), { isolate: 'thread' })");
  }
  return { handler, concurrency, pool: null };
}
