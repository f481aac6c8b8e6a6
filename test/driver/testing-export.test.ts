/**
 * `kairos/testing` resolves through the package's exports (as a third-party store's tests would import it) and
 * offers the conformance suite and the test kit.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('kairos/testing exports the conformance suite, the fake clock and the event waits', () => {
  const script = `
    const testing = await import('kairos/testing');
    const main = await import('kairos');
    const clock = new testing.FakeClock(1000);
    console.log(JSON.stringify({
      testing: Object.keys(testing).sort(),
      toJobId: main.toJobId('42'),
      authoritative: clock.authoritative,
    }));`;
  // Self-reference by package name: resolved through package.json "exports", as an installed copy would be.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({
    testing: ['FakeClock', 'collectEvents', 'makeTempDir', 'newJob', 'runDriverConformance', 'waitForEvent'],
    toJobId: 42,
    authoritative: true,
  });
});
