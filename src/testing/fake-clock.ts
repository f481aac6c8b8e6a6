/**
 * A clock for tests: time moves only when the test says so, and the engine passes this time to every query, so
 * due times, leases and backoff are all judged on it. Timers due at or before now fire on the next macrotask. After
 * each timer fires, advance() waits until every attached instance is idle (Kairos.idle()), so a test never guesses how
 * many turns of the event loop a store round trip takes.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  /** The fake time is the time: the engine passes it to every store call. */
  readonly authoritative = true;
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  private readonly idleWaits = new Set<() => Promise<void>>();

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer: Timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    if (timer.at <= this.current) setImmediate(() => this.fireDue());
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Make advance() wait for `idle` (an instance's idle()) after every timer; returns a function that detaches it. */
  attach(idle: () => Promise<void>): () => void {
    this.idleWaits.add(idle);
    return () => this.idleWaits.delete(idle);
  }

  /** Resolves once every attached instance is idle. */
  async quiesce(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const idle of this.idleWaits) await idle();
  }

  /** Timers still pending (for assertions). */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Move time forward by `ms`, firing each timer at its own instant, letting the engine run in between. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.timers.filter((t) => !t.cancelled && t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.current = Math.max(this.current, next.at);
      this.fireDue();
      await this.quiesce();
    }
    this.current = target;
    await this.quiesce();
  }

  /** Set the time (forward only) and fire what is due. */
  async set(at: number | Date): Promise<void> {
    const ms = (typeof at === 'number' ? at : at.getTime()) - this.current;
    if (ms < 0) throw new Error('FakeClock only moves forward');
    await this.advance(ms);
  }

  private fireDue(): void {
    const due = this.timers.filter((t) => !t.cancelled && t.at <= this.current).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => !t.cancelled && t.at > this.current);
    for (const t of due) {
      t.cancelled = true;
      t.fn();
    }
  }
}
