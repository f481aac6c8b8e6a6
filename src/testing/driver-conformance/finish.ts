/** Conformance: jobFinishMany outcomes, fencing, attempt records. */
import { describe, expect, it } from 'vitest';
import type { Driver, FinishItem } from '../../driver/driver.js';
import { newJob } from '../job-factory.js';
import { T0, useDriver, type ConformanceTarget } from './context.js';

async function claimOne(d: Driver, opts: Parameters<typeof newJob>[0] = {}, owner = 'w') {
  await d.jobInsertMany({ jobs: [newJob({ runAt: T0, ...opts })], now: T0 });
  const [c] = await d.jobClaim({ queue: opts.queue ?? 'q', limit: 1, owner, leaseMs: 1000, now: T0 });
  return c!;
}

function item(c: { id: number; attempt: number }, over: Partial<FinishItem> = {}): FinishItem {
  return { id: c.id, owner: 'w', attempt: c.attempt, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true, ...over };
}

export function finishConformance(target: ConformanceTarget): void {
  describe('jobFinishMany', () => {
    const driver = useDriver(target);

    it('completes a batch; the completing attempt is in the job history', async () => {
      const a = await claimOne(driver());
      const b = await claimOne(driver());
      const applied = await driver().jobFinishMany({ items: [item(a, { result: '{"ok":true}' }), item(b)], now: T0 + 7 });
      expect(applied).toEqual([true, true]);
      expect(await driver().jobGet({ id: a.id })).toMatchObject({ state: 'completed', finishedAt: T0 + 7, result: '{"ok":true}', owner: null, workerId: 'w', startedAt: T0 });
      expect(await driver().attemptListByJob({ jobId: a.id })).toEqual([
        { jobId: a.id, attempt: 1, workerId: 'w', startedAt: T0, finishedAt: T0 + 7, outcome: 'completed', error: null, note: null },
      ]);
    });

    it('a retry requeues with the attempt counted and records the attempt with its error', async () => {
      const c = await claimOne(driver());
      const error = JSON.stringify({ name: 'Error', message: 'boom', stack: 'Error: boom\n at x' });
      await driver().jobFinishMany({ items: [item(c, { state: 'scheduled', outcome: 'failed', runAt: T0 + 500, error })], now: T0 + 10 });
      expect(await driver().jobGet({ id: c.id })).toMatchObject({ state: 'scheduled', runAt: T0 + 500, attempt: 1, owner: null, lastError: error });
      expect(await driver().attemptListByJob({ jobId: c.id })).toEqual([
        { jobId: c.id, attempt: 1, workerId: 'w', startedAt: T0, finishedAt: T0 + 10, outcome: 'failed', error, note: null },
      ]);
      const [again] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 + 500 });
      expect(again!.attempt).toBe(2);
    });

    it('snooze and hand-back give the attempt back', async () => {
      const c = await claimOne(driver());
      await driver().jobFinishMany({ items: [item(c, { state: 'scheduled', outcome: 'snoozed', runAt: T0 + 50, countsAttempt: false, note: 'snoozed 50 ms' })], now: T0 });
      expect(await driver().jobGet({ id: c.id })).toMatchObject({ state: 'scheduled', attempt: 0, runAt: T0 + 50 });
      const [again] = await driver().jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 + 50 });
      expect(again!.attempt).toBe(1);
      expect((await driver().attemptListByJob({ jobId: c.id }))[0]).toMatchObject({ outcome: 'snoozed', attempt: 1, note: 'snoozed 50 ms' });
    });

    it('failed and skipped end the job and record the attempt', async () => {
      const f = await claimOne(driver());
      const s = await claimOne(driver());
      await driver().jobFinishMany({
        items: [item(f, { state: 'failed', outcome: 'unrecoverable', error: '{"name":"UnrecoverableError","message":"no"}' }), item(s, { state: 'skipped', outcome: 'skipped', note: 'no device' })],
        now: T0 + 1,
      });
      expect(await driver().jobGet({ id: f.id })).toMatchObject({ state: 'failed', finishedAt: T0 + 1 });
      expect(await driver().jobGet({ id: s.id })).toMatchObject({ state: 'skipped' });
      expect((await driver().attemptListByJob({ jobId: s.id }))[0]).toMatchObject({ outcome: 'skipped', note: 'no device' });
    });

    it('is fenced by owner and attempt: a stale worker changes nothing', async () => {
      const c = await claimOne(driver());
      const applied = await driver().jobFinishMany({
        items: [item(c, { owner: 'intruder' }), item(c, { attempt: c.attempt + 1 }), item(c, { owner: 'intruder', state: 'failed', outcome: 'failed' })],
        now: T0,
      });
      expect(applied).toEqual([false, false, false]);
      expect(await driver().jobGet({ id: c.id })).toMatchObject({ state: 'running', owner: 'w' });
      expect(await driver().attemptListByJob({ jobId: c.id })).toEqual([]);
    });

    it('finish-and-claim writes the outcomes and claims in one call, fenced as usual', async () => {
      const c = await claimOne(driver());
      await driver().jobInsertMany({ jobs: [newJob({ runAt: T0 }), newJob({ runAt: T0 })], now: T0 });
      const { finished, claimed } = await driver().jobFinishAndClaim({
        items: [item(c, { result: '1' }), item(c, { owner: 'intruder' })],
        claim: { queue: 'q', limit: 5, owner: 'w', leaseMs: 1000 },
        now: T0 + 1,
      });
      expect(finished).toEqual([true, false]);
      expect(claimed.map((j) => j.state)).toEqual(['running', 'running']);
      expect(await driver().jobGet({ id: c.id })).toMatchObject({ state: 'completed', result: '1' });
    });

    it('a cancelled running job cannot be completed by its worker', async () => {
      const c = await claimOne(driver());
      await driver().jobCancel({ id: c.id, now: T0 + 1 });
      expect(await driver().jobFinishMany({ items: [item(c)], now: T0 + 2 })).toEqual([false]);
      expect((await driver().jobGet({ id: c.id }))!.state).toBe('cancelled');
    });
  });
}
