/**
 * `kairos/testing` resolves through the package's exports (as a third-party store's tests would import it, from a
 * vitest test file) and offers the conformance suite and the test kit.
 */
import { expect, it } from 'vitest';

it('kairos/testing exports the conformance suite, the fake clock and the event waits', async () => {
  // Self-reference by package name: resolved through package.json "exports" to dist/, as an installed copy would be.
  const testing = await import('kairos/testing');
  const main = await import('kairos');
  expect(Object.keys(testing).sort()).toEqual(['FakeClock', 'collectEvents', 'makeTempDir', 'newJob', 'runDriverConformance', 'waitForEvent']);
  expect(new testing.FakeClock(1000).authoritative).toBe(true);
  expect(main.toJobId('42')).toBe(42);
  expect(() => main.toJobId(String(2 ** 53))).toThrow(expect.objectContaining({ code: 'ID_OUT_OF_RANGE' }));
});
