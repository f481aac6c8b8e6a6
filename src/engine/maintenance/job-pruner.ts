/**
 * Deletes finished jobs and their attempts after the retention period, in batches so no write holds the store long,
 * then lets the store reclaim the space (storeMaintain).
 */
import type { Driver } from '../../driver/driver.js';
import type { KairosEmitter } from '../events.js';
import { TimerLoop } from '../timer-loop.js';
import type { EngineConfig } from '../store-clock.js';

export class JobPruner {
  private readonly loop: TimerLoop;

  constructor(
    private readonly driver: Driver,
    events: KairosEmitter,
    private readonly config: EngineConfig,
  ) {
    const step = async () => (await this.runOnce(), config.pruneIntervalMs);
    this.loop = new TimerLoop(config.clock, step, (error) => events.emit('error', { error, where: 'pruner' }), config.pruneIntervalMs, config.activity);
  }

  start(): void {
    this.loop.start(this.config.pruneIntervalMs);
  }

  stop(): void {
    this.loop.stop();
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
      if (n < pruneBatchSize) break;
      // Yield between batches so claims and completions get the write lock.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Reclaim what the churn left behind (dead row versions on PostgreSQL when its autovacuum is off).
    await this.driver.storeMaintain();
    return total;
  }
}
