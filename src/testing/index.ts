/**
 * `kairos/testing`: what a test of an application or of a third-party store needs: the driver conformance suite
 * (run it against your Driver with vitest), a fake clock that waits for the engine to be idle, typed event waits,
 * a job row factory and temporary directories.
 */
export { runDriverConformance } from './driver-conformance/index.js';
export type { ConformanceTarget } from './driver-conformance/index.js';
export { FakeClock } from './fake-clock.js';
export { waitForEvent, collectEvents } from './wait-for-event.js';
export { newJob } from './job-factory.js';
export { makeTempDir } from './temp-dir.js';
export type { TempDir } from './temp-dir.js';
