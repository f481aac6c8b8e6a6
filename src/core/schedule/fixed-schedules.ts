/**
 * Compiled interval and one-off rules: pure arithmetic on absolute time, never touched by time zones or DST.
 */
import { checkAfterMs, collectNext } from './cron-schedule.js';
import type { AtRule, CompiledRule, IntervalRule } from './types.js';
import { MAX_SUPPORTED_MS, MIN_SUPPORTED_MS } from './tz-offsets.js';

/** Fires at anchor + k·everyMs for every integer k (the anchor fixes the phase, not a start). */
export class IntervalSchedule implements CompiledRule {
  constructor(readonly rule: IntervalRule, private readonly anchorMs: number) {}

  next(afterMs: number): number | null {
    checkAfterMs(afterMs);
    const every = this.rule.everyMs;
    const after = Math.max(afterMs, MIN_SUPPORTED_MS - 1);
    let next = this.anchorMs + (Math.floor((after - this.anchorMs) / every) + 1) * every;
    if (next <= after) next += every;
    return next > MAX_SUPPORTED_MS ? null : next;
  }

  nextN(afterMs: number, count: number): number[] {
    return collectNext(this, afterMs, count);
  }
}

/** Fires once, at one instant. */
export class AtSchedule implements CompiledRule {
  constructor(readonly rule: AtRule, private readonly atMs: number) {}

  next(afterMs: number): number | null {
    checkAfterMs(afterMs);
    return this.atMs > afterMs ? this.atMs : null;
  }

  nextN(afterMs: number, count: number): number[] {
    return collectNext(this, afterMs, count);
  }
}
