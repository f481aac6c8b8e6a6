/**
 * Handlers in worker threads (`handle(queue, new URL('./h.js', import.meta.url), { isolate: 'thread' })`): a pool of
 * up to `size` threads, each running one job at a time. A timeout, cancel, lost lease or shutdown terminates the
 * job's thread; a thread that throws outside the handler, exits or runs out of memory fails only its attempt
 * (retryable). Either way the thread is dropped and the next job starts a new one.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { configError } from '../core/config.js';
import type { Handler, JobContext, RunningJob } from './job-context.js';
import { THREAD_ENTRY } from './thread-entry.js';

/** Messages a handler thread sends. */
type ThreadMessage =
  | { type: 'progress'; value: number | object }
  | { type: 'log'; line: string }
  | { type: 'logger'; level: 'debug' | 'info' | 'warn' | 'error'; obj: unknown; msg?: string }
  | { type: 'done'; ok: true; value: unknown; signalled: Signalled }
  | { type: 'done'; ok: false; error: { name: string; message: string; stack?: string; code?: string }; signalled: Signalled };

type Signalled = { kind: 'skip'; reason: string } | { kind: 'snooze'; delayMs: number } | null;

/** The error of an attempt whose thread died under it. */
export class HandlerThreadError extends Error {
  override name = 'HandlerThreadError';
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** True when Node itself loads TypeScript (type stripping, Node ≥ 22.6), in worker threads too. */
function nodeStripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript);
}

/** Refuses what a thread could not load: not a file URL, or TypeScript on a Node that does not strip types. */
export function assertHandlerModule(url: URL): void {
  if (url.protocol !== 'file:') throw configError('handler', `a thread handler module must be a file: URL, got ${url.href}`);
  const path = fileURLToPath(url);
  if (TYPESCRIPT.test(path) && !nodeStripsTypes()) {
    throw configError('handler', `${path} is TypeScript, which a worker thread cannot load on this Node: compile it to .js (tsc) and pass that URL. The tsx loader (node --import tsx) serves the main thread only; worker threads do not get it`);
  }
}

interface Thread {
  worker: Worker;
  /** The context of the job the thread runs, and what settles it; null while idle. */
  ctx: JobContext | null;
  settle: ((ok: boolean, value: unknown) => void) | null;
}

export class ThreadPool {
  private readonly idle: Thread[] = [];
  private readonly all = new Set<Thread>();
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly resourceLimits: ResourceLimits | undefined,
  ) {
    assertHandlerModule(url);
  }

  /** The handler the QueueWorker calls: runs the job in a thread of the pool. */
  readonly handler: Handler = (job, ctx) => this.run(job, ctx);

  /** Threads alive now (running or idle). */
  get size(): number {
    return this.all.size;
  }

  private run(job: RunningJob, ctx: JobContext): Promise<unknown> {
    if (this.closed) return Promise.reject(new HandlerThreadError('the thread pool is closed'));
    const thread = this.idle.pop() ?? this.spawn();
    thread.worker.ref();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        // The attempt is over (timeout, cancel, lost lease, shutdown): its thread cannot be trusted to stop by itself.
        this.drop(thread);
        void thread.worker.terminate();
        reject(ctx.signal.reason);
      };
      thread.ctx = ctx;
      thread.settle = (ok, value) => {
        thread.settle = null;
        thread.ctx = null;
        ctx.signal.removeEventListener('abort', onAbort);
        if (ok) resolve(value);
        else reject(value);
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      thread.worker.postMessage({
        type: 'run', job, idempotencyKey: ctx.idempotencyKey, schedule: ctx.schedule,
      });
    });
  }

  private spawn(): Thread {
    const worker = new Worker(THREAD_ENTRY, { eval: true, workerData: { url: this.url.href }, resourceLimits: this.resourceLimits, stdout: false, stderr: false });
    const thread: Thread = { worker, ctx: null, settle: null };
    this.all.add(thread);
    worker.on('message', (m: ThreadMessage) => this.onMessage(thread, m));
    worker.on('error', (error: Error) => {
      this.drop(thread);
      const oom = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      thread.settle?.(false, new HandlerThreadError(oom ? `the handler thread ran out of memory (${error.message})` : `the handler thread crashed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      this.drop(thread);
      thread.settle?.(false, new HandlerThreadError(`the handler thread exited with code ${code} before the job finished`));
    });
    return thread;
  }

  private onMessage(thread: Thread, m: ThreadMessage): void {
    if (m.type === 'done') {
      const settle = thread.settle;
      if (settle === null) return;
      // skip() and snooze() called in the thread become the same calls on the attempt's own context.
      if (m.signalled?.kind === 'skip') thread.ctx?.skip(m.signalled.reason);
      else if (m.signalled?.kind === 'snooze') thread.ctx?.snooze(m.signalled.delayMs);
      this.release(thread);
      if (m.ok) settle(true, m.value);
      else settle(false, rebuildError(m.error));
      return;
    }
    // Reports arrive while the job runs; the attempt's own ctx ignores them once the attempt has ended.
    const ctx = thread.ctx;
    if (ctx === null) return;
    if (m.type === 'log') ctx.log(m.line);
    else if (m.type === 'logger') ctx.logger[m.level](typeof m.obj === 'object' && m.obj !== null ? m.obj : { value: m.obj }, m.msg);
    else {
      try {
        ctx.progress(m.value);
      } catch (error) {
        ctx.logger.warn({ err: error }, 'progress from the handler thread refused');
      }
    }
  }

  private release(thread: Thread): void {
    if (!this.all.has(thread)) return;
    // An idle thread does not keep the process alive.
    thread.worker.unref();
    this.idle.push(thread);
  }

  private drop(thread: Thread): void {
    this.all.delete(thread);
    const i = this.idle.indexOf(thread);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Terminate every thread (idle ones at once; running ones are aborted by their jobs' signals first). */
  async close(): Promise<void> {
    this.closed = true;
    const threads = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

function rebuildError(info: { name: string; message: string; stack?: string; code?: string }): Error {
  const error = new Error(info.message);
  error.name = info.name;
  if (info.stack !== undefined) error.stack = info.stack;
  if (info.code !== undefined) (error as { code?: string }).code = info.code;
  return error;
}
