/**
 * Shared set-up for engine tests: every engine test runs once per store (describeEachStore), each test on a fresh,
 * empty store with a fake clock that waits for the instance to be idle after every timer.
 */
import { afterEach, describe } from 'vitest';
import '../../src/stores.js';
import { Kairos, type KairosOptions } from '../../src/engine/kairos.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { freshPostgresStore, pgAvailable } from '../../src/testing/postgres.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

export const T0 = Date.UTC(2026, 5, 1, 6, 15, 0);

/** A kind of store the engine tests run against. */
export interface StoreTarget {
  name: string;
  /** A fresh, empty store: its URL, and a cleanup that keeps the data of a failed test for a look. */
  create(): Promise<{ store: string; cleanup(failed: boolean): Promise<void> }>;
}

const sqlite: StoreTarget = {
  name: 'sqlite',
  async create() {
    const dir = makeTempDir();
    return { store: `sqlite:${dir.file('kairos.db')}`, cleanup: async (failed) => dir.cleanup(failed) };
  },
};

const postgres: StoreTarget = {
  name: 'postgres',
  async create() {
    return freshPostgresStore();
  },
};

/** Every store the engine tests run on; PostgreSQL when it answers (see src/testing/postgres.ts). */
export const STORE_TARGETS: StoreTarget[] = [sqlite, ...((await pgAvailable()) ? [postgres] : [])];

const open: { kairos: Kairos; cleanup: (failed: boolean) => Promise<void> }[] = [];

afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const o of open.splice(0)) {
    await o.kairos.close({ timeoutMs: 0 }).catch(() => undefined);
    await o.cleanup(failed);
  }
});

export interface OpenedKairos {
  kairos: Kairos;
  clock: FakeClock;
  /** The store URL, for a second instance on the same store. */
  store: string;
}

/** What a test body gets for one store. */
export interface StoreContext {
  target: StoreTarget;
  /** A fresh instance on a fresh store (fake clock unless `fake: false`); closed and cleaned after the test. */
  openKairos(options?: KairosOptions & { fake?: boolean }): Promise<OpenedKairos>;
  /** Another instance on the store of `first`, sharing its fake clock. */
  openAnother(first: OpenedKairos, options?: KairosOptions): Promise<Kairos>;
}

function contextFor(target: StoreTarget): StoreContext {
  return {
    target,
    async openKairos(options = {}) {
      const { store, cleanup } = await target.create();
      const clock = new FakeClock(T0);
      const { fake = true, ...rest } = options;
      const kairos = await Kairos.open({ store, ...(fake ? { clock } : {}), ...rest });
      clock.attach(() => kairos.idle());
      open.push({ kairos, cleanup });
      return { kairos, clock, store };
    },
    async openAnother(first, options = {}) {
      const kairos = await Kairos.open({ store: first.store, clock: first.clock, ...options });
      first.clock.attach(() => kairos.idle());
      open.unshift({ kairos, cleanup: async () => undefined });
      return kairos;
    },
  };
}

/** `describe(title)` once per store in STORE_TARGETS, the body given that store's helpers. */
export function describeEachStore(title: string, body: (s: StoreContext) => void): void {
  for (const target of STORE_TARGETS) describe(`${title} [${target.name}]`, () => body(contextFor(target)));
}
