/**
 * The job and schedule commands against a running server (`--url`, `--api-key` or KAIROS_API_KEY) instead of a store:
 * the same output and exit codes, the store never opened by the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, STORE_TARGETS, type TestService } from '../service/helpers.js';
import { runCli } from './cli-process.js';

/** A store URL the CLI would fail to open: proof that --url commands never touch a store. */
const NO_STORE = 'sqlite:/nonexistent-dir/kairos.db';

describe('job and schedule commands over HTTP', () => {
  let t: TestService;
  let remote: (args: string[]) => ReturnType<typeof runCli>;
  beforeAll(async () => {
    t = await startTestService(STORE_TARGETS[0]!);
    remote = (args) => runCli(NO_STORE, [...args, '--url', t.service.url, '--api-key', t.adminKey]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('enqueues, lists, shows, cancels and replays jobs', async () => {
    const made = await remote(['enqueue', 'mail', '{"to":"u1"}', '--delay-ms', '3600000', '--key', 'k-1', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const job = JSON.parse(made.stdout) as { id: number; outcome: string };
    expect(job.outcome).toBe('created');
    const ls = await remote(['jobs', 'ls', '--queue', 'mail']);
    expect(ls.stdout).toMatch(new RegExp(`^${job.id}\\s+mail\\s+scheduled`, 'm'));
    const show = await remote(['jobs', 'show', String(job.id), '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: job.id, payload: { to: 'u1' }, key: 'k-1' });
    expect((await remote(['jobs', 'cancel', String(job.id)])).stdout).toContain(`cancelled job ${job.id}`);
    expect((await remote(['jobs', 'replay', String(job.id)])).code).toBe(0);
    expect((await remote(['jobs', 'cancel', '--queue', 'mail', '--key', 'k-1'])).code).toBe(0);
    expect((await remote(['jobs', 'show', '999999'])).code).toBe(4);
    expect((await remote(['enqueue', 'bad queue', '{}'])).code).toBe(3);
  });

  it('adds, lists, previews, pauses and removes schedules', async () => {
    const add = await remote(['schedules', 'add', 'digest', '--queue', 'mail', '--cron', '0 9 * * MON', '--tz', 'Europe/Paris']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('created schedule digest');
    expect((await remote(['schedules', 'ls'])).stdout).toContain('digest');
    const preview = await remote(['schedules', 'preview', '--cron', '0 12 * * *', '-n', '2', '--json']);
    expect((JSON.parse(preview.stdout) as { occurrences: unknown[] }).occurrences).toHaveLength(2);
    expect((await remote(['schedules', 'pause', 'digest'])).code).toBe(0);
    expect((await remote(['schedules', 'show', 'digest'])).stdout).toMatch(/paused/);
    expect((await remote(['schedules', 'rm', 'digest'])).code).toBe(0);
    expect((await remote(['schedules', 'rm', 'digest'])).code).toBe(4);
    expect((await remote(['schedules', 'add', 'bad', '--queue', 'mail', '--cron', '0 61 * * *'])).code).toBe(3);
  });

  it('fails with a clear error for a wrong key or an unreachable server', async () => {
    const wrong = await runCli(NO_STORE, ['jobs', 'ls', '--url', t.service.url, '--api-key', 'kairos_000000000000_' + 'A'.repeat(43)]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('UNAUTHENTICATED');
    const down = await runCli(NO_STORE, ['jobs', 'ls', '--url', 'http://127.0.0.1:9', '--api-key', t.adminKey]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the server');
  });
});
