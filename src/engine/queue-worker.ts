/**
 * One queue on one instance: the producer (wait for due work → claim a batch for the free slots) and the executor
 * (run the handler with its AbortSignal and timeout, then hand the outcome, decided by attempt-end.ts, to the
 * completer).
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { BackoffFunction, BackoffSpec } from '../core/backoff.js';
import type { Logger } from '../core/config.js';
import type { TimerHandle } from '../core/clock.js';
import { JobAbortedError, JobTimeoutError } from '../core/job.js';
import { isKairosError } from '../core/errors.js';
import type { ClaimBatch, ClaimedJob, Driver, FinishItem } from '../driver/driver.js';
import { endOfReturn, endOfThrow, serializeResult, type AttemptEnd } from './attempt-end.js';
import type { AttemptReports } from './attempt-reports.js';
import type { Completer } from './completer.js';
import type { KairosEmitter } from './events.js';
import { JobContextImpl, toRunningJob, type Handler } from './job-context.js';
import type { EngineConfig } from './store-clock.js';

/** Options of a handler, given to kairos.handle(). */
export interface HandlerOptions {
  /** Jobs of this queue run at once on this instance. Default: config defaultConcurrency (100). */
  concurrency?: number;
  /** Default per-attempt timeout for jobs that set none, ms. */
  timeoutMs?: number;
  /** Default backoff for jobs that set none: a spec or a function (attempt, error) => delayMs. */
  backoff?: BackoffSpec | BackoffFunction;
  /**
   * 'thread': the handler is a module URL whose default export runs in a pool of `concurrency` worker threads
   * (docs/handlers.md). Implied when the handler is a URL.
   */
  isolate?: 'thread';
  /** Limits of each handler thread (worker_threads resourceLimits, e.g. `{ maxOldGenerationSizeMb: 256 }`). */
  resourceLimits?: ResourceLimits;
}

interface Execution {
  claimed: ClaimedJob;
  ctx: JobContextImpl;
  timer: TimerHandle | null;
  /** Set once the attempt's outcome is decided; later settlements of the handler are ignored. */
  done: boolean;
}

/** Everything a QueueWorker needs, named. */
export interface QueueWorkerOptions {
  queue: string;
  handler: Handler;
  /** Jobs of this queue run at once on this instance. */
  concurrency: number;
  handlerOptions: HandlerOptions;
  /** This instance's worker id: the owner of every lease it takes. */
  owner: string;
  driver: Driver;
  completer: Completer;
  /** Where ctx.progress and ctx.log go. */
  reports: AttemptReports;
  events: KairosEmitter;
  config: EngineConfig;
  logger: Logger;
  /** Called when a job produced by a schedule ends an attempt (a buffered occurrence may now go out). */
  onScheduleJobDone?: () => void;
  /** Called whenever the last running job of this worker ends (shutdown waits on it). */
  onIdle?: () => void;
  /** Called once the end of an attempt of a job behind a limiter is written: a slot of it is free. */
  onLimiterSlotFreed?: (limiter: string) => void;
}

export class QueueWorker {
  readonly queue: string;
  readonly running = new Map<number, Execution>();
  private stopped = true;
  /** Set by handBackAll(): this worker has given its jobs back for shutdown. */
  private handedBack = false;
  private filling = false;
  private fillRequested = false;
  private fillScheduled = false;
  private fillInFlight: Promise<void> | null = null;
  /** True while due work of this queue is held back by the store (a limiter, a paused queue): a freed slot wakes it. */
  heldBack = false;
  /**
   * True while this worker reports the outcomes it wrote in its own finish-and-claim: the slots they freed were
   * already offered to its claim in the same transaction, so they wake other workers, not this one.
   */
  settlingOwn = false;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private readonly handler: Handler;
  private readonly concurrency: number;
  private readonly options: HandlerOptions;
  private readonly owner: string;
  private readonly driver: Driver;
  private readonly completer: Completer;
  private readonly reports: AttemptReports;
  private readonly events: KairosEmitter;
  private readonly config: EngineConfig;
  private readonly logger: Logger;
  private readonly onScheduleJobDone: () => void;
  private readonly onIdle: () => void;
  private readonly onLimiterSlotFreed: (limiter: string) => void;

