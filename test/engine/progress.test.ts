/** ctx.progress and ctx.log through the public API: stored per attempt, bounded, fenced, visible while running. */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { LOG_LINE_MAX_BYTES, LOG_LINES_MAX, REPORT_FLUSH_MS } from '../../src/engine/attempt-reports.js';
import type { JobContext } from '../../src/engine/job-context.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

describeEachStore('progress and logs', ({ openKairos, openAnother }) => {
  it('stores the latest progress and the log lines with the attempt, shown by jobs.get', async () => {
    const { kairos } = await openKairos();
    kairos.handle('import', async (_job, ctx) => {
      ctx.log('reading file');
      ctx.progress(10);
      ctx.progress({ rows: 500, of: 1000 });
      ctx.log('half way');
      return 'ok';
    });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const { id } = await kairos.enqueue('import', {});
    await done;
    await kairos.idle();
    const job = await kairos.jobs.get(id);
    expect(job!.progress).toEqual({ rows: 500, of: 1000 });
    expect(job!.attempts).toHaveLength(1);
    expect(job!.attempts[0]!.progress).toEqual({ rows: 500, of: 1000 });
    expect(job!.attempts[0]!.logs.map((l) => l.line)).toEqual(['reading file', 'half way']);
    expect(job!.attempts[0]!.logs[0]!.at).toBeInstanceOf(Date);
  });

  it('keeps each attempt\'s lines apart across retries; the job shows the newest progress', async () => {
    const { kairos, clock } = await openKairos();
    kairos.handle('q', async (_job, ctx) => {
      ctx.log(`try ${ctx.attempt}`);
      ctx.progress(ctx.attempt * 10);
      if (ctx.attempt === 1) throw new Error('first try fails');
    }, { backoff: { type: 'fixed', delayMs: 1000 } });
    await kairos.start();
    const retried = waitForEvent(kairos, 'job:retrying');
    const { id } = await kairos.enqueue('q', {});
    await retried;
    const done = waitForEvent(kairos, 'job:completed');
    await clock.advance(1000);
    await done;
    await kairos.idle();
    const job = await kairos.jobs.get(id);
    expect(job!.attempts.map((a) => [a.outcome, a.progress, a.logs.map((l) => l.line)])).toEqual([
      ['failed', 10, ['try 1']],
      ['completed', 20, ['try 2']],
    ]);
    expect(job!.progress).toBe(20);
  });

  it('shows progress of a running attempt once the periodic write has run', async () => {
    const { kairos, clock } = await openKairos();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    kairos.handle('long', async (_job, ctx) => {
      ctx.progress(42);
      ctx.log('started');
      await gate;
    });
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    const { id } = await kairos.enqueue('long', {});
    await started;
    expect((await kairos.jobs.get(id))!.progress).toBeNull();
    await clock.advance(REPORT_FLUSH_MS);
    await kairos.idle();
    const running = await kairos.jobs.get(id);
    expect(running!.state).toBe('running');
    expect(running!.progress).toBe(42);
    expect(running!.attempts.at(-1)).toMatchObject({ outcome: 'running', progress: 42, logs: [{ line: 'started' }] });
    const done = waitForEvent(kairos, 'job:completed');
    release();
    await done;
  });

  it('bounds what an attempt keeps: 200 lines then one counting the rest, lines cut to 1 KiB, progress checked', async () => {
    const { kairos } = await openKairos();
    const errors: unknown[] = [];
    kairos.handle('chatty', async (_job, ctx) => {
      ctx.log('é'.repeat(2000));
      for (let i = 1; i < 250; i++) ctx.log(`line ${i}`);
      for (const bad of [Number.NaN, 'text', null, { n: 1n }, { big: 'x'.repeat(5000) }]) {
        try {
          ctx.progress(bad as never);
        } catch (error) {
          errors.push(isKairosError(error, 'PROGRESS_INVALID') ? (error as Error).message : error);
        }
      }
    });
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const { id } = await kairos.enqueue('chatty', {});
    await done;
    await kairos.idle();
    const logs = (await kairos.jobs.get(id))!.attempts[0]!.logs.map((l) => l.line);
    expect(logs).toHaveLength(LOG_LINES_MAX + 1);
    expect(Buffer.byteLength(logs[0]!, 'utf8')).toBeLessThanOrEqual(LOG_LINE_MAX_BYTES);
    expect(logs[0]!.endsWith('é…')).toBe(true);
    expect(logs[LOG_LINES_MAX - 1]).toBe(`line ${LOG_LINES_MAX - 1}`);
    expect(logs[LOG_LINES_MAX]).toBe('[kairos] 50 more log lines dropped (at most 200 per attempt)');
    expect(errors).toHaveLength(5);
    expect(errors[3]).toMatch(/^progress\.n: is a BigInt/);
    expect(errors[4]).toMatch(/^progress: \d+ bytes as JSON, over the limit of 4096 bytes/);
  });

  it('a context whose run has ended takes no more reports, even when the next run has the same attempt (a snooze)', async () => {
    const { kairos, clock } = await openKairos();
    let stale: JobContext | undefined;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    kairos.handle('q', async (_job, ctx) => {
      if (stale === undefined) {
        stale = ctx;
        return ctx.snooze(1000);
      }
      ctx.log('second run');
      await gate;
    });
    await kairos.start();
    const snoozed = waitForEvent(kairos, 'job:snoozed');
    const { id } = await kairos.enqueue('q', {});
    await snoozed;
    const started = waitForEvent(kairos, 'job:started');
    await clock.advance(1000);
    expect((await started).attempt).toBe(1);
    stale!.log('late line of the first run');
    stale!.progress(99);
    const done = waitForEvent(kairos, 'job:completed');
    release();
    await done;
    await kairos.idle();
    const job = await kairos.jobs.get(id);
    expect(job!.attempts.map((a) => [a.outcome, a.logs.map((l) => l.line)])).toEqual([['snoozed', []], ['completed', ['second run']]]);
    expect(job!.progress).toBeNull();
  });

  it('a worker that lost the job cannot write: lines after a cancel by another instance are not stored', async () => {
    const first = await openKairos();
    const { kairos, clock } = first;
    const other = await openAnother(first);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let late: (() => void) | undefined;
    kairos.handle('q', async (_job, ctx) => {
      ctx.log('before');
      late = () => ctx.log('after the cancel');
      await gate;
    });
    await kairos.start();
    const started = waitForEvent(kairos, 'job:started');
    const { id } = await kairos.enqueue('q', {});
    await started;
    await clock.advance(REPORT_FLUSH_MS);
    await kairos.idle();
    expect(await other.cancel(id)).toBe(true);
    late!();
    await clock.advance(REPORT_FLUSH_MS);
    await kairos.idle();
    release();
    await kairos.idle();
    const job = await other.jobs.get(id);
    expect(job!.state).toBe('cancelled');
    expect(job!.attempts.flatMap((a) => a.logs.map((l) => l.line))).toEqual(['before']);
  });
});
