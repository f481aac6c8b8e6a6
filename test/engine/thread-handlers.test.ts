/**
 * Handlers in worker threads through the public API: payload in, result out, progress and logs relayed; timeouts and
 * cancels terminate the thread; a throw, an exit or running out of memory fails only that attempt.
 */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

const MODULE = new URL('./fixtures/thread-handler.mjs', import.meta.url);
const once = { maxAttempts: 1 };

describeEachStore('thread handlers', ({ openKairos }) => {
  it('runs the module\'s default export in a worker thread: payload in, result out, progress and logs stored', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread', concurrency: 2 });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const { id } = await kairos.enqueue('cpu', { mode: 'echo', n: 21 });
    await done;
    await kairos.idle();
    const job = await kairos.jobs.get(id);
    expect(job!.result).toMatchObject({ doubled: 42, runAtIsDate: true, attempt: 1 });
    expect((job!.result as { threadId: number }).threadId).toBeGreaterThan(0);
    expect(job!.progress).toBe(100);
    expect(job!.attempts[0]!.logs.map((l) => l.line)).toEqual([`in thread ${(job!.result as { threadId: number }).threadId}`]);
  });

  it('a throw fails the attempt with the thrown error; UnrecoverableError (by name) fails the job at once', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread' });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const thrown = await kairos.enqueue('cpu', { mode: 'throw' }, once);
    expect((await failed).error).toMatchObject({ name: 'Error', message: 'boom', code: 'E_BOOM' });
    const unrecoverable = waitForEvent(kairos, 'job:failed');
    const bad = await kairos.enqueue('cpu', { mode: 'unrecoverable' }, { maxAttempts: 5 });
    await unrecoverable;
    expect((await kairos.jobs.get(bad.id))!.attempts.map((a) => a.outcome)).toEqual(['unrecoverable']);
    expect((await kairos.jobs.get(thrown.id))!.state).toBe('failed');
  });

  it('process.exit in the thread fails only that attempt (retried in a new thread); skip travels back', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread', concurrency: 1 });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const { id } = await kairos.enqueue('cpu', { mode: 'exit-once' }, { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 1 } });
    await done;
    const job = await kairos.jobs.get(id);
    expect(job!.attempts.map((a) => a.outcome)).toEqual(['failed', 'completed']);
    expect(job!.attempts[0]!.error).toMatchObject({ name: 'HandlerThreadError', message: expect.stringContaining('exited with code 3') });
    expect(job!.result).toBe('recovered');
    const skipped = waitForEvent(kairos, 'job:skipped');
    await kairos.enqueue('cpu', { mode: 'skip' });
    expect((await skipped).reason).toBe('nothing to do');
  });

  it('running out of memory (resourceLimits) fails only that attempt, and the pool serves the next job', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread', concurrency: 1, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed', undefined, 20_000);
    await kairos.enqueue('cpu', { mode: 'oom' }, once);
    expect((await failed).error).toMatchObject({ name: 'HandlerThreadError', message: expect.stringContaining('out of memory') });
    const done = waitForEvent(kairos, 'job:completed');
    await kairos.enqueue('cpu', { mode: 'echo', n: 1 });
    expect((await done).result).toMatchObject({ doubled: 2 });
  });

  it('the job timeout terminates a thread that never yields; the next job gets a new thread', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread', concurrency: 1, timeoutMs: 300 });
    await kairos.start();
    const failed = waitForEvent(kairos, 'job:failed');
    const { id } = await kairos.enqueue('cpu', { mode: 'spin' }, once);
    await failed;
    const job = await kairos.jobs.get(id);
    expect(job!.attempts.map((a) => a.outcome)).toEqual(['timeout']);
    const done = waitForEvent(kairos, 'job:completed');
    await kairos.enqueue('cpu', { mode: 'echo', n: 5 });
    expect((await done).result).toMatchObject({ doubled: 10 });
  });

  it('a cancel terminates the running thread, and the queue goes on', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread', concurrency: 1 });
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    const { id } = await kairos.enqueue('cpu', { mode: 'spin' });
    await started;
    expect(await kairos.cancel(id)).toBe(true);
    const done = waitForEvent(kairos, 'job:completed');
    await kairos.enqueue('cpu', { mode: 'echo', n: 7 });
    expect((await done).result).toMatchObject({ doubled: 14 });
    expect((await kairos.jobs.get(id))!.state).toBe('cancelled');
  });

  it('shutdown terminates a thread still running at the bound and hands its job back without counting the attempt', async () => {
    const { kairos } = await openKairos({ fake: false });
    kairos.handle('cpu', MODULE, { isolate: 'thread', concurrency: 1 });
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    const { id } = await kairos.enqueue('cpu', { mode: 'spin' });
    await started;
    // The thread is spinning once its line has been relayed and written (the periodic write, within about a second).
    const bound = Date.now() + 10_000;
    while ((await kairos.jobs.get(id))!.attempts.at(-1)!.logs.length === 0 && Date.now() < bound) await new Promise((r) => setTimeout(r, 50));
    const handedBack = waitForEvent(kairos, 'job:handed-back');
    await kairos.stop({ timeoutMs: 100 });
    await handedBack;
    const job = await kairos.jobs.get(id);
    expect(job).toMatchObject({ state: 'scheduled', attempt: 0 });
    expect(job!.attempts.map((a) => [a.outcome, a.logs.map((l) => l.line)])).toEqual([['handed-back', ['spinning']]]);
  });

  it('refuses a TypeScript module (naming the fix), a URL that is not a file, and isolate with a function', async () => {
    const { kairos } = await openKairos();
    const ts = (() => {
      try {
        kairos.handle('a', new URL('./fixtures/handler.ts', import.meta.url), { isolate: 'thread' });
      } catch (error) {
        return error;
      }
    })();
    // Node 20 does not strip types, and loaders such as tsx do not reach worker threads: refused up front.
    expect(isKairosError(ts, 'CONFIG_INVALID')).toBe(true);
    expect((ts as Error).message).toMatch(/handler\.ts is TypeScript.*compile it to \.js.*tsx.*serves the main thread only/);
    expect(() => kairos.handle('b', new URL('https://example.com/h.js'))).toThrow(/must be a file: URL/);
    expect(() => kairos.handle('c', async () => 1, { isolate: 'thread' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { field: 'handle.isolate' } }));
    expect(() => kairos.handle('d', MODULE, { isolate: 'process' as never })).toThrow(expect.objectContaining({ details: { field: 'handle.isolate' } }));
  });
});