  constructor(o: QueueWorkerOptions) {
    this.queue = o.queue;
    this.handler = o.handler;
    this.concurrency = o.concurrency;
    this.options = o.handlerOptions;
    this.owner = o.owner;
    this.driver = o.driver;
    this.completer = o.completer;
    this.reports = o.reports;
    this.events = o.events;
    this.config = o.config;
    this.logger = o.logger;
    this.onScheduleJobDone = o.onScheduleJobDone ?? NOOP;
    this.onIdle = o.onIdle ?? NOOP;
    this.onLimiterSlotFreed = o.onLimiterSlotFreed ?? NOOP;
  }

  start(): void {
    this.stopped = false;
    this.handedBack = false;
    this.requestFill();
  }

  /** Stop claiming. Running jobs go on until they settle or are handed back. */
  stopClaiming(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = Infinity;
  }

  /** New work was enqueued in this process, due at `runAt`. */
  notify(runAt: number): void {
    if (this.stopped) return;
    if (runAt <= this.config.clock.now()) this.requestFill();
    else this.armTimer(runAt);
  }

  /** Abort a running job of this worker without writing its outcome (the store already has it). */
  abandon(id: number, reason: JobAbortedError, options: { announce: boolean } = { announce: true }): boolean {
    const ex = this.running.get(id);
    if (ex === undefined) return false;
    this.release(ex);
    if (ex.ctx.report !== null) this.reports.discard(ex.ctx.report);
    ex.ctx.abort(reason);
    // Lost to another instance (its cancel, or a rescue after our lease ended); a cancel made here has its own event.
    if (options.announce && this.events.wants('job:lease-lost')) {
      this.events.emit('job:lease-lost', { id, queue: this.queue, attempt: ex.claimed.attempt });
    }
    return true;
  }

  /** Abort every running job and give it back to the store without counting the attempt (graceful shutdown). */
  handBackAll(): void {
    this.handedBack = true;
    for (const ex of [...this.running.values()]) {
      this.release(ex);
      ex.ctx.abort(new JobAbortedError('the worker is shutting down', 'shutdown'));
      this.handBack(ex);
    }
  }

  private handBack(ex: Execution): void {
    const { id, attempt } = ex.claimed;
    this.finish(ex, {
      write: { state: 'scheduled', outcome: 'handed-back', runAt: this.config.clock.now(), countsAttempt: false, note: 'shutdown' },
      announce: (events) => events.wants('job:handed-back') && events.emit('job:handed-back', { id, queue: this.queue, attempt }),
    });
  }

  private requestFill(): void {
    if (this.fillScheduled) return;
    this.fillScheduled = true;
    this.config.activity.begin();
    // Coalesce: slots freed in one turn of the event loop are refilled by one claim.
    setImmediate(() => {
      this.fillScheduled = false;
      void this.fill().finally(() => this.config.activity.end());
    });
  }

  private armTimer(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.config.clock.setTimer(() => {
      this.timer = null;
      this.timerAt = Infinity;
      void this.config.activity.run(() => this.fill());
    }, at - this.config.clock.now());
  }

  /** Resolves when no claim of this worker is in flight (shutdown waits for one, to hand back what it returns). */
  async settled(): Promise<void> {
    while (this.fillInFlight !== null) await this.fillInFlight;
  }

  private fill(): Promise<void> {
    if (this.filling) {
      this.fillRequested = true;
      return Promise.resolve();
    }
    this.fillInFlight = this.runFill().finally(() => {
      this.fillInFlight = null;
    });
    return this.fillInFlight;
  }

  private async runFill(): Promise<void> {
    this.filling = true;
    try {
      await this.claimLoop();
    } catch (error) {
      this.events.emit('error', { error: error as Error, where: `claim ${this.queue}` });
      // A busy store is expected under contention and retried at the next poll; anything else is worth a look.
      if (isKairosError(error, 'STORE_BUSY')) this.logger.debug({ err: error, queue: this.queue }, 'store busy; claim retried at the next poll');
      else this.logger.error({ err: error, queue: this.queue }, 'claim failed');
      this.armTimer(this.config.clock.now() + this.config.pollIntervalMs);
    } finally {
      this.filling = false;
      if (this.fillRequested) {
        this.fillRequested = false;
        this.requestFill();
      }
    }
  }

