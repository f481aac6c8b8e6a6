/**
 * `kairos.jobs.waitFor`: wait until a job ends, whichever process runs it. The job is marked as waited for, so the
 * store announces its end (a `job-finished` notification: on PostgreSQL to every instance, on SQLite from this
 * driver's own writes); the store is also polled with backoff, which covers the rest (another process on a SQLite
 * file, a lost notification).
 */
import { KairosError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import { isFinalState } from '../core/job-state.js';
import type { Driver, StoreNotification, Subscription } from '../driver/driver.js';
import { assertId } from './enqueue-input.js';
import { toJob } from './job-view.js';
import type { StoreClock } from './store-clock.js';

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1_000;
const DEFAULT_TIMEOUT_MS = 30_000;

export class JobWaiter {
  private readonly waiters = new Map<number, Set<() => void>>();
  private subscription: Promise<Subscription | null> | null = null;

  constructor(
    private readonly driver: Driver,
    private readonly clock: StoreClock,
  ) {}

  /** Resolves with the job once it is final; WAIT_TIMEOUT after `timeoutMs` (default 30 s) of the engine clock. */
  async waitFor(id: number, options: { timeoutMs?: number } = {}): Promise<Job> {
    assertId(id);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
      throw new KairosError('JOB_OPTION_INVALID', `timeoutMs: must be an integer ≥ 0, got ${String(timeoutMs)}`, { details: { field: 'timeoutMs' } });
    }
    let wake: () => void = () => undefined;
    const woken = new Set<() => void>();
    const set = this.waiters.get(id) ?? new Set();
    this.waiters.set(id, set);
    /** Set by a notification that may have come while no wait was armed; the next turn reads the store at once. */
    let pinged = false;
    const hook = (): void => {
      pinged = true;
      wake();
    };
    set.add(hook);
    let timedOut = false;
    // The engine's timers do not keep the process alive (unref'd); a caller awaiting a job must, like an awaited fetch.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const deadline = this.clock.setTimer(() => {
      timedOut = true;
      hook();
    }, timeoutMs);
    try {
      // The deadline runs from the call (armed above, before any await), so a caller's clock sees it at once.
      await this.listen();
      let row = await this.driver.jobWatch({ id });
      if (row === null) throw new KairosError('JOB_NOT_FOUND', `job ${id} not found`, { details: { field: 'id' } });
      let pollMs = FIRST_POLL_MS;
      while (!isFinalState(row.state)) {
        if (timedOut) {
          throw new KairosError('WAIT_TIMEOUT', `job ${id} is still ${row.state} after ${timeoutMs} ms`, { details: { field: 'timeoutMs', id, state: row.state } });
        }
        if (!pinged) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            const poll = this.clock.setTimer(resolve, pollMs);
            woken.add(() => poll.cancel());
          });
        }
        pinged = false;
        wake = () => undefined;
        for (const cancel of woken) cancel();
        woken.clear();
        pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
        row = await this.driver.jobGet({ id });
        if (row === null) throw new KairosError('JOB_NOT_FOUND', `job ${id} was deleted while waited for`, { details: { field: 'id' } });
      }
      return toJob(row);
    } finally {
      clearInterval(keepAlive);
      deadline.cancel();
      set.delete(hook);
      if (set.size === 0) this.waiters.delete(id);
    }
  }

  /** Stop listening. */
  async close(): Promise<void> {
    const sub = await this.subscription?.catch(() => null);
    this.subscription = null;
    await sub?.close();
  }

  /** Subscribes once, on first use, where the store can tell of ends; otherwise polling alone does. */
  private listen(): Promise<Subscription | null> {
    const caps = this.driver.capabilities;
    if (this.driver.subscribe === undefined || !(caps.listenNotify || caps.localNotify === true)) return Promise.resolve(null);
    this.subscription ??= this.driver.subscribe((n) => this.onNotification(n), () => this.wakeAll()).catch(() => {
      this.subscription = null;
      return null;
    });
    return this.subscription;
  }

  private onNotification(n: StoreNotification): void {
    if (n.kind !== 'job-finished') return;
    for (const w of this.waiters.get(n.id) ?? []) w();
  }

  private wakeAll(): void {
    for (const set of this.waiters.values()) for (const w of set) w();
  }
}
