/**
 * Keeps this process delivering every stored queue that has a target: one handler per such queue (concurrency from
 * the queue's setting), re-registered when the concurrency changes, removed when the queue or its target goes or the
 * target is disabled (a receiver answered 410). Changes made through this process's API apply at once; changes from
 * other processes arrive by the store's `queue-changed` notification and, on stores without notifications, by polling.
 * A target's other fields (URL, secrets, headers) are read at every attempt, so an update needs no re-registration.
 */
import type { Logger } from '../core/config.js';
import type { Handler } from '../engine/job-context.js';
import type { Kairos } from '../engine/kairos.js';
import type { Subscription } from '../driver/driver.js';
import { targetHandler, type Deliverer, type TargetSpec } from './targets/index.js';

/** Concurrency of a queue that sets none. */
export const DEFAULT_TARGET_CONCURRENCY = 10;
/** How long a job of a queue without a usable target waits before it is looked at again. */
const WAIT_FOR_TARGET_MS = 1_000;

export interface QueueTargetsOptions {
  /** Longest time between two reads of the stored queues (default 5 s). */
  pollMs?: number;
  /** How long an unregistered queue's running deliveries may finish (default the engine's shutdownTimeoutMs). */
  drainTimeoutMs?: number;
  logger?: Logger;
}

export class QueueTargets {
  private readonly specs = new Map<string, TargetSpec>();
  /** Queues with a handler here, and the concurrency it was registered with. */
  private readonly served = new Map<string, number>();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private subscription: Subscription | null = null;
  private stopped = false;

  constructor(
    private readonly kairos: Kairos,
    private readonly deliverer: Deliverer,
    private readonly options: QueueTargetsOptions = {},
  ) {}

  /** The queues delivered by this process, with their concurrency. */
  get queues(): ReadonlyMap<string, number> {
    return this.served;
  }

  /** Reads the stored queues now and registers what they need; then keeps following changes. */
  async start(): Promise<void> {
    await this.sync();
    const driver = this.kairos.driver;
    if (driver.capabilities.listenNotify && driver.subscribe !== undefined) {
      this.subscription = await driver.subscribe((n) => {
        if (n.kind === 'queue-changed') void this.sync();
      }, () => void this.sync());
    }
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sync().finally(() => this.schedulePoll());
    }, this.options.pollMs ?? 5_000);
    this.timer.unref();
  }

  /** Brings the handlers in line with the stored queues. Concurrent calls coalesce into one more pass. */
  sync(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (error) {
          this.options.logger?.error({ err: error }, 'reading the queues to deliver failed; trying again at the next change or poll');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map<string, number>();
    const specs = new Map<string, TargetSpec>();
    for (const row of await this.kairos.driver.queueList()) {
      if (row.target === null) continue;
      const spec = JSON.parse(row.target) as TargetSpec;
      specs.set(row.name, spec);
      if (spec.disabled === undefined) wanted.set(row.name, row.concurrency ?? DEFAULT_TARGET_CONCURRENCY);
    }
    // Specs first: a job claimed from here on sees the queue's current target (or that it has none).
    this.specs.clear();
    for (const [queue, spec] of specs) this.specs.set(queue, spec);
    for (const [queue, concurrency] of this.served) {
      if (wanted.get(queue) === concurrency) continue;
      this.served.delete(queue);
      await this.kairos.unhandle(queue, { timeoutMs: this.options.drainTimeoutMs });
      this.options.logger?.info({ queue }, 'stopped delivering the queue');
    }
    for (const [queue, concurrency] of wanted) {
      if (this.served.has(queue) || this.stopped) continue;
      this.kairos.handle(queue, this.handlerOf(), { concurrency });
      this.served.set(queue, concurrency);
      this.options.logger?.info({ queue, concurrency, target: this.specs.get(queue)?.kind }, 'delivering the queue');
    }
  }

  /**
   * The handler of a delivered queue. A job claimed while its queue has lost its target or had it disabled (between
   * the change and the next pass) is snoozed, not failed: it waits, uncounted, for a target.
   */
  private handlerOf(): Handler {
    const deliver = targetHandler(this.deliverer, (q) => this.specs.get(q), { onDisable: (q, reason) => this.disable(q, reason) });
    return (job, ctx) => {
      const spec = this.specs.get(job.queue);
      if (spec === undefined || spec.disabled !== undefined) return ctx.snooze(WAIT_FOR_TARGET_MS);
      return deliver(job, ctx);
    };
  }

  /** A receiver answered 410: mark the stored target disabled (every process stops delivering it). */
  private async disable(queue: string, reason: string): Promise<void> {
    const q = await this.kairos.queues.get(queue);
    if (q === null || q.target === null || (q.target as { disabled?: unknown }).disabled !== undefined) return;
    const disabled = { at: new Date().toISOString(), reason };
    const current = this.specs.get(queue);
    if (current !== undefined) this.specs.set(queue, { ...current, disabled });
    await this.kairos.queues.upsert(queue, { target: { ...q.target, disabled } });
    this.options.logger?.warn({ queue, reason }, 'the receiver answered 410 Gone; the target is disabled until it is updated');
    void this.sync();
  }

  /** Stops following changes (the handlers stay until the instance stops). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
    await this.subscription?.close();
    this.subscription = null;
  }
}
