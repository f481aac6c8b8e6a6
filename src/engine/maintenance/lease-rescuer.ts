/**
 * Finds running jobs whose lease ended (their worker died or stalled) and puts them back to scheduled, or failed when
 * that was their last attempt. Wakes at the earliest lease end, so a dead worker's jobs return within one lease.
 */
import type { ResolvedConfig } from '../../core/config.js';
import type { TimerHandle } from '../../core/clock.js';
import type { Driver } from '../../driver/driver.js';
import type { KairosEmitter } from '../events.js';

const BATCH = 500;

export class LeaseRescuer {
  private timer: TimerHandle | null = null;
  private stopped = true;

  constructor(
    private readonly driver: Driver,
    private readonly events: KairosEmitter,
    private readonly config: ResolvedConfig,
    /** Told which queues got work back, so local workers claim it at once. */
    private readonly onRescued: (queues: Set<string>) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Rescue every expired lease; returns how many jobs moved. */
  async runOnce(): Promise<number> {
    let total = 0;
    const queues = new Set<string>();
    for (;;) {
      const rescued = await this.driver.jobRescueExpired({ now: this.config.clock.now(), limit: BATCH });
      for (const r of rescued) {
        if (r.state === 'scheduled') queues.add(r.queue);
        if (this.events.wants('job:rescued')) this.events.emit('job:rescued', { id: r.id, queue: r.queue, attempt: r.attempt, state: r.state, workerId: r.owner });
      }
      total += rescued.length;
      if (rescued.length < BATCH) break;
    }
    if (queues.size > 0) this.onRescued(queues);
    return total;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.config.clock.setTimer(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const { clock, rescueIntervalMs } = this.config;
    let next = clock.now() + rescueIntervalMs;
    try {
      await this.runOnce();
      const expiry = await this.driver.leaseNextExpiry();
      // A lease ending at T is expired once now > T.
      if (expiry !== null) next = Math.min(next, expiry + 1);
    } catch (error) {
      this.events.emit('error', { error: error as Error, where: 'lease rescuer' });
    }
    this.schedule(Math.max(0, next - clock.now()));
  }
}
