/** Graceful shutdown: no new claims, running jobs finish within the bound, the rest are handed back uncounted. */
import { describe, expect, it } from 'vitest';
import { JobAbortedError } from '../../src/core/job.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { openKairos } from './helpers.js';

describe('stop()', () => {
  it('lets a running job finish within the bound and claims nothing new', async () => {
    const { kairos } = await openKairos({ fake: false });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = waitForEvent(kairos, 'job:started');
    const ran: number[] = [];
    kairos.handle('q', async (job) => {
      ran.push(job.payload as number);
      if (job.payload === 1) await gate;
    }, { concurrency: 1 });
    await kairos.start();
    const first = await kairos.enqueue('q', 1);
    await started;
    const second = await kairos.enqueue('q', 2);
    const stopping = kairos.stop({ timeoutMs: 5_000 });
    setTimeout(release, 50);
    await stopping;
    expect(ran).toEqual([1]);
    expect((await kairos.jobs.get(first.id))!.state).toBe('completed');
    expect((await kairos.jobs.get(second.id))!.state).toBe('scheduled');
  });

  it('aborts what is still running at the bound and hands it back without counting the attempt', async () => {
    const { kairos } = await openKairos({ fake: false });
    let reason: unknown;
    const started = waitForEvent(kairos, 'job:started');
    kairos.handle('q', (_job, ctx) => new Promise((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
        resolve(undefined);
      });
    }));
    await kairos.start();
    const job = await kairos.enqueue('q', {}, { maxAttempts: 1 });
    await started;
    const handedBack = waitForEvent(kairos, 'job:handed-back');
    const t = Date.now();
    await kairos.stop({ timeoutMs: 100 });
    expect(Date.now() - t).toBeLessThan(5_000);
    await handedBack;
    expect(reason).toBeInstanceOf(JobAbortedError);
    expect((reason as JobAbortedError).reason).toBe('shutdown');
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'scheduled', attempt: 0, maxAttempts: 1 });
    expect(detail.attempts).toMatchObject([{ attempt: 1, outcome: 'handed-back', note: 'shutdown' }]);
  });
});

describe('stop() with a claim in flight', () => {
  it('hands back what a slow store returns after shutdown instead of running it', async () => {
    const { Kairos } = await import('../../src/engine/kairos.js');
    const { SqliteDriver } = await import('../../src/driver/sqlite/sqlite-driver.js');
    const { resolveConfig } = await import('../../src/core/config.js');
    const { makeTempDir } = await import('../../src/testing/temp-dir.js');
    const dir = makeTempDir();
    const real = new SqliteDriver({ filename: dir.file('slow.db') });
    // The real store, with its claims held until the test lets them go (as a network store's might be).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let claimStarted!: () => void;
    const claimSeen = new Promise<void>((r) => (claimStarted = r));
    const slow = Object.create(real) as typeof real;
    slow.jobClaim = async (p) => {
      claimStarted();
      await held;
      return real.jobClaim(p);
    };
    const kairos = new Kairos(slow, resolveConfig({}));
    let ran = false;
    kairos.handle('q', async () => void (ran = true));
    const job = await kairos.enqueue('q', 1);
    await kairos.start();
    await claimSeen;
    const stopping = kairos.stop({ timeoutMs: 100 });
    await new Promise((r) => setTimeout(r, 150));
    release();
    await stopping;
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toBe(false);
    const detail = (await kairos.jobs.get(job.id))!;
    expect(detail).toMatchObject({ state: 'scheduled', attempt: 0 });
    expect(detail.attempts.map((a) => a.outcome)).toEqual(['handed-back']);
    await kairos.close();
    dir.cleanup(false);
  });
});
