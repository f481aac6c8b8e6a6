/** Shared set-up for engine tests: a Kairos instance on a temp SQLite file with a fake clock. */
import { afterEach } from 'vitest';
import '../../src/stores.js';
import { Kairos, type KairosOptions } from '../../src/engine/kairos.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

export const T0 = Date.UTC(2026, 5, 1, 6, 15, 0);

const open: { kairos: Kairos; cleanup: (failed: boolean) => void }[] = [];

afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const o of open.splice(0)) {
    await o.kairos.close({ timeoutMs: 0 }).catch(() => undefined);
    o.cleanup(failed);
  }
});

/** A fresh instance on its own file; closed (and the file removed unless the test failed) after the test. */
export async function openKairos(options: KairosOptions & { fake?: boolean } = {}): Promise<{ kairos: Kairos; clock: FakeClock; file: string }> {
  const dir = makeTempDir();
  const file = dir.file('kairos.db');
  const clock = new FakeClock(T0);
  const { fake = true, ...rest } = options;
  const kairos = await Kairos.open({ store: `sqlite:${file}`, ...(fake ? { clock } : {}), ...rest });
  open.push({ kairos, cleanup: (failed) => dir.cleanup(failed) });
  return { kairos, clock, file };
}
