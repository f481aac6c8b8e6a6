/** The job commands of the CLI (migrate, enqueue, jobs ls/show/cancel/replay, maintenance), run as child processes. */
import { describe, expect, it } from 'vitest';
import { runCli, runJson, tempStore } from './cli-process.js';

/** A job as `--json` prints it (instants as ISO strings). */
interface JobJson {
  id: number;
  queue: string;
  state: string;
  payload: unknown;
  priority: number;
  runAt: string;
  key: string | null;
  attempt: number;
  maxAttempts: number;
  tags: string[];
  attempts?: { outcome: string }[];
}

interface ErrorJson {
  error: { code: string; message: string; field: string | null };
}

describe.concurrent('kairos CLI: jobs', () => {
  it('migrate --dry-run prints the pending SQL and applies nothing; migrate applies the schema once and reports it', async (ctx) => {
    const { store } = tempStore(ctx);
    const dry = await runCli(store, ['migrate', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/at version 0; would apply 001_jobs, 002_schedules, 003_schedule_version/);
    expect(dry.stdout).toContain('CREATE TABLE kairos_jobs');
    const dryJson = await runJson<{ dryRun: boolean; applied: unknown[]; pending: { version: number; sql: string }[]; version: number }>(store, ['migrate', '--dry-run']);
    expect(dryJson).toMatchObject({ dryRun: true, applied: [], version: 0 });
    expect(dryJson.pending.map((m) => m.version).slice(0, 3)).toEqual([1, 2, 3]);
    const first = await runCli(store, ['migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 001_jobs(, \d{3}_\w+)*; schema now at version \d+/);
    const second = await runJson<{ applied: unknown[]; version: number }>(store, ['migrate']);
    expect(second.applied).toEqual([]);
    expect(second.version).toBeGreaterThanOrEqual(1);
  });

  it('enqueue stores a job with its options and jobs ls shows it', async (ctx) => {
    const { store } = tempStore(ctx);
    const args = ['enqueue', 'emails', '{"to":"ana@example.com"}', '--key', 'welcome-1', '--priority', '-3', '--max-attempts', '7', '--tag', 'a', '--tag', 'b', '--delay-ms', '60000'];
    const enqueued = await runJson<{ id: number; outcome: string; state: string }>(store, args);
    expect(enqueued).toMatchObject({ outcome: 'created', state: 'scheduled' });

    const page = await runJson<{ jobs: JobJson[]; nextCursor: number | null }>(store, ['jobs', 'ls']);
    expect(page.nextCursor).toBeNull();
    expect(page.jobs).toHaveLength(1);
    expect(page.jobs[0]).toMatchObject({
      id: enqueued.id, queue: 'emails', state: 'scheduled', payload: { to: 'ana@example.com' }, key: 'welcome-1',
      priority: -3, maxAttempts: 7, attempt: 0, tags: ['a', 'b'],
    });
    expect(Date.parse(page.jobs[0]!.runAt)).toBeGreaterThan(Date.now() + 30_000);

    const table = await runCli(store, ['jobs', 'ls', '--queue', 'emails', '--state', 'scheduled']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+QUEUE\s+STATE\s+RUN AT\s+ATTEMPT\s+KEY$/m);
    expect(table.stdout).toMatch(new RegExp(`^${enqueued.id}\\s+emails\\s+scheduled\\s+\\S+Z\\s+0/7\\s+welcome-1$`, 'm'));
  });

  it('enqueue reads the payload from stdin when it is -, and jobs ls pages with a cursor', async (ctx) => {
    const { store } = tempStore(ctx);
    for (let i = 1; i <= 3; i++) await runJson(store, ['enqueue', 'q', '-'], JSON.stringify({ n: i }));
    const first = await runJson<{ jobs: JobJson[]; nextCursor: number | null }>(store, ['jobs', 'ls', '--limit', '2']);
    expect(first.jobs.map((j) => j.payload)).toEqual([{ n: 3 }, { n: 2 }]);
    expect(first.nextCursor).not.toBeNull();
    const second = await runJson<{ jobs: JobJson[]; nextCursor: number | null }>(store, ['jobs', 'ls', '--limit', '2', '--cursor', String(first.nextCursor)]);
    expect(second.jobs.map((j) => j.payload)).toEqual([{ n: 1 }]);
    expect(second.nextCursor).toBeNull();
  });

  it('jobs show prints a job with its attempt history', async (ctx) => {
    const { store } = tempStore(ctx);
    const { id } = await runJson<{ id: number }>(store, ['enqueue', 'reports', '{"month":"2026-05"}']);
    const job = await runJson<JobJson>(store, ['jobs', 'show', String(id)]);
    expect(job).toMatchObject({ id, queue: 'reports', state: 'scheduled', payload: { month: '2026-05' }, attempts: [] });
    const text = await runCli(store, ['jobs', 'show', String(id)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^state\s+scheduled$/m);
    expect(text.stdout).toContain('attempts: none yet');
  });

  it('cancel, cancel again, retry of the cancelled job, and retry of a scheduled job', async (ctx) => {
    const { store } = tempStore(ctx);
    const { id } = await runJson<{ id: number }>(store, ['enqueue', 'q', '{}', '--delay-ms', '600000']);
    expect(await runJson(store, ['jobs', 'cancel', String(id)])).toMatchObject({ cancelled: true, job: { id, state: 'cancelled' } });
    // Already cancelled: the intent holds, so it is not an error.
    expect(await runJson(store, ['jobs', 'cancel', String(id)])).toMatchObject({ cancelled: false, job: { state: 'cancelled' } });

    const retried = await runJson<JobJson>(store, ['jobs', 'replay', String(id)]);
    expect(retried).toMatchObject({ id, state: 'scheduled' });
    expect(Date.parse(retried.runAt)).toBeLessThanOrEqual(Date.now());

    const again = await runCli(store, ['jobs', 'replay', String(id), '--json']);
    expect(again.code).toBe(5);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'JOB_STATE_CONFLICT', field: 'id' } });
    expect(again.stderr).toMatch(/^error JOB_STATE_CONFLICT: job \d+ is scheduled/m);
  });

  it('cancel --queue --key cancels the job holding the key; none left is exit 4', async (ctx) => {
    const { store } = tempStore(ctx);
    const { id } = await runJson<{ id: number }>(store, ['enqueue', 'billing', '{}', '--key', 'sub-9', '--delay-ms', '600000']);
    expect(await runJson(store, ['jobs', 'cancel', '--queue', 'billing', '--key', 'sub-9'])).toEqual({ cancelled: true, id, queue: 'billing', key: 'sub-9' });
    expect((await runJson<JobJson>(store, ['jobs', 'show', String(id)])).state).toBe('cancelled');
    const none = await runCli(store, ['jobs', 'cancel', '--queue', 'billing', '--key', 'sub-9']);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/^error JOB_NOT_FOUND: .*sub-9/m);
  });

  it('bad input exits 3 and names the field, with a JSON error document under --json', async (ctx) => {
    const { store } = tempStore(ctx);
    const delay = await runCli(store, ['enqueue', 'q', '{}', '--delay-ms', '-5', '--json']);
    expect(delay.code).toBe(3);
    expect(delay.stderr).toMatch(/^error JOB_OPTION_INVALID: delayMs: /m);
    expect((JSON.parse(delay.stdout) as ErrorJson).error).toMatchObject({ code: 'JOB_OPTION_INVALID', field: 'delayMs' });

    const payload = await runCli(store, ['enqueue', 'q', '{bad', '--json']);
    expect(payload.code).toBe(3);
    expect(payload.stderr).toMatch(/^error PAYLOAD_INVALID: payload: .*not valid JSON.*\{bad/m);
    expect((JSON.parse(payload.stdout) as ErrorJson).error).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload' });

    const queue = await runCli(store, ['enqueue', 'no spaces', '{}']);
    expect(queue.code).toBe(3);
    expect(queue.stderr).toMatch(/^error QUEUE_NAME_INVALID: queue: /m);
    expect(queue.stdout).toBe('');

    const dup = ['enqueue', 'q', '{}', '--key', 'k', '--dedupe', 'reject'];
    expect((await runCli(store, dup)).code).toBe(0);
    const taken = await runCli(store, [...dup, '--json']);
    expect(taken.code).toBe(5);
    expect((JSON.parse(taken.stdout) as ErrorJson).error).toMatchObject({ code: 'DUPLICATE_KEY', field: 'key' });
  });

  it('an unknown job id exits 4 for show, cancel and retry', async (ctx) => {
    const { store } = tempStore(ctx);
    for (const command of ['show', 'cancel', 'replay']) {
      const r = await runCli(store, ['jobs', command, '424242', '--json']);
      expect(r.code, command).toBe(4);
      expect(JSON.parse(r.stdout), command).toEqual({ error: { code: 'JOB_NOT_FOUND', message: 'job 424242 not found', field: 'id' } });
    }
  });

  it('usage errors exit 2 and leave stdout empty', async (ctx) => {
    const { store } = tempStore(ctx);
    const cases = [
      ['enqueue', 'q', '{}', '--delay-ms', 'soon'],
      ['enqueue', 'q', '{}', '--dedupe', 'sometimes'],
      ['jobs', 'show', 'abc'],
      ['jobs', 'cancel'],
      ['jobs', 'cancel', '1', '--queue', 'q', '--key', 'k'],
      ['jobs', 'ls', '--bogus'],
      ['frobnicate'],
    ];
    for (const args of cases) {
      const r = await runCli(store, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/error/);
    }
  });

  it('--store overrides KAIROS_DATABASE_URL', async (ctx) => {
    const env = tempStore(ctx);
    const other = tempStore(ctx);
    await runJson(env.store, ['enqueue', 'q', '{}', '--store', other.store]);
    expect((await runJson<{ jobs: unknown[] }>(env.store, ['jobs', 'ls'])).jobs).toHaveLength(0);
    expect((await runJson<{ jobs: unknown[] }>(other.store, ['jobs', 'ls'])).jobs).toHaveLength(1);
  });

  it('maintenance prints counts; a store that cannot be opened exits 1; --help lists the exit codes', async (ctx) => {
    const { store, dir } = tempStore(ctx);
    expect(await runJson(store, ['maintenance'])).toEqual({ rescued: 0, pruned: 0, materialized: 0 });
    const broken = await runCli(store, ['jobs', 'ls', '--store', `sqlite:${dir}/no/such/dir/kairos.db`]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error STORE_ERROR: /m);
    const help = await runCli(store, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*\n {2}4 {4}not found/);
  });
});
