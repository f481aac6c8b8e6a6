// In-process bookkeeping of one trial: what the handler saw, and the process's memory.
import { readFileSync, writeFileSync } from 'node:fs';
import { latencySummary } from './stats.mjs';

/**
 * The measuring handler and its records. `onJob(payload)` is what adapters call for every job: it notes the start
 * time (Date.now(), the same clock the due times use), counts how often each payload.i ran, records lateness
 * (start − payload.due) on the first run of a job that has a due time, awaits one microtask (the no-op async
 * handler), then counts the job done. Jobs whose payload has no numeric `i` are counted as `unexpected`.
 */
export function createJobTracker() {
  const runs = new Map(); // payload.i -> handler invocations
  const lateness = [];
  const lateIds = []; // payload.i of each lateness sample
  let done = 0;
  let firstStartAt = 0;
  let lastDoneAt = 0;
  let unexpected = 0;
  let waiter = null; // { target, resolve, timer }

  async function onJob(payload) {
    const startedAt = Date.now();
    if (firstStartAt === 0) firstStartAt = startedAt;
    const i = payload?.i;
    if (typeof i !== 'number') {
      unexpected++;
      return;
    }
    const count = (runs.get(i) ?? 0) + 1;
    runs.set(i, count);
    if (count === 1 && typeof payload.due === 'number') {
      lateness.push(startedAt - payload.due);
      lateIds.push(i);
    }
    await Promise.resolve();
    if (count !== 1) return;
    done++;
    lastDoneAt = Date.now();
    if (waiter !== null && done >= waiter.target) settle(true);
  }

  function settle(value) {
    const w = waiter;
    waiter = null;
    clearTimeout(w.timer);
    w.resolve(value);
  }

  /** Resolves true once `target` distinct jobs are done, false when `deadline` (epoch ms) passes first. */
  function whenDone(target, deadline) {
    if (done >= target) return Promise.resolve(true);
    if (waiter !== null) throw new Error('whenDone: one waiter at a time');
    return new Promise((resolve) => {
      waiter = { target, resolve, timer: setTimeout(() => settle(false), Math.max(0, deadline - Date.now())) };
    });
  }

  /** Missing / duplicated job ids against 0..expected-1. */
  function integrity(expected) {
    let duplicates = 0;
    let outOfRange = 0;
    for (const [i, c] of runs) {
      if (c > 1) duplicates += c - 1;
      if (!(i >= 0 && i < expected)) outOfRange++;
    }
    const out = { expected, distinctProcessed: runs.size, duplicates, missing: expected - (runs.size - outOfRange) };
    if (outOfRange) out.outOfRange = outOfRange;
    if (unexpected) out.unexpected = unexpected;
    return out;
  }

  return {
    onJob,
    whenDone,
    integrity,
    latency: () => latencySummary(lateness),
    /** The k latest starts: [{ i, lateMs }], latest first. */
    worst(k) {
      return lateness.map((lateMs, j) => ({ i: lateIds[j], lateMs })).sort((x, y) => y.lateMs - x.lateMs).slice(0, k);
    },
    get done() { return done; },
    get firstStartAt() { return firstStartAt; },
    get lastDoneAt() { return lastDoneAt; },
    get unexpected() { return unexpected; },
  };
}

/** VmHWM (peak resident set since start or the last reset) from /proc/self/status, MB; null off Linux. */
function vmHwmMB() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : null;
  } catch {
    return null;
  }
}

/**
 * Process memory. `peakMB()` is the RSS sampled every `everyMs` (50 ms, as the shared harness does; a synchronous
 * stretch of work hides its transient peak from the sampler). `hwmMB()` is the kernel's exact high-water mark.
 * `reset()` starts a new phase: sampled peak and kernel high-water mark (via /proc/self/clear_refs) both restart,
 * while `osMaxMB()` keeps the whole process's high-water mark across resets (process.resourceUsage().maxRSS).
 */
export function createRssSampler(everyMs = 50) {
  let peak = process.memoryUsage().rss;
  let osMaxBeforeReset = 0;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
    return rss;
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  const osMaxNow = () => process.resourceUsage().maxRSS / 1024;
  return {
    sample,
    peakMB: () => +(Math.max(peak, sample()) / 1048576).toFixed(1),
    hwmMB: vmHwmMB,
    osMaxMB: () => +Math.max(osMaxBeforeReset, osMaxNow()).toFixed(1),
    reset() {
      osMaxBeforeReset = Math.max(osMaxBeforeReset, osMaxNow());
      try {
        writeFileSync('/proc/self/clear_refs', '5');
      } catch { /* not Linux, or not permitted: hwmMB() then covers the whole process */ }
      peak = process.memoryUsage().rss;
    },
    stop: () => clearInterval(timer),
  };
}

export const mb = (bytes) => +(bytes / 1048576).toFixed(1);
