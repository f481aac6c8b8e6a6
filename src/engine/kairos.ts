/**
 * The facade of one Kairos instance: enqueue and manage jobs, register handlers, start and stop the services
 * (queue workers, lease keeper, lease rescuer, pruner). Everything goes to the store through the Driver seam.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { resolveConfig, type KairosConfig, type Logger, type ResolvedConfig } from '../core/config.js';
import { describeValue, isKairosError, KairosError } from '../core/errors.js';
import type { EnqueuedJob, Job } from '../core/job.js';
import { assertQueueName, type NewJob } from '../core/job-options.js';
import { JobAbortedError } from '../core/job.js';
import type { Driver, InsertResult, StoreNotification, Subscription } from '../driver/driver.js';
import { AttemptReports } from './attempt-reports.js';
import { Completer } from './completer.js';
import { asItemError, assertId, prepareMany, prepareOne, type EnqueueCallOptions, type EnqueueItem } from './enqueue-input.js';
import { KairosEmitter, type KairosEventName, type KairosEvents } from './events.js';
import type { Handler } from './job-context.js';
import { Batches } from './batches.js';
import { JobBulk } from './job-bulk.js';
import { defineQueue, type QueueDefinition, type QueueDefinitionOptions } from '../core/queue-definition.js';
import { QueueSchemas, TypedQueue } from './typed-queue.js';
import type { ThreadPool } from './thread-pool.js';
import { resolveHandler } from './handler-options.js';
import { JobQueries } from './job-queries.js';
import { JobWaiter } from './job-waiter.js';
import { toJob } from './job-view.js';
import { LeaseKeeper } from './lease-keeper.js';
import { Insights } from './insights.js';
import { InstanceHeartbeat } from './instance-heartbeat.js';
import { JobPruner } from './maintenance/job-pruner.js';
import { LeaseRescuer } from './maintenance/lease-rescuer.js';
import { QueueWorker, type HandlerOptions } from './queue-worker.js';
import { Queues } from './queues.js';
import { Limiters } from './limiters.js';
import { ScheduleMaterializer } from './schedule-materializer.js';
import { Calendars, Schedules } from './schedules.js';
import { Activity } from './activity.js';
import { StoreClock, STORE_CLOCK_SYNC_MS, type EngineConfig } from './store-clock.js';
import { resolveStore } from './store-registry.js';
import { TimerLoop } from './timer-loop.js';

/** Options of Kairos.open(): the store plus the engine config. */
export interface KairosOptions extends KairosConfig {
  /** A store URL (`sqlite:./kairos.db`, the default, or KAIROS_DATABASE_URL) or a driver instance. */
  store?: string | Driver;
}

export type { EnqueueCallOptions, EnqueueItem, JobListQuery } from './enqueue-input.js';

const DEFAULT_STORE = 'sqlite:./kairos.db';

export class Kairos {
  readonly workerId: string;
  readonly config: ResolvedConfig;
  private readonly events = new KairosEmitter();
  private readonly workers = new Map<string, QueueWorker>();
  private readonly completer: Completer;
  private readonly reports: AttemptReports;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly rescuer: LeaseRescuer;
  private readonly pruner: JobPruner;
  private readonly materializer: ScheduleMaterializer;
  /** Recurring schedules: upsert, sync, pause, resume, remove, preview, history. */
  readonly schedules: Schedules;
  /** Holiday calendars used by schedule rules. */
  readonly calendars: Calendars;
  /** Throughput, lateness, instances alive and the load forecast (the dashboard's overview). */
  readonly insights: Insights;
  private readonly instanceHeartbeat: InstanceHeartbeat;
  private readonly logger: Logger;
  /** The store's clock as this instance sees it (its own clock plus a measured offset). */
  private readonly clock: StoreClock;
  private readonly engineConfig: EngineConfig;
  private readonly clockSync: TimerLoop;
  private subscription: Subscription | null = null;
  private started = false;
  /** The stop() in progress, which a second stop() or a close() waits for. */
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly schemas = new QueueSchemas();
  private readonly threadPools: ThreadPool[] = [];

