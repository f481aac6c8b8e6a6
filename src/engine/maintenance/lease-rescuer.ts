/**
 * Finds running jobs whose lease ended (their worker died or stalled) and puts them back to scheduled, or failed when
 * that was their last attempt. Wakes at the earliest lease end, so a dead worker's jobs return within one lease.
 */
import type { Driver } from '../../driver/driver.js';
import type { KairosEmitter } from '../events.js';
import { TimerLoop } from '../timer-loop.js';
import type { EngineConfig } from '../store-clock.js';

const BATCH = 500;

export class LeaseRescuer {
  private readonly loop: TimerLoop;

  constructor(
    private readonly driver: Driver,
    private readonly events: KairosEmitter,
    private readonly config: EngineConfig,
    /** Told which queues got work back, so local workers claim it at once. */
    private readonly onRescued: (queues: Set<string>) => void,
  ) {
    this.loop = new TimerLoop(config.clock, () => this.tick(), (error) => events.emit('error', { error, where: 'lease rescuer' }), config.rescueIntervalMs, config.activity);
  }

  start(): void {
    this.loop.start(0);
  }

  stop(): void {
    this.loop.stop();
  }

  /** Look again soon (a lost notification listener came back, so a rescue may have gone unheard). */
  wake(): void {
    this.loop.wake();
  }

  /** Rescue every expired lease; returns how many jobs moved. */
  async runOnce(): Promise<number> {
    let total = 0;
    const queues = new Set<string>();
    for (;;) {
      const rescued = await this.driver.jobRescueExpired({ now: this.config.clock.param(), limit: BATCH });
      for (const r of rescued) {
        if (r.state === 'scheduled') queues.add(r.queue);
        if (this.events.wants('job:rescued')) this.events.emit('job:rescued', { id: r.id, queue: r.queue, attempt: r.attempt, state: r.state, workerId: r.owner });
      }
      total += rescued.length;
      if (rescued.length < BATCH) break;
    }
    // Ends whose consequences were not written with them (a deadline passed in a claim): written now, once.
    while ((await this.driver.jobResolveFlows({ limit: BATCH, now: this.config.clock.param() })) === BATCH);
    if (queues.size > 0) this.onRescued(queues);
    return total;
  }

  /** Rescue, then sleep until the earliest lease end (a lease ending at T is expired once now > T). */
  private async tick(): Promise<number> {
    const { clock, rescueIntervalMs } = this.config;
    await this.runOnce();
    const expiry = await this.driver.leaseNextExpiry();
    const next = expiry === null ? clock.now() + rescueIntervalMs : Math.min(clock.now() + rescueIntervalMs, expiry + 1);
    return next - clock.now();
  }
}
