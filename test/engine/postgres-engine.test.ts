/** The engine end to end on PostgreSQL: real clocks, two instances sharing the work, enqueue in the caller's transaction, a schedule. */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { Kairos } from '../../src/engine/kairos.js';
import { dropSchema, freshSchemaName, pgAvailable, TEST_DATABASE_URL } from '../../src/testing/postgres.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';

const available = await pgAvailable();

describe.runIf(available)('engine on PostgreSQL', () => {
  const open: Kairos[] = [];
  let schema = '';

  afterEach(async (ctx) => {
    for (const k of open.splice(0)) await k.close({ timeoutMs: 0 }).catch(() => undefined);
    if (schema !== '') await dropSchema(schema, ctx.task.result?.state === 'fail');
    schema = '';
  });

  async function instance(): Promise<Kairos> {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('schema', schema);
    url.searchParams.set('poolSize', '4');
    const k = await Kairos.open({ store: url.toString() });
    open.push(k);
    return k;
  }

  it('two instances work one burst; each job runs once', async () => {
    schema = freshSchemaName();
    const [a, b] = [await instance(), await instance()];
    const ran = new Map<number, string>();
    for (const [name, k] of [['a', a], ['b', b]] as const) {
      k.handle('burst', async (job) => {
        if (ran.has(job.id)) throw new Error(`job ${job.id} ran twice`);
        ran.set(job.id, name);
      }, { concurrency: 8 });
    }
    await Promise.all([a.start(), b.start()]);
    const jobs = await a.enqueueMany('burst', Array.from({ length: 300 }, (_, i) => ({ payload: i })));
    // Handlers finish before their completions are written (in batches): wait for the store to say so.
    const deadline = Date.now() + 20_000;
    const allCompleted = async () => JSON.stringify(await a.jobs.counts({ queue: 'burst' })) === JSON.stringify([{ queue: 'burst', state: 'completed', count: 300 }]);
    while (!(await allCompleted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await a.jobs.counts({ queue: 'burst' })).toEqual([{ queue: 'burst', state: 'completed', count: 300 }]);
    expect(ran.size).toBe(jobs.length);
  });

  it('a job enqueued in the caller\'s transaction runs after commit, on another instance too', async () => {
    schema = freshSchemaName();
    const [producer, worker] = [await instance(), await instance()];
    worker.handle('mail', async (job) => ({ to: (job.payload as { to: string }).to }));
    await worker.start();
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      const job = await producer.enqueue('mail', { to: 'u1' }, { tx: client });
      const done = waitForEvent(worker, 'job:completed');
      await client.query('COMMIT');
      client.release();
      expect((await done).id).toBe(job.id);
    } finally {
      await pool.end();
    }
  });

  it('a schedule fires on the store clock', async () => {
    schema = freshSchemaName();
    const k = await instance();
    const fired: string[] = [];
    k.handle('tick', async (_job, ctx) => void fired.push(ctx.idempotencyKey));
    await k.start();
    await k.schedules.upsert({ id: 'tick', queue: 'tick', rule: { everyMs: 1000 } });
    const deadline = Date.now() + 5_000;
    while (fired.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fired.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fired).size).toBe(fired.length);
  });
});

describe.skipIf(available)('engine on PostgreSQL (no PostgreSQL; see the notice above)', () => {
  it.skip('needs PostgreSQL', () => undefined);
});