  private async claimLoop(): Promise<void> {
    const { clock, claimBatchSize, pollIntervalMs } = this.config;
    let heldBack = false;
    let held = false;
    let retryAt: number | undefined;
    /** The instant of the last claim: how long the earliest due job had been due when that claim missed it. */
    let claimedAt = clock.now();
    while (!this.stopped) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) return; // a finishing job asks for the next fill
      const limit = Math.min(free, claimBatchSize);
      const now = clock.now();
      claimedAt = now;
      const claimed = await this.claim(limit);
      if (this.handedBack) {
        // A claim that was in flight when shutdown handed everything back (possible with an asynchronous store):
        // give these back too rather than start them after stop() returned.
        for (const c of claimed) if (c.state === 'running') this.handBack({ claimed: c, ctx: new JobContextImpl(c, this.logger), timer: null, done: true });
        await this.completer.flush();
        return;
      }
      for (const c of claimed) {
        if (c.state === 'running') this.execute(c);
        else if (this.events.wants('job:expired')) this.events.emit('job:expired', { id: c.id, queue: c.queue, deadline: new Date(c.deadline ?? now) });
      }
      heldBack = claimed.length === 0;
      held = claimed.held === true;
      retryAt = claimed.retryAt;
      if (claimed.length < limit) break;
    }
    if (this.stopped) return;
    const now = clock.now();
    // A limiter refused due work: it waits for a freed slot (which wakes this worker), a rate window (retryAt), or the
    // poll — no need to ask the store what is due.
    if (held) {
      this.heldBack = true;
      this.armTimer(Math.min(now + pollIntervalMs, retryAt === undefined ? Infinity : Math.max(retryAt, now + 1)));
      return;
    }
    const next = await this.driver.jobNextDue({ queues: [this.queue] });
    // Due work that no claim could take is held back by the store (a paused queue, a full limiter): wait for a
    // notification, a freed slot of a limiter, the instant a rate limit lets it pass (retryAt), or the next poll,
    // rather than ask again at once. But a job that had only just come due may have missed the claim at the clock's
    // edge (the store judges on its own clock, which our timers track to about a millisecond): retry soon, backing
    // off while it stays unclaimed, and count it as held back only once it had been due for HELD_BACK_MS at a claim.
    const overdue = next === null ? -Infinity : claimedAt - next;
    this.heldBack = heldBack && overdue >= HELD_BACK_MS;
    if (this.heldBack) {
      this.armTimer(Math.min(now + pollIntervalMs, retryAt === undefined ? Infinity : Math.max(retryAt, now + 1)));
      return;
    }
    if (heldBack && overdue >= 0) {
      this.armTimer(now + Math.max(1, overdue));
      return;
    }
    // A claim that filled every slot may still have left due work behind a rate limit: come back when it may pass.
    if (retryAt !== undefined) this.armTimer(Math.max(retryAt, now + 1));
    // Poll even when nothing is due: other processes, and enqueues inside open transactions, do not signal us.
    this.armTimer(Math.min(next === null ? Infinity : Math.max(next, now + 1), now + pollIntervalMs));
  }

  /** Claim, writing the outcomes waiting in the completer in the same transaction when there are any. */
  private async claim(limit: number): Promise<ClaimBatch> {
    const claim = { queue: this.queue, limit, owner: this.owner, leaseMs: this.config.leaseMs };
    const now = this.config.clock.param();
    const taken = this.completer.take();
    if (taken === null) return this.driver.jobClaim({ ...claim, now });
    let result: Awaited<ReturnType<Driver['jobFinishAndClaim']>>;
    try {
      result = await this.driver.jobFinishAndClaim({ items: taken.items, claim, now });
    } catch (error) {
      this.completer.giveBack(taken);
      throw error;
    }
    this.settlingOwn = true;
    try {
      this.completer.settle(taken, result.finished);
    } finally {
      this.settlingOwn = false;
    }
    return result.claimed;
  }

  private execute(c: ClaimedJob): void {
    const ctx = new JobContextImpl(c, this.logger, this.reports, this.owner);
    const ex: Execution = { claimed: c, ctx, timer: null, done: false };
    this.running.set(c.id, ex);
    if (this.events.wants('job:started')) this.events.emit('job:started', { id: c.id, queue: c.queue, attempt: c.attempt, startedAt: new Date(c.startedAt), runAt: new Date(c.runAt) });
    const timeoutMs = c.timeoutMs ?? this.options.timeoutMs;
    if (timeoutMs !== undefined) {
      ex.timer = this.config.clock.setTimer(() => this.onTimeout(ex, timeoutMs), timeoutMs);
    }
    let result: unknown;
    try {
      result = this.handler(toRunningJob(c, JSON.parse(c.payload)), ctx);
    } catch (error) {
      this.onSettled(ex, false, error);
      return;
    }
    if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => this.onSettled(ex, true, value),
        (error: unknown) => this.onSettled(ex, false, error),
      );
    } else {
      this.onSettled(ex, true, result);
    }
  }

  private onTimeout(ex: Execution, timeoutMs: number): void {
    if (ex.done) return;
    const error = new JobTimeoutError(`attempt ${ex.claimed.attempt} exceeded its timeout of ${timeoutMs} ms`);
    ex.ctx.abort(error);
    this.onSettled(ex, false, error);
  }

  /** Marks an execution over and frees its slot. */
  private release(ex: Execution): void {
    ex.done = true;
    ex.ctx.end();
    ex.timer?.cancel();
    this.running.delete(ex.claimed.id);
    if (!this.stopped) this.requestFill();
    else if (this.running.size === 0) this.onIdle();
  }

  private onSettled(ex: Execution, ok: boolean, value: unknown): void {
    if (ex.done) {
      if (!ok && !(value instanceof JobAbortedError) && !(value instanceof JobTimeoutError)) {
        this.logger.debug({ jobId: ex.claimed.id, err: value }, 'handler settled after its attempt had ended');
      }
      return;
    }
    this.release(ex);
    const c = ex.claimed;
    if (ok && ex.ctx.signalled === null && c.scheduleId === null && c.limiter === null && !this.events.wants('job:completed') && !this.events.wants('job:lease-lost')) {
      // The common case, kept lean: nobody to tell afterwards, so no per-job callback.
      const item: FinishItem = {
        id: c.id, owner: this.owner, attempt: c.attempt, startedAt: c.startedAt, state: 'completed', outcome: 'completed', countsAttempt: true,
        result: serializeResult(value, this.logger),
      };
      if (ex.ctx.report === null) this.completer.push(item, NOOP);
      else this.reports.close(ex.ctx.report, () => this.completer.push(item, NOOP));
      return;
    }
    const now = this.config.clock.now();
    this.finish(ex, ok
      ? endOfReturn(c, ex.ctx.signalled, value, now, this.logger)
      : endOfThrow(c, value, now, { config: this.config, handler: this.options.backoff, logger: this.logger }));
  }

  /** Writes an attempt's end through the completer; announces it once the fence held, or the lost lease if not. */
  private finish(ex: Execution, end: AttemptEnd): void {
    const c = ex.claimed;
    const item: FinishItem = { id: c.id, owner: this.owner, attempt: c.attempt, startedAt: c.startedAt, ...end.write };
    if (c.limiter !== null) item.limiter = c.limiter;
    // What the attempt reported is written first, while the fence still holds.
    this.reports.close(ex.ctx.report, () => this.completer.push(item, (applied) => {
      if (c.scheduleId !== null) this.onScheduleJobDone();
      if (c.limiter !== null) this.onLimiterSlotFreed(c.limiter);
      if (applied) end.announce(this.events);
      else if (this.events.wants('job:lease-lost')) this.events.emit('job:lease-lost', { id: c.id, queue: c.queue, attempt: c.attempt });
    }));
  }
}

const NOOP = (): void => undefined;

/** How long due work may stay unclaimed before the worker takes it as held back and waits for the poll, ms. */
const HELD_BACK_MS = 50;
