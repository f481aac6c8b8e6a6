/**
 * The engine's view of the store's clock. Due times, leases and occurrences are judged on the store's clock; the
 * engine keeps its timers on its own clock plus an offset it measures against the store, so instances whose clocks
 * disagree still agree on when work is due.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { ResolvedConfig } from '../core/config.js';
import type { Driver } from '../driver/driver.js';
import type { Activity } from './activity.js';

/** How often the offset is measured again, ms. */
export const STORE_CLOCK_SYNC_MS = 60_000;

export class StoreClock implements Clock {
  private offsetMs = 0;

  constructor(
    private readonly base: Clock,
    private readonly driver: Driver,
    /** True when the base clock is authoritative (a test's fake clock): the engine passes its time to the store. */
    readonly authoritative: boolean,
  ) {}

  /** A clock defers to the store unless it declares itself authoritative (a test's fake clock). */
  static for(config: ResolvedConfig, driver: Driver): StoreClock {
    return new StoreClock(config.clock, driver, config.clock.authoritative === true);
  }

  /** The engine's estimate of the store's time. */
  now(): number {
    return this.base.now() + this.offsetMs;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    return this.base.setTimer(fn, delayMs);
  }

  /** What to pass as `now` to a driver call: undefined (the store decides) unless the base clock is authoritative. */
  param(): number | undefined {
    return this.authoritative ? this.base.now() : undefined;
  }

  /** The measured offset (store − local), ms. */
  get offset(): number {
    return this.offsetMs;
  }

  /** Measure the offset once: the store's time against the midpoint of the round trip. */
  async sync(): Promise<number> {
    if (this.authoritative) return 0;
    const before = this.base.now();
    const storeNow = await this.driver.now();
    const after = this.base.now();
    this.offsetMs = Math.round(storeNow - (before + after) / 2);
    return this.offsetMs;
  }
}

/** The resolved config as the engine's services see it: the clock is the store clock, plus the instance's activity count. */
export type EngineConfig = Omit<ResolvedConfig, 'clock'> & { clock: StoreClock; activity: Activity };