  /** Job queries, bulk actions by filter, waitFor. Getters return null for an unknown id. */
  readonly jobs: JobQueries;
  /** Batches of jobs with a completion job, and their progress. */
  readonly batches: Batches;
  private readonly waiter: JobWaiter;
  /** Queues as stored objects: list with counts, settings, pause and resume for every instance. */
  readonly queues: Queues;
  /** Limiters shared by every instance: concurrency, reserved lanes, rate limits, and what they use now. */
  readonly limiters: Limiters;

  /** Opens the store (running migrations) and returns an instance that is not yet working; call start(). */
  static async open(options: KairosOptions = {}): Promise<Kairos> {
    const { store, ...config } = options;
    const resolved = resolveConfig(config);
    const source = store ?? process.env.KAIROS_DATABASE_URL ?? DEFAULT_STORE;
    const driver = await resolveStore(source);
    try {
      await driver.migrate();
      const kairos = new Kairos(driver, resolved);
      await kairos.clock.sync();
      return kairos;
    } catch (error) {
      // A driver made here from a URL is ours to release (its pool would otherwise outlive a failed open).
      if (typeof source === 'string') await driver.close().catch(() => undefined);
      throw error;
    }
  }

  constructor(
    /** The store. Exposed for tools and tests; application code should not need it. */
    readonly driver: Driver,
    resolved: ResolvedConfig,
  ) {
    this.config = resolved;
    this.clock = StoreClock.for(resolved, driver);
    const config: EngineConfig = { ...resolved, clock: this.clock, activity: new Activity() };
    this.engineConfig = config;
    this.workerId = config.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.waiter = new JobWaiter(driver, this.clock);
    const bulk = new JobBulk(driver, this.clock, this.workerId, {
      abort: (queue, id, error) => this.workers.get(queue)?.abandon(id, error, { announce: false }),
      wake: (queue) => {
        for (const w of queue === null ? this.workers.values() : [this.workers.get(queue)]) w?.notify(this.clock.now());
      },
    });
    this.jobs = new JobQueries(driver, () => this.assertOpen(), bulk, this.waiter);
    this.queues = new Queues(driver, () => this.assertOpen(), (queue) => this.workers.get(queue)?.notify(this.clock.now()), (filter) => bulk.cancelFilter(filter));
    this.batches = new Batches(driver, config, () => this.assertOpen(), (queue, runAt) => this.workers.get(queue)?.notify(runAt));
    this.limiters = new Limiters(driver, () => this.assertOpen(), () => this.clock.now(), () => this.wakeHeldBack());
    this.logger = config.logger ?? (pino({ level: process.env.KAIROS_LOG_LEVEL ?? 'warn', base: { workerId: this.workerId } }, pino.destination(2)) as unknown as Logger);
    this.clockSync = new TimerLoop(this.clock, async () => (await this.clock.sync(), STORE_CLOCK_SYNC_MS), (error) => this.events.emit('error', { error, where: 'store clock' }), STORE_CLOCK_SYNC_MS, config.activity);
    this.completer = new Completer(driver, config.clock, config.completionBatchSize, (error) => {
      this.events.emit('error', { error, where: 'completion write' });
      if (isKairosError(error, 'STORE_BUSY')) this.logger.debug({ err: error }, 'store busy; finished attempts written on retry');
      else this.logger.error({ err: error }, 'writing finished attempts failed; retrying');
    }, config.activity, (count) => this.logger.error({ count }, 'the store was closed before finished attempts were written; their jobs return after their leases'));
    this.reports = new AttemptReports(driver, config, (error) => {
      this.events.emit('error', { error, where: 'progress write' });
      this.logger.warn({ err: error }, 'writing progress and log lines failed; they are dropped');
    });
    this.leaseKeeper = new LeaseKeeper(this.workerId, this.workers, driver, this.events, config);
    this.rescuer = new LeaseRescuer(driver, this.events, config, (queues) => {
      for (const q of queues) this.workers.get(q)?.notify(config.clock.now());
    });
    this.pruner = new JobPruner(driver, this.events, config);
    this.materializer = new ScheduleMaterializer(driver, this.events, config, this.logger, (queue, runAt) => this.workers.get(queue)?.notify(runAt));
    this.schedules = new Schedules(driver, config, this.materializer);
    this.calendars = new Calendars(driver, config, this.materializer);
    this.insights = new Insights(driver, config, this.materializer, () => this.assertOpen());
    this.instanceHeartbeat = new InstanceHeartbeat(this.workerId, () => [...this.workers.keys()], driver, this.events, config);
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Subscribe to an event; returns a function that unsubscribes. */
  on<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  once<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): () => void {
    return this.events.once(event, listener);
  }

