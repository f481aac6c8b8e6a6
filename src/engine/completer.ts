/**
 * Writes finished attempts in batches: items collected during one turn of the event loop are written in one fenced
 * transaction. A failed write is retried with backoff (the jobs stay running in the store until it lands, and their
 * leases protect them if this process dies meanwhile), except against a closed store, where it gives up.
 */
import { isKairosError } from '../core/errors.js';
import type { Driver, FinishItem } from '../driver/driver.js';
import type { Activity } from './activity.js';
import type { StoreClock } from './store-clock.js';

/** Told, per item, whether the fence held once the batch is stored. */
export type FinishCallback = (applied: boolean) => void;

export class Completer {
  private pending: FinishItem[] = [];
  private callbacks: FinishCallback[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  private retryDelayMs = 10;

  constructor(
    private readonly driver: Driver,
    private readonly clock: StoreClock,
    private readonly batchSize: number,
    private readonly onError: (error: Error) => void,
    private readonly activity: Activity,
    /** Told how many finished attempts were dropped because the store was closed under them. */
    private readonly onAbandoned: (count: number) => void = () => undefined,
  ) {}

  /** Queue one finished attempt; it is written within this turn of the event loop or the next. */
  push(item: FinishItem, done: FinishCallback): void {
    this.pending.push(item);
    this.callbacks.push(done);
    if (this.pending.length >= this.batchSize) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      // Counted until the flush has begun its write (which counts itself).
      this.activity.begin();
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
        this.activity.end();
      });
    }
  }

  /**
   * Hand every queued item to a caller that writes them in its own store call (a worker's finish-and-claim); it must
   * call `settle` with the result, or `giveBack` if the write failed.
   */
  take(): { items: FinishItem[]; callbacks: FinishCallback[] } | null {
    if (this.pending.length === 0 || this.flushing !== null) return null;
    const taken = { items: this.pending, callbacks: this.callbacks };
    this.pending = [];
    this.callbacks = [];
    return taken;
  }

  /** Report the stored outcome of items obtained with take(). */
  settle(taken: { callbacks: FinishCallback[] }, applied: readonly boolean[]): void {
    for (let i = 0; i < taken.callbacks.length; i++) taken.callbacks[i]!(applied[i] === true);
  }

  /** Put back items obtained with take() whose write failed; they go out with the next flush. */
  giveBack(taken: { items: FinishItem[]; callbacks: FinishCallback[] }): void {
    this.pending = taken.items.concat(this.pending);
    this.callbacks = taken.callbacks.concat(this.callbacks);
    void this.flush();
  }

  /** Write everything queued so far; resolves once it is stored (retrying store errors). */
  async flush(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
    if (this.pending.length === 0) return;
    const items = this.pending.splice(0, this.batchSize);
    const callbacks = this.callbacks.splice(0, items.length);
    this.flushing = this.write(items, callbacks);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    if (this.pending.length > 0) await this.flush();
  }

  /** Counted as in-flight work, except while it waits out a backoff (waiting for time is not work in flight). */
  private async write(items: FinishItem[], callbacks: FinishCallback[]): Promise<void> {
    this.activity.begin();
    try {
      await this.writeUntilStored(items, callbacks);
    } finally {
      this.activity.end();
    }
  }

  private async writeUntilStored(items: FinishItem[], callbacks: FinishCallback[]): Promise<void> {
    for (;;) {
      try {
        const applied = await this.driver.jobFinishMany({ items, now: this.clock.param() });
        this.retryDelayMs = 10;
        for (let i = 0; i < callbacks.length; i++) callbacks[i]!(applied[i] === true);
        return;
      } catch (error) {
        this.onError(error as Error);
        if (isKairosError(error, 'CLOSED')) {
          // Retrying a closed store would never end. The jobs stay running in the store and come back after their
          // leases, so nothing is lost; their handlers may run again, which at-least-once allows.
          this.onAbandoned(items.length);
          return;
        }
        this.activity.end();
        await new Promise<void>((resolve) => this.clock.setTimer(resolve, this.retryDelayMs));
        this.activity.begin();
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
      }
    }
  }
}
