/** Enqueue: options, bad input (a clear error naming the field, nothing stored), transactions, dedupe. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Kairos } from '../../src/engine/kairos.js';
import { sqliteStore } from '../../src/stores.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';
import { MAX_JOB_ID } from '../../src/driver/ids.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore, T0 } from './helpers.js';

async function count(kairos: Kairos): Promise<number> {
  return (await kairos.jobs.list({ limit: 1000 })).jobs.length;
}

describeEachStore('enqueue', ({ openKairos }) => {
  it('stores every option', async () => {
    const { kairos } = await openKairos();
    const job = await kairos.enqueue('send-push', { to: 'u1' }, {
      runAt: new Date('2026-12-01T06:15:00Z'), key: 'promo-u1', priority: 5, maxAttempts: 7,
      backoff: { type: 'exponential', baseMs: 1000, maxMs: 3_600_000 }, timeoutMs: 10_000, deadline: '2026-12-01T06:20:00Z', tags: ['promo'],
    });
    expect(await kairos.jobs.get(job.id)).toMatchObject({
      queue: 'send-push', state: 'scheduled', payload: { to: 'u1' }, runAt: new Date('2026-12-01T06:15:00Z'), key: 'promo-u1', priority: 5,
      maxAttempts: 7, backoff: { type: 'exponential', baseMs: 1000, maxMs: 3_600_000 }, timeoutMs: 10_000,
      deadline: new Date('2026-12-01T06:20:00Z'), tags: ['promo'], attempt: 0,
    });
  });

  it('delayMs counts from the engine clock', async () => {
    const { kairos } = await openKairos();
    expect((await kairos.enqueue('q', 1, { delayMs: 1500 })).runAt).toEqual(new Date(T0 + 1500));
  });

  it.each([
    ['negative delay', 1, { delayMs: -5 }, 'JOB_OPTION_INVALID', 'delayMs'],
    ['runAt and delayMs', 1, { delayMs: 5, runAt: new Date() }, 'JOB_OPTION_INVALID', 'delayMs'],
    ['invalid date', 1, { runAt: new Date('nope') }, 'JOB_OPTION_INVALID', 'runAt'],
    ['unparseable date string', 1, { runAt: 'next tuesday' }, 'JOB_OPTION_INVALID', 'runAt'],
    ['BigInt payload', { n: 10n }, undefined, 'PAYLOAD_INVALID', 'payload.n'],
    ['undefined payload', undefined, undefined, 'PAYLOAD_INVALID', 'payload'],
    ['unknown option', 1, { retries: 3 }, 'JOB_OPTION_INVALID', 'retries'],
    ['maxAttempts 0', 1, { maxAttempts: 0 }, 'JOB_OPTION_INVALID', 'maxAttempts'],
    ['maxAttempts 1.5', 1, { maxAttempts: 1.5 }, 'JOB_OPTION_INVALID', 'maxAttempts'],
    ['priority out of range', 1, { priority: 5000 }, 'JOB_OPTION_INVALID', 'priority'],
    ['deadline before runAt', 1, { runAt: T0 + 10, deadline: T0 }, 'JOB_OPTION_INVALID', 'deadline'],
    ['empty key', 1, { key: '' }, 'JOB_OPTION_INVALID', 'key'],
    ['bad dedupe', 1, { key: 'k', dedupe: 'merge' }, 'JOB_OPTION_INVALID', 'dedupe'],
    ['bad backoff type', 1, { backoff: { type: 'linear' } }, 'JOB_OPTION_INVALID', 'backoff.type'],
    ['bad backoff field', 1, { backoff: { type: 'exponential', baseMs: -1 } }, 'JOB_OPTION_INVALID', 'backoff.baseMs'],
    ['zero timeout', 1, { timeoutMs: 0 }, 'JOB_OPTION_INVALID', 'timeoutMs'],
    ['non-string tag', 1, { tags: ['ok', 3] }, 'JOB_OPTION_INVALID', 'tags[1]'],
  ])('refuses %s, naming the field, and stores nothing', async (_name, payload, options, code, field) => {
    const { kairos } = await openKairos();
    const error = await kairos.enqueue('q', payload, options as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'KairosError', code, details: { field } });
    expect((error as Error).message).toContain(field);
    expect(await count(kairos)).toBe(0);
  });

  it('refuses a cyclic payload', async () => {
    const { kairos } = await openKairos();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(kairos.enqueue('q', cyclic)).rejects.toMatchObject({ code: 'PAYLOAD_INVALID', message: expect.stringContaining('payload') });
  });

  it('refuses an oversized payload against the configured limit', async () => {
    const { kairos } = await openKairos({ payloadMaxBytes: 1024 });
    await expect(kairos.enqueue('q', { blob: 'é'.repeat(600) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { field: 'payload', limit: 1024 } });
    await expect(kairos.enqueue('q', { blob: 'a'.repeat(900) })).resolves.toMatchObject({ outcome: 'created' });
  });

  it('refuses a bad queue name', async () => {
    const { kairos } = await openKairos();
    await expect(kairos.enqueue('has space', 1)).rejects.toMatchObject({ code: 'QUEUE_NAME_INVALID', details: { field: 'queue' } });
  });

  it('enqueueMany is all or nothing and names the bad item', async () => {
    const { kairos } = await openKairos();
    const items = Array.from({ length: 100 }, (_, i) => ({ payload: { i } }));
    const bad = [...items, { payload: 1, delayMs: -1 }];
    await expect(kairos.enqueueMany('q', bad)).rejects.toMatchObject({ code: 'JOB_OPTION_INVALID', details: { field: 'items[100].delayMs' } });
    expect(await count(kairos)).toBe(0);
    // A key conflict under "reject" in the middle of a batch rolls the whole batch back.
    await kairos.enqueue('q', 0, { key: 'taken' });
    await expect(kairos.enqueueMany('q', [...items, { payload: 2, key: 'taken', dedupe: 'reject' }])).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(await count(kairos)).toBe(1);
    const ok = await kairos.enqueueMany('q', items);
    expect(ok).toHaveLength(100);
    expect(await count(kairos)).toBe(101);
  });

  it.each([
    ['delayMs 1e300', { delayMs: 1e300 }, 'delayMs'],
    ['delayMs MAX_SAFE_INTEGER', { delayMs: Number.MAX_SAFE_INTEGER }, 'delayMs'],
    ['runAt 1e300', { runAt: 1e300 }, 'runAt'],
    ['deadline before year 1', { deadline: -1e20 }, 'deadline'],
    ['a date-time without an offset', { runAt: '2026-03-01T09:00:00' }, 'runAt'],
    ['a custom backoff nobody registered', { backoff: { type: 'custom', name: 'nope' } }, 'backoff.name'],
  ])('refuses %s, stores nothing, and listing still works afterwards', async (_name, options, field) => {
    const { kairos } = await openKairos();
    await expect(kairos.enqueue('q', 1, options as never)).rejects.toMatchObject({ code: 'JOB_OPTION_INVALID', details: { field } });
    expect(await count(kairos)).toBe(0);
    await kairos.enqueue('q', 1);
    expect((await kairos.jobs.list()).jobs.map((j) => j.runAt.getTime())).toEqual([T0]);
  });

  it.each([
    ['a function nested in the payload', { user: { onClick: () => 1 } }, 'payload.user.onClick'],
    ['NaN', { amount: Number.NaN }, 'payload.amount'],
    ['Infinity in an array', { items: [1, Infinity] }, 'payload.items[1]'],
  ])('refuses %s as PAYLOAD_INVALID naming its path, instead of storing null', async (_name, payload, field) => {
    const { kairos } = await openKairos();
    await expect(kairos.enqueue('q', payload)).rejects.toMatchObject({ code: 'PAYLOAD_INVALID', details: { field } });
    expect(await count(kairos)).toBe(0);
  });

  it('names a non-object options argument as "options"', async () => {
    const { kairos } = await openKairos();
    for (const options of [5, 'soon', [1], true]) {
      await expect(kairos.enqueue('q', 1, options as never)).rejects.toMatchObject({ code: 'JOB_OPTION_INVALID', details: { field: 'options' } });
    }
    expect(await count(kairos)).toBe(0);
  });

  it('echoes at most a preview of a huge input in its message', async () => {
    const { kairos } = await openKairos();
    const huge = 'k'.repeat(1 << 20);
    const error = (await kairos.enqueue('q', 1, { key: huge }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'JOB_OPTION_INVALID', details: { field: 'key' } });
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain('1048576 characters');
  });

  it('a key repeated inside one enqueueMany names both items, not a rolled-back id', async () => {
    const { kairos } = await openKairos();
    const error = await kairos.enqueueMany('q', [{ payload: 1 }, { payload: 2, key: 'dup' }, { payload: 3, key: 'dup', dedupe: 'reject' }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DUPLICATE_KEY', details: { field: 'items[2].key', index: 2, sameCallIndex: 1 } });
    expect((error as Error).message).toMatch(/^items\[2\]\.key: item 1 of the same call has key "dup"/);
    expect(await count(kairos)).toBe(0);
  });

  it('a key is taken while its job is pending, running or completed', async () => {
    const { kairos } = await openKairos();
    kairos.handle('q', async () => 'ok');
    const a = await kairos.enqueue('q', 1, { key: 'k' });
    expect(await kairos.enqueue('q', 2, { key: 'k' })).toMatchObject({ id: a.id, outcome: 'kept' });
    await expect(kairos.enqueue('q', 2, { key: 'k', dedupe: 'reject' })).rejects.toMatchObject({ code: 'DUPLICATE_KEY', details: { field: 'key' } });
    expect(await kairos.enqueue('q', 3, { key: 'k', dedupe: 'replace' })).toMatchObject({ id: a.id, outcome: 'replaced' });
    expect((await kairos.jobs.get(a.id))!.payload).toBe(3);
  });

  it('enqueueSync refuses a bad option synchronously so the caller\'s transaction rolls back', async () => {
    const { kairos } = await openKairos();
    expect(() => kairos.enqueueSync('q', 1, { delayMs: -1 })).toThrow(expect.objectContaining({ code: 'JOB_OPTION_INVALID' }));
  });
});

describe('enqueue inside the caller\'s transaction [sqlite]', () => {
  it('joins the caller\'s better-sqlite3 transaction: rollback stores nothing, commit stores both', async () => {
    const dir = makeTempDir();
    const db = new Database(dir.file('app.db'));
    db.exec('CREATE TABLE subscriptions (id INTEGER PRIMARY KEY, user TEXT)');
    const kairos = await Kairos.open({ store: sqliteStore(db) });
    try {
      const subscribe = db.transaction((user: string, fail: boolean) => {
        db.prepare('INSERT INTO subscriptions (user) VALUES (?)').run(user);
        const job = kairos.enqueueSync('charge', { user }, { tx: db, delayMs: 1000 });
        if (fail) throw new Error('payment setup failed');
        return job;
      });
      expect(() => subscribe('u1', true)).toThrow('payment setup failed');
      expect(db.prepare('SELECT COUNT(*) AS n FROM subscriptions').get()).toEqual({ n: 0 });
      expect(await count(kairos)).toBe(0);
      const job = subscribe('u2', false);
      expect(db.prepare('SELECT COUNT(*) AS n FROM subscriptions').get()).toEqual({ n: 1 });
      expect((await kairos.jobs.get(job.id))!.payload).toEqual({ user: 'u2' });
      // The asynchronous form inside BEGIN … COMMIT on a separate connection to the same file.
      const other = new Database(dir.file('app.db'));
      other.exec('BEGIN IMMEDIATE');
      other.prepare('INSERT INTO subscriptions (user) VALUES (?)').run('u3');
      await kairos.enqueue('charge', { user: 'u3' }, { tx: other });
      other.exec('ROLLBACK');
      expect(await count(kairos)).toBe(1);
      other.close();
    } finally {
      await kairos.close();
      db.close();
      dir.cleanup(false);
    }
  });

});

describe('a connection shared with the caller [sqlite]', () => {
  it('does not claim inside the caller\'s open transaction; the job runs after the commit', async () => {
    const dir = makeTempDir();
    const db = new Database(dir.file('shared.db'));
    const clock = new FakeClock(T0);
    const kairos = await Kairos.open({ store: sqliteStore(db), pollIntervalMs: 20, clock });
    clock.attach(() => kairos.idle());
    try {
      const ran: number[] = [];
      kairos.handle('q', async (job) => void ran.push(job.id));
      await kairos.start();
      db.exec('BEGIN IMMEDIATE');
      const job = await kairos.enqueue('q', 1, { tx: db });
      // Let the worker poll five times while the transaction is open: it must not claim the uncommitted job.
      await clock.advance(100);
      expect(ran).toEqual([]);
      db.exec('ROLLBACK');
      await clock.advance(100);
      expect(ran).toEqual([]);
      expect(await kairos.jobs.get(job.id)).toBeNull();
      db.exec('BEGIN IMMEDIATE');
      const kept = await kairos.enqueue('q', 2, { tx: db });
      db.exec('COMMIT');
      const done = waitForEvent(kairos, 'job:completed');
      await clock.advance(20);
      expect((await done).id).toBe(kept.id);
      expect(ran).toEqual([kept.id]);
    } finally {
      await kairos.close();
      db.close();
      dir.cleanup(false);
    }
  });
});

describe('job ids near the limits [sqlite]', () => {
  it('round-trips ids above 2^31, and refuses to create an id a number cannot hold exactly', async () => {
    const dir = makeTempDir();
    const file = dir.file('ids.db');
    const kairos = await Kairos.open({ store: `sqlite:${file}` });
    try {
      // Move the id sequence (the rowid takes the largest id plus one) with a cancelled filler row.
      const raw = new Database(file);
      const filler = (id: number) =>
        raw.prepare(`INSERT INTO kairos_jobs (id, queue, state, payload, run_at, max_attempts, created_at, finished_at) VALUES (?, 'filler', 4, '{}', 0, 1, 0, 0)`).run(id); // 4: cancelled (driver/state-codes.ts)
      filler(2 ** 31 + 5);
      const above31 = await kairos.enqueue('q', 'a');
      expect(above31.id).toBe(2 ** 31 + 6);
      expect((await kairos.jobs.get(above31.id))!.payload).toBe('a');
      filler(MAX_JOB_ID - 1);
      const last = await kairos.enqueue('q', 'b');
      expect(last.id).toBe(MAX_JOB_ID);
      await expect(kairos.enqueue('q', 'c')).rejects.toMatchObject({ code: 'ID_OUT_OF_RANGE' });
      await expect(kairos.enqueueMany('q', Array.from({ length: 60 }, (_, i) => ({ payload: i })))).rejects.toMatchObject({ code: 'ID_OUT_OF_RANGE' });
      expect((await kairos.jobs.counts({ queue: 'q' }))).toEqual([{ queue: 'q', state: 'scheduled', count: 2 }]);
      raw.close();
    } finally {
      await kairos.close();
      dir.cleanup(false);
    }
  });

  it('a store that cannot be opened names its path', async () => {
    const dir = makeTempDir();
    const path = dir.file('no-such-dir/kairos.db');
    await expect(Kairos.open({ store: `sqlite:${path}` })).rejects.toMatchObject({ code: 'STORE_ERROR', details: { path } });
    await expect(Kairos.open({ store: `sqlite:${path}` })).rejects.toThrow(path);
    dir.cleanup(false);
  });
});
