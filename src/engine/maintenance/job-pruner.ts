/** Deletes finished jobs and their attempts after the retention period, in batches so no write holds the store long. */
import type { ResolvedConfig } from '../../core/config.js';
import type { TimerHandle } from '../../core/clock.js';
import type { Driver } from '../../driver/driver.js';
import type { KairosEmitter } from '../events.js';

export class JobPruner {
  private timer: TimerHandle | null = null;
  private stopped = true;

  constructor(
    private readonly driver: Driver,
    private readonly events: KairosEmitter,
    private readonly config: ResolvedConfig,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Prune everything past retention now; returns how many jobs were deleted. */
  async runOnce(): Promise<number> {
    const { clock, retentionMs, failedRetentionMs, pruneBatchSize } = this.config;
    let total = 0;
    // Schedule history is kept as long as the longest job retention, so an occurrence outlives its job's record.
    for (let n = pruneBatchSize; n === pruneBatchSize; ) {
      n = await this.driver.occurrencePrune({ before: clock.now() - Math.max(retentionMs, failedRetentionMs), limit: pruneBatchSize });
    }
    for (;;) {
      const now = clock.now();
      const n = await this.driver.jobPrune({ finishedBefore: now - retentionMs, failedBefore: now - failedRetentionMs, limit: pruneBatchSize });
      total += n;
      if (n < pruneBatchSize) return total;
      // Yield between batches so claims and completions get the write lock.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.config.clock.setTimer(() => {
      this.runOnce()
        .catch((error: unknown) => this.events.emit('error', { error: error as Error, where: 'pruner' }))
        .finally(() => this.schedule());
    }, this.config.pruneIntervalMs);
  }
}
