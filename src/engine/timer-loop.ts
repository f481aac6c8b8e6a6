/**
 * Runs one service step over and over on the engine clock: after each run it waits the delay the step returned.
 * `wake()` runs it again soon (at once if idle, right after the current run otherwise). The lease keeper, lease
 * rescuer, pruner and schedule materializer are each a step on one of these.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Activity } from './activity.js';

export class TimerLoop {
  private timer: TimerHandle | null = null;
  private stopped = true;
  private running = false;
  private again = false;

  constructor(
    private readonly clock: Clock,
    /** One run; resolves to the delay before the next run, in ms. */
    private readonly step: () => Promise<number>,
    /** Told about a failed run; the loop goes on after `retryMs`. */
    private readonly onError: (error: Error) => void,
    private readonly retryMs: number,
    /** Counts each run as in-flight work of the instance. */
    private readonly activity?: Activity,
  ) {}

  start(firstDelayMs = 0): void {
    this.stopped = false;
    this.arm(firstDelayMs);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Run again soon. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.arm(0);
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.clock.setTimer(() => void (this.activity === undefined ? this.run() : this.activity.run(() => this.run())), delayMs);
  }

  private async run(): Promise<void> {
    this.timer = null;
    this.running = true;
    let delay: number;
    try {
      delay = await this.step();
    } catch (error) {
      this.onError(error as Error);
      delay = this.retryMs;
    }
    this.running = false;
    if (this.again) {
      this.again = false;
      delay = 0;
    }
    this.arm(Math.max(0, delay));
  }
}
