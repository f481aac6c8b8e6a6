/** PostgreSQL-only behaviour: transactional enqueue, LISTEN/NOTIFY, migrations under concurrency, 64-bit ids. */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FinishItem, StoreNotification } from '../../src/driver/driver.js';
import { MAX_JOB_ID } from '../../src/driver/ids.js';
import { loadMigrations } from '../../src/driver/postgres/migrate.js';
import { PostgresDriver } from '../../src/driver/postgres/postgres-driver.js';
import { newJob } from '../../src/testing/job-factory.js';
import { dropSchema, freshPostgresDriver, freshSchemaName, pgAvailable, TEST_DATABASE_URL } from '../../src/testing/postgres.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
/** The migrations this driver ships (the same numbers as SQLite's), and the schema version they lead to. */
const SHIPPED = loadMigrations();
const LATEST = SHIPPED[SHIPPED.length - 1]!.version;

/** Resolves when `predicate` holds, polling every 10 ms, or fails after `ms`. */
async function eventually(predicate: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const available = await pgAvailable();

describe.runIf(available)('PostgresDriver', () => {
  let ctx: Awaited<ReturnType<typeof freshPostgresDriver>>;
  let pool: pg.Pool;
  const extra: PostgresDriver[] = [];

  beforeEach(async () => {
    ctx = await freshPostgresDriver();
    pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 3 });
  });

  afterEach(async (t) => {
    for (const d of extra.splice(0)) await d.close();
    await ctx.driver.close();
    await pool.end();
    await ctx.cleanup(t.task.result?.state === 'fail');
  });

  const second = () => {
    const d = new PostgresDriver({ pool, schema: ctx.schema });
    extra.push(d);
    return d;
  };

  it('enqueues inside the caller\'s transaction: committed with it, or gone with its rollback', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const [kept] = await ctx.driver.jobInsertMany({ jobs: [newJob({ payload: '"kept"' })], now: T0, tx: client });
      expect(await ctx.driver.jobGet({ id: kept!.id })).toBeNull(); // not visible outside before commit
      await client.query('COMMIT');
      expect(await ctx.driver.jobGet({ id: kept!.id })).toMatchObject({ payload: '"kept"' });

      await client.query('BEGIN');
      const [gone] = await ctx.driver.jobInsertMany({ jobs: [newJob({ payload: '"gone"' })], now: T0, tx: client });
      await client.query('ROLLBACK');
      expect(await ctx.driver.jobGet({ id: gone!.id })).toBeNull();
    } finally {
      client.release();
    }
  });

  it('a refused insert leaves the caller\'s transaction usable; a client outside a transaction is refused', async () => {
    await ctx.driver.jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await expect(ctx.driver.jobInsertMany({ jobs: [newJob({ key: 'x' }), newJob({ key: 'k', dedupe: 'reject' })], now: T0, tx: client })).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
      const [ok] = await ctx.driver.jobInsertMany({ jobs: [newJob({ key: 'x' })], now: T0, tx: client });
      await client.query('COMMIT');
      expect(ok!.outcome).toBe('created');
      await expect(ctx.driver.jobInsertMany({ jobs: [newJob()], now: T0, tx: client })).rejects.toMatchObject({ code: 'JOB_OPTION_INVALID' });
      await expect(ctx.driver.jobInsertMany({ jobs: [newJob()], now: T0, tx: pool })).rejects.toMatchObject({ code: 'JOB_OPTION_INVALID' });
    } finally {
      client.release();
    }
  });

  it('notifies on commit only, every subscribed instance', async () => {
    const a: StoreNotification[] = [];
    const b: StoreNotification[] = [];
    const subA = await ctx.driver.subscribe((n) => a.push(n));
    const subB = await second().subscribe((n) => b.push(n));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await ctx.driver.jobInsertMany({ jobs: [newJob({ queue: 'rolled', runAt: T0 })], now: T0, tx: client });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await ctx.driver.jobInsertMany({ jobs: [newJob({ queue: 'mail', runAt: T0 + 5 }), newJob({ queue: 'mail', runAt: T0 + 1 })], now: T0, tx: client });
      await new Promise((r) => setTimeout(r, 100));
      expect(a).toEqual([]); // not before commit
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await eventually(() => a.length > 0 && b.length > 0);
    expect(a).toEqual([{ kind: 'job-available', queue: 'mail', runAt: T0 + 1 }]);
    expect(b).toEqual(a);

    await ctx.driver.jobInsertMany({ jobs: [newJob({ runAt: T0 })], now: T0 });
    const [c] = await ctx.driver.jobClaim({ queue: 'q', limit: 1, owner: 'w1', leaseMs: 1000, now: T0 });
    await ctx.driver.jobCancel({ id: c!.id, now: T0 });
    await ctx.driver.calendarUpsert({ name: 'kr', dates: [], now: T0 });
    await eventually(() => b.some((n) => n.kind === 'schedule-changed'));
    expect(b).toContainEqual({ kind: 'job-cancelled', id: c!.id, queue: 'q', owner: 'w1' });
    await subA.close();
    await subB.close();
  });

  it('re-establishes a lost listening connection and says so', async () => {
    const seen: StoreNotification[] = [];
    let reconnects = 0;
    const sub = await ctx.driver.subscribe((n) => seen.push(n), () => reconnects++);
    const killed = await pool.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
      WHERE application_name = 'kairos-listener' AND query ILIKE 'LISTEN "${ctx.schema}_kairos"'`);
    expect(killed.rowCount).toBe(1);
    await eventually(() => reconnects === 1);
    await ctx.driver.jobInsertMany({ jobs: [newJob({ runAt: T0 })], now: T0 });
    await eventually(() => seen.length === 1);
    await sub.close();
  });

  it('three instances migrating one schema at once apply each migration once', async () => {
    const schema = freshSchemaName();
    const drivers = [1, 2, 3].map(() => new PostgresDriver({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 }));
    try {
      const results = await Promise.all(drivers.map((d) => d.migrate()));
      const applied = results.flatMap((r) => r.applied.map((m) => m.version)).sort((a, b) => a - b);
      expect(applied).toEqual(SHIPPED.map((m) => m.version));
      expect(new Set(results.map((r) => r.version))).toEqual(new Set([LATEST]));
      expect(results.every((r) => r.pending.length === 0)).toBe(true);
    } finally {
      for (const d of drivers) await d.close();
      await dropSchema(schema, false);
    }
  });

  it('a dry run reports pending migrations with their SQL and applies nothing', async () => {
    const schema = freshSchemaName();
    const d = new PostgresDriver({ pool, schema });
    const dry = await d.migrate({ dryRun: true });
    expect(dry.applied).toEqual([]);
    expect(dry.version).toBe(0);
    expect(dry.pending.map((m) => `${m.version}_${m.name}`)).toEqual(SHIPPED.map((m) => `${m.version}_${m.name}`));
    expect(dry.pending.slice(0, 3).map((m) => m.name)).toEqual(['jobs', 'schedules', 'schedule_version']);
    expect(dry.pending[0]!.sql).toContain('CREATE TABLE kairos_jobs');
    const exists = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(exists.rowCount).toBe(0);
    expect(await ctx.driver.migrate({ dryRun: true })).toEqual({ applied: [], pending: [], version: LATEST });
    await d.close();
  });

  it('round-trips ids above 2^31 and refuses one above 2^53 − 2^20, storing nothing', async () => {
    const seq = `"${ctx.schema}".kairos_jobs_id_seq`;
    await pool.query('SELECT setval($1::regclass, $2::bigint)', [seq, 2 ** 31 + 5]);
    const [big] = await ctx.driver.jobInsertMany({ jobs: [newJob({ runAt: T0 })], now: T0 });
    expect(big!.id).toBe(2 ** 31 + 6);
    expect(await ctx.driver.jobGet({ id: big!.id })).toMatchObject({ id: 2 ** 31 + 6 });
    const [claimed] = await ctx.driver.jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000, now: T0 });
    expect(claimed!.id).toBe(2 ** 31 + 6);

    await pool.query('SELECT setval($1::regclass, $2::bigint)', [seq, String(MAX_JOB_ID)]);
    await expect(ctx.driver.jobInsertMany({ jobs: [newJob()], now: T0 })).rejects.toMatchObject({ code: 'ID_OUT_OF_RANGE' });
    await expect(ctx.driver.jobInsertMany({ jobs: [newJob({ key: 'k' })], now: T0 })).rejects.toMatchObject({ code: 'ID_OUT_OF_RANGE' });
    expect((await ctx.driver.jobList({ limit: 10 })).jobs).toHaveLength(1);
  });

  it('several instances finishing and claiming side by side neither deadlock nor lose a job', async () => {
    const jobs = Array.from({ length: 600 }, (_, i) => newJob({ runAt: T0, priority: i % 3 }));
    await ctx.driver.jobInsertMany({ jobs, now: T0 });
    const drivers = [ctx.driver, second(), second(), new PostgresDriver({ connectionString: TEST_DATABASE_URL, schema: ctx.schema, poolSize: 2 })];
    extra.push(drivers[3]!);
    const work = drivers.map(async (d, w) => {
      const owner = `w${w}`;
      let held = await d.jobClaim({ queue: 'q', limit: 20, owner, leaseMs: 60_000, now: T0 });
      while (held.length > 0) {
        // Every seventh job fails its first attempt and is retried at once, so requeues (and their attempt rows)
        // interleave with completions, heartbeats and claims of the other instances.
        const items = held.map((c): FinishItem => (c.id % 7 === 0 && c.attempt === 1
          ? { id: c.id, owner, attempt: c.attempt, startedAt: T0, outcome: 'failed', state: 'scheduled', runAt: T0, countsAttempt: true, error: '{}' }
          : { id: c.id, owner, attempt: c.attempt, startedAt: T0, outcome: 'completed', state: 'completed', countsAttempt: true }));
        await d.jobExtendLeases({ owner, ids: held.map((c) => c.id), leaseMs: 60_000, now: T0 + 1 });
        const { finished, claimed } = await d.jobFinishAndClaim({ items, claim: { queue: 'q', limit: 20, owner, leaseMs: 60_000 }, now: T0 + 1 });
        expect(finished.every(Boolean)).toBe(true);
        held = claimed;
      }
    });
    await Promise.all(work);
    expect(await ctx.driver.jobCounts()).toEqual([{ queue: 'q', state: 'completed', count: 600 }]);
    const retried = (await ctx.driver.jobList({ limit: 1000 })).jobs.filter((j) => j.id % 7 === 0);
    expect(retried.every((j) => j.attempt === 2)).toBe(true);
  });

  it('storeMaintain vacuums a churned jobs table when autovacuum is off, and leaves it to autovacuum otherwise', async () => {
    const jobs = Array.from({ length: 12_000 }, () => newJob());
    await ctx.driver.jobInsertMany({ jobs, now: T0 });
    // Delete on one connection and have it report its statistics at once: a backend that reported less than a
    // second ago otherwise holds them until it has been idle for ten seconds (PostgreSQL 15's pgstat intervals).
    const client = await pool.connect();
    try {
      await client.query(`DELETE FROM "${ctx.schema}".kairos_jobs`);
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('SELECT 1');
    } finally {
      client.release();
    }
    const autovacuum = (await pool.query<{ on: boolean }>("SELECT current_setting('autovacuum') = 'on' AS on")).rows[0]!.on;
    if (autovacuum) {
      expect(await ctx.driver.storeMaintain()).toEqual({ vacuumed: [] });
      return;
    }
    let vacuumed: string[] = [];
    await eventually(async () => (vacuumed = (await ctx.driver.storeMaintain()).vacuumed).length > 0, 20_000);
    expect(vacuumed).toEqual(['kairos_jobs']);
    await eventually(async () => {
      const r = await pool.query<{ dead: string }>('SELECT n_dead_tup AS dead FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2', [ctx.schema, 'kairos_jobs']);
      return Number(r.rows[0]!.dead) < 1000;
    }, 10_000);
    expect(await ctx.driver.storeMaintain()).toEqual({ vacuumed: [] });
  }, 60_000);

  it('leaves the database clock to PostgreSQL when now is left out', async () => {
    const dbNow = await ctx.driver.now();
    expect(Math.abs(dbNow - Date.now())).toBeLessThan(5000);
    const [r] = await ctx.driver.jobInsertMany({ jobs: [newJob({ runAt: dbNow - 1 })] });
    const [c] = await ctx.driver.jobClaim({ queue: 'q', limit: 1, owner: 'w', leaseMs: 1000 });
    expect(c!.id).toBe(r!.id);
    expect(c!.startedAt).toBeGreaterThanOrEqual(dbNow);
    const row = await ctx.driver.jobGet({ id: r!.id });
    expect(row!.leaseUntil).toBe(row!.startedAt! + 1000);
  });
});

describe.skipIf(available)('PostgresDriver (no PostgreSQL; see the notice above)', () => {
  it.skip('needs PostgreSQL', () => undefined);
});
