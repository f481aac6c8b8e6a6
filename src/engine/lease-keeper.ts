/**
 * Heartbeats: extends the leases of every job this instance runs, and aborts the ones it no longer holds
 * (cancelled by another instance, or rescued after this process stalled past its lease).
 */
import { JobAbortedError } from '../core/job.js';
import type { Driver } from '../driver/driver.js';
import type { KairosEmitter } from './events.js';
import type { QueueWorker } from './queue-worker.js';
import { TimerLoop } from './timer-loop.js';
import type { EngineConfig } from './store-clock.js';

export class LeaseKeeper {
  private readonly loop: TimerLoop;

  constructor(
    private readonly owner: string,
    private readonly workers: ReadonlyMap<string, QueueWorker>,
    private readonly driver: Driver,
    private readonly events: KairosEmitter,
    private readonly config: EngineConfig,
  ) {
    const step = async () => (await this.runOnce(), config.heartbeatMs);
    this.loop = new TimerLoop(config.clock, step, (error) => events.emit('error', { error, where: 'heartbeat' }), config.heartbeatMs, config.activity);
  }

  start(): void {
    this.loop.start(this.config.heartbeatMs);
  }

  stop(): void {
    this.loop.stop();
  }

  /** Extend all leases once; returns how many jobs were lost. */
  async runOnce(): Promise<number> {
    const ids: number[] = [];
    for (const w of this.workers.values()) for (const id of w.running.keys()) ids.push(id);
    if (ids.length === 0) return 0;
    const lost = await this.driver.jobExtendLeases({ owner: this.owner, ids, leaseMs: this.config.leaseMs, now: this.config.clock.param() });
    for (const id of lost) {
      // A job cancelled by another process is gone from this owner too; its handler hears 'cancelled', not a lost lease.
      const row = await this.driver.jobGet({ id }).catch(() => null);
      const error = row?.state === 'cancelled'
        ? new JobAbortedError(`job ${id} was cancelled`, 'cancelled')
        : new JobAbortedError(`job ${id} is no longer held by this worker (cancelled or lease expired)`, 'lease-lost');
      for (const w of this.workers.values()) {
        if (w.abandon(id, error)) break;
      }
    }
    return lost.length;
  }
}