  off<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): void {
    this.events.off(event, listener);
  }

  // ── handlers and lifecycle ──────────────────────────────────────────────────────────────────────────────

  /**
   * A typed queue on this instance: `kairos.queue<Push, PushResult>('push')`, `kairos.queue('push', { schema })` or
   * `kairos.queue(definition)`. Its schema, if any, also checks enqueues by the plain name on this instance.
   */
  queue<P, R, I>(definition: QueueDefinition<P, R, I>): TypedQueue<P, R, I>;
  queue<P = unknown, R = unknown, I = P>(name: string, options?: QueueDefinitionOptions<P, I>): TypedQueue<P, R, I>;
  queue<P, R, I>(queue: string | QueueDefinition<P, R, I>, options?: QueueDefinitionOptions<P, I>): TypedQueue<P, R, I> {
    this.assertOpen();
    const definition = typeof queue === 'string' ? defineQueue<P, R, I>(queue, options) : queue;
    this.schemas.register(definition as QueueDefinition<unknown, unknown, unknown>);
    return definition instanceof TypedQueue ? (definition as TypedQueue<P, R, I>) : new TypedQueue(definition, this);
  }

  /**
   * Register the handler of a queue on this instance: a function, or the URL of a module whose default export runs
   * in a pool of worker threads (`{ isolate: 'thread' }`, docs/handlers.md).
   */
  handle<P, R, I>(queue: QueueDefinition<P, R, I>, handler: Handler<P, R> | URL, options?: HandlerOptions): this;
  handle<P = unknown>(queue: string, handler: Handler<P> | URL, options?: HandlerOptions): this;
  handle(queueOrDefinition: string | QueueDefinition<unknown, unknown, unknown>, handler: Handler | URL, options: HandlerOptions = {}): this {
    this.assertOpen();
    const queue = typeof queueOrDefinition === 'string' ? queueOrDefinition : queueOrDefinition.name;
    assertQueueName(queue);
    if (this.workers.has(queue)) throw new KairosError('HANDLER_EXISTS', `queue "${queue}" already has a handler on this instance`, { details: { field: 'queue' } });
    const { handler: run, concurrency, pool } = resolveHandler(handler, options, this.config.defaultConcurrency);
    if (typeof queueOrDefinition !== 'string') this.schemas.register(queueOrDefinition);
    if (pool !== null) this.threadPools.push(pool);
    const worker = new QueueWorker({
      queue, handler: run, concurrency, handlerOptions: options, owner: this.workerId, driver: this.driver, completer: this.completer, reports: this.reports,
      events: this.events, config: this.engineConfig, logger: this.logger, onScheduleJobDone: () => this.materializer.wake(), onIdle: () => this.onWorkerIdle(),
      onLimiterSlotFreed: () => this.wakeHeldBack(),
    });
    this.workers.set(queue, worker);
    if (this.started) worker.start();
    return this;
  }

  /**
   * Remove the handler of `queue` from this instance: claim no more of its jobs, let running ones finish for up to
   * `timeoutMs` (default config shutdownTimeoutMs), then hand the rest back without counting the attempt. False when
   * the queue had no handler here. Service mode uses it when a queue's target changes or is removed.
   */
  async unhandle(queue: string, options: { timeoutMs?: number } = {}): Promise<boolean> {
    const worker = this.workers.get(queue);
    if (worker === undefined) return false;
    worker.stopClaiming();
    await this.waitIdle(options.timeoutMs ?? this.config.shutdownTimeoutMs, () => [worker]);
    worker.handBackAll();
    await worker.settled();
    await this.completer.flush();
    if (this.workers.get(queue) === worker) this.workers.delete(queue);
    return true;
  }

  /**
   * Start claiming and running jobs of the registered queues, and the maintenance services. On a store that pushes
   * notifications, also listen for new work, cancels and schedule changes from every instance.
   */
  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** Subscribes first: if the store cannot be reached nothing has started, and start() may be called again. */
  private async doStart(): Promise<void> {
    this.assertOpen();
    if (this.stopping !== null) await this.stopping;
    if (this.started) return;
    const caps = this.driver.capabilities;
    // On a store with local notifications only (SQLite), this hears work released by this process's own writes.
    if ((caps.listenNotify || caps.localNotify === true) && this.driver.subscribe !== undefined && this.subscription === null) {
      this.subscription = await this.driver.subscribe((n) => this.onNotification(n), () => this.wakeAll());
    }
    this.started = true;
    for (const w of this.workers.values()) w.start();
    this.leaseKeeper.start();
    this.rescuer.start();
    this.pruner.start();
    this.materializer.start();
    this.instanceHeartbeat.start();
    if (!this.clock.authoritative) this.clockSync.start(STORE_CLOCK_SYNC_MS);
  }

  /**
   * Stop claiming; let running jobs finish for up to `timeoutMs` (default config shutdownTimeoutMs); then abort the
   * rest and hand them back to the store without counting the attempt. Resolves when every outcome is written. A
   * second call while one runs waits for the first.
   */
  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    if (!this.started) return Promise.resolve();
    this.started = false;
    this.stopping = this.doStop(options.timeoutMs ?? this.config.shutdownTimeoutMs).finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  private async doStop(timeoutMs: number): Promise<void> {
    for (const w of this.workers.values()) w.stopClaiming();
    this.rescuer.stop();
    this.pruner.stop();
    this.materializer.stop();
    this.clockSync.stop();
    await this.waitIdle(timeoutMs);
    for (const w of this.workers.values()) w.handBackAll();
    this.leaseKeeper.stop();
    // A claim still in flight hands back what it returns; wait for it so its hand-backs are in the last batch.
    await Promise.all([...this.workers.values()].map((w) => w.settled()));
    // Outcomes wait for their attempt's last progress and log lines; let those go out first.
    await this.reports.settled();
    await this.completer.flush();
    await this.instanceHeartbeat.stop();
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close();
  }

  /**
   * stop() (or wait for the one in progress: running handlers and the last completion batch), then release the
   * store. Idempotent; a second call waits for the first.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      await this.stop(options);
      await this.completer.flush();
      await this.waiter.close();
      await Promise.all(this.threadPools.map((p) => p.close()));
      this.closed = true;
      await this.driver.close();
    })();
    return this.closing;
  }

  private onNotification(n: StoreNotification): void {
    if (!this.started) return;
    if (n.kind === 'job-available') this.workers.get(n.queue)?.notify(n.runAt);
    else if (n.kind === 'job-cancelled') {
      if (n.owner === this.workerId) this.workers.get(n.queue)?.abandon(n.id, new JobAbortedError(`job ${n.id} was cancelled`, 'cancelled'));
    } else if (n.kind === 'queue-changed') this.workers.get(n.queue)?.notify(this.clock.now());
    else if (n.kind === 'schedule-changed') this.materializer.wake();
    else if (n.kind === 'limiter-changed') {
      // A slot freed by this instance's own attempt has woken its workers already, once the end was written.
      if (n.owner !== this.workerId) this.wakeHeldBack();
    }
    // job-finished is for waitFor, which listens on its own.
  }

  /** Workers whose due work a limiter held back claim again (a slot was freed or a limiter changed). */
  private wakeHeldBack(): void {
    if (!this.started) return;
    const now = this.clock.now();
    for (const w of this.workers.values()) if (w.heldBack && !w.settlingOwn) w.notify(now);
  }

  /** After a lost notification listener comes back: look at the store again for anything missed meanwhile. */
  private wakeAll(): void {
    if (!this.started) return;
    const now = this.clock.now();
    for (const w of this.workers.values()) w.notify(now);
    this.materializer.wake();
    this.rescuer.wake();
  }

  /** This instance's measured offset to the store's clock (store − local), ms; 0 with an authoritative clock. */
  get storeClockOffsetMs(): number {
    return this.clock.offset;
  }

  /**
   * Resolves when this instance has no store work in flight: no claim, completion write, maintenance pass or
   * notification-driven work pending. Handlers still running are not waited for. Tests use it after moving a fake
   * clock or enqueueing, instead of sleeping.
   */
  idle(): Promise<void> {
    return this.engineConfig.activity.idle();
  }

  /** Run the lease rescuer, the pruner and the schedule materializer once now (the CLI and tests use it). */
  async runMaintenance(): Promise<{ rescued: number; pruned: number; materialized: number }> {
    this.assertOpen();
    return { rescued: await this.rescuer.runOnce(), pruned: await this.pruner.runOnce(), materialized: await this.materializer.runOnce() };
  }

  // ── enqueue ─────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Store one job. With `tx`, the insert joins the caller's open transaction. A queue definition (or a name defined
   * on this instance with a schema) checks the payload first: PAYLOAD_REJECTED, storing nothing, when it fails.
   */
  async enqueue<P, R, I>(queue: QueueDefinition<P, R, I>, payload: I, options?: EnqueueCallOptions): Promise<EnqueuedJob>;
  async enqueue(queue: string, payload: unknown, options?: EnqueueCallOptions): Promise<EnqueuedJob>;
  async enqueue(queueOrDefinition: string | QueueDefinition<unknown, unknown, unknown>, payload: unknown, options?: EnqueueCallOptions): Promise<EnqueuedJob> {
    this.assertOpen();
    const queue = typeof queueOrDefinition === 'string' ? queueOrDefinition : queueOrDefinition.name;
    payload = await this.schemas.check(queueOrDefinition, payload);
    const { tx, job } = prepareOne(queue, payload, options, this.clock.now(), this.config);
    const [result] = await this.driver.jobInsertMany({ jobs: [job], now: this.clock.param(), tx });
    return this.afterInsert([job], [result!], tx)[0]!;
  }

  /** Store many jobs of one queue in one transaction: all or none (a schema checks every payload first). */
  async enqueueMany<P, R, I>(queue: QueueDefinition<P, R, I>, items: readonly EnqueueItem<I>[], options?: { tx?: unknown }): Promise<EnqueuedJob[]>;
  async enqueueMany(queue: string, items: readonly EnqueueItem[], options?: { tx?: unknown }): Promise<EnqueuedJob[]>;
  async enqueueMany(queueOrDefinition: string | QueueDefinition<unknown, unknown, unknown>, items: readonly EnqueueItem[], options: { tx?: unknown } = {}): Promise<EnqueuedJob[]> {
    this.assertOpen();
    const queue = typeof queueOrDefinition === 'string' ? queueOrDefinition : queueOrDefinition.name;
    items = await this.schemas.checkItems(queueOrDefinition, items);
    const jobs = prepareMany(queue, items, this.clock.now(), this.config);
    if (jobs.length === 0) return [];
    let results: InsertResult[];
    try {
      results = await this.driver.jobInsertMany({ jobs, now: this.clock.param(), tx: options.tx });
    } catch (error) {
      throw asItemError(error);
    }
    return this.afterInsert(jobs, results, options.tx);
  }

  /**
   * Synchronous enqueue for use inside a synchronous SQLite `db.transaction(() => …)`: pass that `db` as `tx`. Throws
   * CAPABILITY_MISSING on stores without synchronous transactions (PostgreSQL: use enqueue with `tx`).
   */
  enqueueSync<P, R, I>(queue: QueueDefinition<P, R, I>, payload: I, options?: EnqueueCallOptions): EnqueuedJob;
  enqueueSync(queue: string, payload: unknown, options?: EnqueueCallOptions): EnqueuedJob;
  enqueueSync(queueOrDefinition: string | QueueDefinition<unknown, unknown, unknown>, payload: unknown, options?: EnqueueCallOptions): EnqueuedJob {
    this.assertOpen();
    const queue = typeof queueOrDefinition === 'string' ? queueOrDefinition : queueOrDefinition.name;
    payload = this.schemas.checkSync(queueOrDefinition, payload);
    // Input first: a bad option is the caller's error on every store.
    const { tx, job } = prepareOne(queue, payload, options, this.clock.now(), this.config);
    if (!this.driver.capabilities.syncTransactions || this.driver.jobInsertManySync === undefined) {
      throw new KairosError('CAPABILITY_MISSING', `the ${this.driver.name} store has no synchronous transactions; use enqueue(…, { tx })`);
    }
    const [result] = this.driver.jobInsertManySync({ jobs: [job], now: this.clock.param(), tx });
    return this.afterInsert([job], [result!], tx)[0]!;
  }

  private afterInsert(jobs: readonly NewJob[], results: readonly InsertResult[], tx: unknown): EnqueuedJob[] {
    const out = new Array<EnqueuedJob>(results.length);
    let earliest = Infinity;
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const job = jobs[i]!;
      out[i] = { id: r.id, queue: job.queue, state: r.state, runAt: new Date(r.runAt), key: job.key, outcome: r.outcome };
      if (r.outcome !== 'kept' && r.runAt < earliest) earliest = r.runAt;
    }
    // Work inside an open transaction is not visible yet; the poll interval picks it up after the commit.
    if (tx === undefined && earliest !== Infinity) this.workers.get(jobs[0]!.queue)?.notify(earliest);
    return out;
  }

  // ── manage ──────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Cancel a job: a pending one at once; a running one has its AbortSignal fired (on another instance: through a
   * store notification, or at its next heartbeat). True when it moved to cancelled, false when it was already final;
   * JOB_NOT_FOUND when there is no such job.
   */
  async cancel(id: number): Promise<boolean> {
    this.assertOpen();
    assertId(id);
    const result = await this.driver.jobCancel({ id, now: this.clock.param() });
    if (result === null) throw new KairosError('JOB_NOT_FOUND', `job ${id} not found`, { details: { field: 'id' } });
    return this.afterCancel(result);
  }

  /** Cancel the pending or running job of `queue` that holds `key`; returns its id. JOB_NOT_FOUND when no such job holds it. */
  async cancelByKey(queue: string, key: string): Promise<number> {
    this.assertOpen();
    assertQueueName(queue);
    if (typeof key !== 'string' || key.length === 0) throw new KairosError('JOB_OPTION_INVALID', 'key: must be a non-empty string', { details: { field: 'key' } });
    const result = await this.driver.jobCancel({ queue, key, now: this.clock.param() });
    if (result === null) {
      throw new KairosError('JOB_NOT_FOUND', `no pending or running job of queue "${queue}" holds key ${describeValue(key)}`, { details: { field: 'key' } });
    }
    this.afterCancel(result);
    return result.id;
  }

  private afterCancel(result: NonNullable<Awaited<ReturnType<Driver['jobCancel']>>>): boolean {
    if (!result.cancelled) return false;
    const wasRunning = result.previousState === 'running';
    if (wasRunning && result.owner === this.workerId) {
      this.workers.get(result.queue)?.abandon(result.id, new JobAbortedError(`job ${result.id} was cancelled`, 'cancelled'), { announce: false });
    }
    if (this.events.wants('job:cancelled')) this.events.emit('job:cancelled', { id: result.id, queue: result.queue, wasRunning });
    return true;
  }

  /**
   * Replay a final job (completed, failed, cancelled, expired or skipped): same id, due now, one more attempt if it
   * had none left. JOB_NOT_FOUND for an unknown id; JOB_STATE_CONFLICT for a job that is not final.
   */
  async replay(id: number): Promise<Job> {
    this.assertOpen();
    assertId(id);
    const row = await this.driver.jobReplay({ id, now: this.clock.param() });
    this.workers.get(row.queue)?.notify(row.runAt);
    return toJob(row);
  }

  /** Resolves when no handler of `workers` (default all) runs, or after `timeoutMs` of wall time, whichever is first. */
  private async waitIdle(timeoutMs: number, workers: () => Iterable<QueueWorker> = () => this.workers.values()): Promise<void> {
    const busy = (): boolean => [...workers()].some((w) => w.running.size > 0);
    if (!busy()) return;
    let waiter: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      // Shutdown is bounded in wall time whatever clock the engine uses, so this is a real timer.
      const bound = setTimeout(done, timeoutMs);
      waiter = (): void => {
        if (!busy()) done();
      };
      this.idleWaiters.push(waiter);
      function done(): void {
        clearTimeout(bound);
        resolve();
      }
    });
    this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
  }

  private onWorkerIdle(): void {
    for (const w of this.idleWaiters) w();
  }

  private assertOpen(): void {
    if (this.closed) throw new KairosError('CLOSED', 'this Kairos instance is closed');
  }
}

