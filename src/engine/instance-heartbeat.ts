/**
 * Records this instance in the store while it is started (kairos_instances): a heartbeat every
 * INSTANCE_HEARTBEAT_MS with the queues it handles, a prune of instances silent for an hour, and a delete at stop.
 * The dashboard lists the instances alive from these rows.
 */
import { hostname } from 'node:os';
import type { Driver } from '../driver/driver.js';
import type { KairosEmitter } from './events.js';
import type { EngineConfig } from './store-clock.js';
import { TimerLoop } from './timer-loop.js';

/** How often an instance records that it is alive, ms. */
export const INSTANCE_HEARTBEAT_MS = 10_000;
/** An instance whose last heartbeat is older than this counts as gone, ms (three missed beats). */
export const INSTANCE_ALIVE_MS = 3 * INSTANCE_HEARTBEAT_MS;
/** Rows of instances silent for longer than this are deleted, ms. */
export const INSTANCE_FORGET_MS = 3_600_000;

export class InstanceHeartbeat {
  private readonly loop: TimerLoop;
  private readonly host = hostname();

  constructor(
    private readonly id: string,
    private readonly queues: () => string[],
    private readonly driver: Driver,
    events: KairosEmitter,
    private readonly config: EngineConfig,
  ) {
    const step = async () => (await this.runOnce(), INSTANCE_HEARTBEAT_MS);
    this.loop = new TimerLoop(config.clock, step, (error) => events.emit('error', { error, where: 'instance heartbeat' }), INSTANCE_HEARTBEAT_MS, config.activity);
  }

  start(): void {
    this.loop.start(0);
  }

  /** Stop beating and remove this instance's row (a failure to remove it only leaves a row that ages out). */
  async stop(): Promise<void> {
    this.loop.stop();
    await this.driver.instanceDelete({ id: this.id }).catch(() => false);
  }

  /** One heartbeat and prune. */
  async runOnce(): Promise<void> {
    const now = this.config.clock.param();
    await this.driver.instanceHeartbeat({ id: this.id, host: this.host, pid: process.pid, queues: this.queues().sort(), now });
    await this.driver.instancePrune({ before: this.config.clock.now() - INSTANCE_FORGET_MS });
  }
}
