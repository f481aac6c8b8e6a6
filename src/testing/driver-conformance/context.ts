/** The target a conformance run tests, and a per-test fresh driver (an isolated database for every test). */
import { afterEach, beforeEach } from 'vitest';
import type { Driver } from '../../driver/driver.js';

export interface ConformanceTarget {
  name: string;
  /** A fresh, migrated, empty store. `cleanup(failed)` keeps the data of a failed test for a look. */
  create(): Promise<{ driver: Driver; cleanup(failed: boolean): Promise<void> }>;
}

/** Registers before/after hooks and returns a getter for the current test's driver. */
export function useDriver(target: ConformanceTarget): () => Driver {
  let current: { driver: Driver; cleanup(failed: boolean): Promise<void> } | undefined;
  beforeEach(async () => {
    current = await target.create();
  });
  afterEach(async (ctx) => {
    const failed = ctx.task.result?.state === 'fail';
    await current?.driver.close();
    await current?.cleanup(failed);
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('no driver: useDriver() hooks did not run');
    return current.driver;
  };
}

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
