/**
 * Flow control through the library, on real time and two instances per store: a ledger of every attempt's start and
 * end shows the limits held — concurrency at no instant above the limit, a reserved lane kept and returned, no rate
 * window exceeded, one running job per partition key in order. Assertions are about order and counts, not durations.
 */
import { expect, it } from 'vitest';
import { isKairosError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/clock.js';
import type { Kairos } from '../../src/engine/kairos.js';
import { describeEachStore } from './helpers.js';

interface Entry {
  id: number;
  queue: string;
  key: string | null;
  seq: number;
  at: 'start' | 'end';
}

/** A ledger of starts and ends, in the order this process saw them (both instances live in this process). */
class Ledger {
  readonly entries: Entry[] = [];
  private seq = 0;

  record(id: number, queue: string, key: string | null, at: Entry['at']): void {
    this.entries.push({ id, queue, key, seq: this.seq++, at });
  }

  /** The most attempts running at once, over all entries that `filter` keeps. */
  peak(filter: (e: Entry) => boolean = () => true): number {
    let now = 0;
    let peak = 0;
    for (const e of this.entries.filter(filter)) {
      now += e.at === 'start' ? 1 : -1;
      peak = Math.max(peak, now);
    }
    return peak;
  }

  starts(filter: (e: Entry) => boolean = () => true): Entry[] {
    return this.entries.filter((e) => e.at === 'start' && filter(e));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Handles `queue` on `k`, recording each attempt in the ledger; every attempt takes `ms` of real time. */
function handleWithLedger(k: Kairos, queue: string, ledger: Ledger, ms: number, concurrency = 5): void {
  k.handle(queue, async (job) => {
    const key = (job.payload as { key?: string } | null)?.key ?? null;
    ledger.record(job.id, queue, key, 'start');
    await sleep(ms);
    ledger.record(job.id, queue, key, 'end');
  }, { concurrency });
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describeEachStore('flow control', ({ openKairos, openAnother }) => {
  const realTime = { fake: false, pollIntervalMs: 100 } as const;
  /** The second instance on real time too (openAnother would give it the first one's fake clock). */
  const second_ = { clock: systemClock, pollIntervalMs: 100 };

  it('keeps concurrency at the limit across instances and the reserved lane for its jobs (no lending)', async () => {
    const first = await openKairos(realTime);
    const second = await openAnother(first, second_);
    await first.kairos.limiters.upsert({ id: 'gateway', concurrency: 3, lanes: { signup: { reserved: 1 } } });
    await first.kairos.queues.upsert('renewals', { limiter: 'gateway', lane: 'renewal' });
    await first.kairos.queues.upsert('signups', { limiter: 'gateway', lane: 'signup' });
    const ledger = new Ledger();
    for (const k of [first.kairos, second]) {
      handleWithLedger(k, 'renewals', ledger, 15);
      handleWithLedger(k, 'signups', ledger, 15);
      await k.start();
    }
    await first.kairos.enqueueMany('renewals', Array.from({ length: 40 }, (_, i) => ({ payload: { i } })));
    await until(() => ledger.starts().length >= 5);
    await second.enqueueMany('signups', Array.from({ length: 6 }, (_, i) => ({ payload: { i } })));
    await until(async () => (await first.kairos.queues.get('renewals'))?.counts.completed === 40 && (await first.kairos.queues.get('signups'))?.counts.completed === 6);
    expect(ledger.peak()).toBeLessThanOrEqual(3);
    // Renewals never took the reserved slot, even with the sign-up lane idle.
    expect(ledger.peak((e) => e.queue === 'renewals')).toBe(2);
  });

  it('lends the idle reserved slot and gives it back at the next free slot', async () => {
    const first = await openKairos(realTime);
    const second = await openAnother(first, second_);
    await first.kairos.limiters.upsert({ id: 'gateway', concurrency: 3, lanes: { signup: { reserved: 1 } }, lend: true });
    await first.kairos.queues.upsert('renewals', { limiter: 'gateway', lane: 'renewal' });
    await first.kairos.queues.upsert('signups', { limiter: 'gateway', lane: 'signup' });
    const ledger = new Ledger();
    // The first three renewals hold their slots until released one by one, so the test decides when a slot frees.
    const held: (() => void)[] = [];
    let holding = true;
    for (const k of [first.kairos, second]) {
      k.handle('renewals', async (job) => {
        ledger.record(job.id, 'renewals', null, 'start');
        if (holding) await new Promise<void>((release) => held.push(release));
        else await sleep(5);
        ledger.record(job.id, 'renewals', null, 'end');
      }, { concurrency: 5 });
      handleWithLedger(k, 'signups', ledger, 5);
      await k.start();
    }
    // The sign-up arrives behind 10,000 queued renewals, which borrowed its idle reserved slot.
    await first.kairos.enqueueMany('renewals', Array.from({ length: 10_000 }, (_, i) => ({ payload: { i } })));
    await until(() => held.length === 3);
    holding = false;
    expect(ledger.peak((e) => e.queue === 'renewals')).toBe(3);
    const signup = await second.enqueue('signups', { user: 'new' });
    const mark = ledger.entries.length;
    held.shift()!();
    await until(() => ledger.starts((e) => e.queue === 'signups').length === 1);
    // One slot came free (the renewal released above): the sign-up took it, no renewal did — it waited for one
    // slot's service time and no more, and nothing running was preempted.
    const since = ledger.entries.slice(mark);
    const firstStart = since.find((e) => e.at === 'start');
    expect(firstStart).toMatchObject({ queue: 'signups', id: signup.id });
    expect(since.slice(0, since.indexOf(firstStart!)).filter((e) => e.at === 'end').map((e) => e.queue)).toEqual(['renewals']);
    for (const release of held.splice(0)) release();
    await until(async () => ledger.starts().length >= 30);
    expect(ledger.peak()).toBeLessThanOrEqual(3);
    for (const k of [first.kairos, second]) await k.stop({ timeoutMs: 1_000 });
    const status = await first.kairos.limiters.status('gateway');
    expect(status).toMatchObject({ id: 'gateway', concurrency: 3, running: 0 });
    expect(status.lanes.find((l) => l.lane === 'renewal')?.waiting).toBeGreaterThan(9_000);
  });

  it('never starts more than the rate allows in any window, across instances', async () => {
    const first = await openKairos(realTime);
    const second = await openAnother(first, second_);
    await first.kairos.limiters.upsert({ id: 'api', rate: { limit: 4, perMs: 250 } });
    const ledger = new Ledger();
    for (const k of [first.kairos, second]) {
      handleWithLedger(k, 'calls', ledger, 1);
      await k.start();
    }
    const jobs = await first.kairos.enqueueMany('calls', Array.from({ length: 16 }, (_, i) => ({ payload: { i }, limiter: 'api' })));
    await until(async () => (await first.kairos.queues.get('calls'))?.counts.completed === 16);
    const starts = (await Promise.all(jobs.map((j) => first.kairos.jobs.get(j.id)))).map((j) => j!.startedAt!.getTime()).sort((a, b) => a - b);
    for (let i = 4; i < starts.length; i++) expect(starts[i]! - starts[i - 4]!).toBeGreaterThanOrEqual(250);
    // Held back, jobs were not attempted more than once.
    expect((await first.kairos.jobs.list({ queue: 'calls', limit: 100 })).jobs.every((j) => j.attempt === 1)).toBe(true);
  });

  it('runs one job per partition key at a time, in order, and a hot key does not hold the others back', async () => {
    const first = await openKairos(realTime);
    const second = await openAnother(first, second_);
    const ledger = new Ledger();
    for (const k of [first.kairos, second]) {
      handleWithLedger(k, 'pushes', ledger, 5, 4);
      await k.start();
    }
    const items: { payload: { key: string; i: number }; partitionKey: string }[] = [];
    for (let i = 0; i < 30; i++) items.push({ payload: { key: 'hot', i }, partitionKey: 'hot' });
    for (let i = 0; i < 30; i++) items.push({ payload: { key: `u${i % 10}`, i }, partitionKey: `u${i % 10}` });
    const enqueued = await first.kairos.enqueueMany('pushes', items);
    await until(async () => (await first.kairos.queues.get('pushes'))?.counts.completed === 60);
    for (const key of ['hot', ...Array.from({ length: 10 }, (_, i) => `u${i}`)]) {
      expect(ledger.peak((e) => e.key === key)).toBe(1);
      const order = ledger.starts((e) => e.key === key).map((e) => e.id);
      expect(order).toEqual(enqueued.filter((j, i) => (items[i]!.payload.key === key)).map((j) => j.id));
    }
    // Every other key was done while the hot key still had most of its line ahead of it.
    const lastOther = Math.max(...ledger.entries.filter((e) => e.key !== 'hot' && e.at === 'end').map((e) => e.seq));
    const hotDoneBefore = ledger.starts((e) => e.key === 'hot' && e.seq < lastOther).length;
    expect(hotDoneBefore).toBeLessThan(30);
  });

  it('refuses an enqueue past the queue capacity with QUEUE_FULL and stores none of a batch', async () => {
    const { kairos } = await openKairos();
    await kairos.queues.upsert('bounded', { capacity: 5 });
    await kairos.enqueueMany('bounded', Array.from({ length: 4 }, (_, i) => ({ payload: i })));
    const error = await kairos.enqueueMany('bounded', [{ payload: 'a' }, { payload: 'b' }]).catch((e: unknown) => e);
    expect(isKairosError(error, 'QUEUE_FULL')).toBe(true);
    expect((error as Error).message).toContain('may hold 5 jobs');
    expect((await kairos.queues.get('bounded'))?.counts.scheduled).toBe(4);
    await kairos.enqueue('bounded', 'last');
    expect(isKairosError(await kairos.enqueue('bounded', 'over').catch((e: unknown) => e), 'QUEUE_FULL')).toBe(true);
  });

  it('validates limiters and flow options, naming the field', async () => {
    const { kairos } = await openKairos();
    const cases: [unknown, string][] = [
      [{ id: 'x y', concurrency: 1 }, 'id'],
      [{ id: 'g', concurrency: 0 }, 'concurrency'],
      [{ id: 'g' }, 'concurrency'],
      [{ id: 'g', concurrency: 2, lanes: { a: { reserved: 2 }, b: { reserved: 1 } } }, 'lanes'],
      [{ id: 'g', concurrency: 2, lanes: { a: { reserved: -1 } } }, 'lanes.a.reserved'],
      [{ id: 'g', rate: { limit: 0, perMs: 10 } }, 'rate.limit'],
      [{ id: 'g', rate: { limit: 1, perMs: 1.5 } }, 'rate.perMs'],
      [{ id: 'g', concurrency: 1, lend: 'yes' }, 'lend'],
      [{ id: 'g', concurrency: 1, colour: 'red' }, 'colour'],
    ];
    for (const [def, field] of cases) {
      const error = await kairos.limiters.upsert(def as never).catch((e: unknown) => e);
      expect(isKairosError(error, 'LIMITER_OPTION_INVALID'), JSON.stringify(def)).toBe(true);
      expect((error as { details: { field: string } }).details.field).toBe(field);
    }
    expect(await kairos.limiters.list()).toEqual([]);
    for (const [opts, field] of [[{ partitionKey: '' }, 'partitionKey'], [{ limiter: 'a b' }, 'limiter'], [{ partitionMode: 'lenient' }, 'partitionMode']] as const) {
      const error = await kairos.enqueue('q', 1, opts as never).catch((e: unknown) => e);
      expect((error as { details: { field: string } }).details.field).toBe(field);
    }
    const missing = await kairos.limiters.remove('nope').catch((e: unknown) => e);
    expect(isKairosError(missing, 'LIMITER_NOT_FOUND')).toBe(true);
  });
});
