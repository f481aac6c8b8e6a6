/**
 * The one source of time for the engine. Production uses {@link systemClock}; tests use testing/fake-clock.ts,
 * whose `now()` is also what the engine passes to every time-dependent query.
 */

/** A cancellable timer handle returned by {@link Clock.setTimer}. */
export interface TimerHandle {
  cancel(): void;
}

/** Time and timers. The engine never calls Date.now() or setTimeout directly. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `fn` once after `delayMs` (clamped to ≥ 0). */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  /**
   * True for a clock that decides time for the store too (a test's fake clock): the engine passes its `now` to every
   * store call. Otherwise (the default) the store's clock decides, and the engine measures its offset to it.
   */
  readonly authoritative?: boolean;
}

/** The wall clock and Node's timers. Timers are unref'd so that they never keep a process alive by themselves. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    // Node caps a timeout at 2^31-1 ms and fires at once beyond it; the engine re-checks on wake, so clamping is safe.
    const handle = setTimeout(fn, Math.min(Math.max(0, delayMs), 2_147_483_647));
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};
