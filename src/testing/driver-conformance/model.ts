/**
 * Conformance: a model-based run. Random sequences of inserts, claims, finishes, cancels, replays, rescues, prunes and
 * clock moves go to the driver and to an in-memory model of the queue; after every step each job the model knows is
 * read back and checked against the model, against TRANSITIONS (core/job-state.ts) and against the row invariants.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { DedupePolicy } from '../../core/job-options.js';
import type { Driver } from '../../driver/driver.js';
import { T0, type ConformanceTarget } from './context.js';
import { look } from './model-checks.js';
import { cancel, claim, enqueue, finish, prune, replay, rescue, type EnqueueItem, type FinishChoice, type FinishKind } from './model-steps.js';
import { codeOf, fail, KEYS, ModelFailure, OWNERS, QUEUES, show, type World } from './model-world.js';

/** Runs (raise with KAIROS_MODEL_RUNS), the fixed seed (KAIROS_MODEL_SEED replays another) and commands per run. */
const RUNS = envInt('KAIROS_MODEL_RUNS') ?? 40;
const SEED = envInt('KAIROS_MODEL_SEED') ?? 20260101;
const MAX_COMMANDS = 40;

function envInt(name: string): number | undefined {
  const n = Number(process.env[name]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

// ---- commands ---------------------------------------------------------------------------------------------------

/** One step: act on driver and model, then look at every job. */
class Step implements fc.AsyncCommand<World, Driver> {
  constructor(private readonly label: string, private readonly act: (w: World, d: Driver) => Promise<void>) {}
  check(): boolean {
    return true;
  }
  async run(w: World, d: Driver): Promise<void> {
    try {
      await this.act(w, d);
      await look(w, d);
    } catch (e) {
      if (e instanceof ModelFailure) throw e;
      fail(w, `the driver threw ${codeOf(e)}: ${(e as Error).message}`);
    }
  }
  toString(): string {
    return this.label;
  }
}

const pick = fc.nat({ max: 1000 });
/** True about one time in five: a job that is not running, an id no job has. */
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 });
const queue = fc.constantFrom(...QUEUES);
const key = fc.constantFrom(...KEYS);

const enqueueItem: fc.Arbitrary<EnqueueItem> = fc.record({
  queue,
  key: fc.oneof(fc.constant(null), key),
  dedupe: fc.constantFrom<DedupePolicy>('keep', 'reject', 'replace'),
  delayMs: fc.oneof(fc.constant(0), fc.integer({ min: -300, max: 1500 })),
  priority: fc.integer({ min: -1, max: 1 }),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
  deadlineMs: fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: 1200 }), weight: 1 }),
});

const finishChoice: fc.Arbitrary<FinishChoice> = fc.record({
  pick,
  anyJob: rarely,
  kind: fc.constantFrom<FinishKind>('complete', 'skip', 'fail', 'timeout', 'unrecoverable', 'snooze', 'hand-back'),
  stale: fc.oneof({ arbitrary: fc.constant('none' as const), weight: 4 }, { arbitrary: fc.constantFrom('owner' as const, 'attempt' as const), weight: 1 }),
  delayMs: fc.integer({ min: 0, max: 800 }),
});

const enqueueStep = fc.array(enqueueItem, { minLength: 1, maxLength: 3 })
  .map((items) => new Step(`enqueue ${show(items)}`, (w, d) => enqueue(w, d, items)));
const claimStep = fc.record({ queue, limit: fc.integer({ min: 1, max: 3 }), owner: fc.constantFrom(...OWNERS), leaseMs: fc.integer({ min: 100, max: 1000 }) })
  .map((p) => new Step(`claim ${show(p)}`, (w, d) => claim(w, d, p)));
const finishStep = fc.array(finishChoice, { minLength: 1, maxLength: 3 }).map((cs) => new Step(`finish ${show(cs)}`, (w, d) => finish(w, d, cs)));
const cancelStep = fc.record({ byKey: fc.boolean(), pick, missing: rarely, queue, key }).map((c) => new Step(`cancel ${show(c)}`, (w, d) => cancel(w, d, c)));
const replayStep = fc.record({ pick, missing: rarely }).map((c) => new Step(`replay ${show(c)}`, (w, d) => replay(w, d, c)));
const rescueStep = fc.record({ jump: fc.boolean(), limit: fc.integer({ min: 1, max: 3 }) }).map((c) => new Step(`rescue ${show(c)}`, (w, d) => rescue(w, d, c)));
const pruneStep = fc.record({ finishedAgo: fc.integer({ min: 0, max: 600 }), failedAgo: fc.integer({ min: 0, max: 600 }), limit: fc.integer({ min: 1, max: 4 }) })
  .map((c) => new Step(`prune ${show(c)}`, (w, d) => prune(w, d, c)));
const clockStep = fc.integer({ min: 1, max: 1500 }).map((ms) => new Step(`clock +${ms}`, async (w) => {
  w.now += ms;
  w.trace.push(`t${w.now - T0} clock moved +${ms}`);
}));

/** Enqueues, claims, finishes and clock moves come more often than the rest, so runs reach the interesting states. */
const weightedSteps = [enqueueStep, enqueueStep, enqueueStep, claimStep, claimStep, claimStep, finishStep, finishStep, finishStep, cancelStep,
  replayStep, rescueStep, pruneStep, clockStep, clockStep];

export function modelConformance(target: ConformanceTarget): void {
  describe('model-based run', () => {
    it(`random command sequences agree with the model and TRANSITIONS (${RUNS} runs, seed ${SEED})`, async () => {
      /** The store of the latest failing run, kept for a look: after shrinking, that is the smallest counterexample. */
      let kept: ((keep: boolean) => Promise<void>) | undefined;
      const property = fc.asyncProperty(fc.commands(weightedSteps, { maxCommands: MAX_COMMANDS, size: 'max' }), async (cmds) => {
        const store = await target.create();
        const world: World = { now: T0, jobs: new Map(), trace: [], serial: 0 };
        try {
          await fc.asyncModelRun(() => ({ model: world, real: store.driver }), cmds);
          await store.driver.close();
          await store.cleanup(false);
        } catch (e) {
          await store.driver.close();
          await kept?.(false);
          kept = (keep) => store.cleanup(keep);
          throw e;
        }
      });
      try {
        await fc.assert(property, { numRuns: RUNS, seed: SEED });
      } finally {
        // Keep only the last failing store (cleanup(true) prints where it is).
        await kept?.(true);
      }
    }, 60_000 + RUNS * 2_000);
  });
}
