/** The CLI's job filters and bulk commands (ls filters, cancel-many, replay-many, delete-many, wait), as child processes. */
import { describe, expect, it } from 'vitest';
import { runCli, runJson, tempStore } from './cli-process.js';

describe.concurrent('kairos CLI: job filters and bulk actions', () => {
  it('filters ls by tag, states and key prefix, and acts on the same filters in batches', async (ctx) => {
    const { store } = tempStore(ctx);
    for (const [key, tag] of [['user:1', 'promo'], ['user:2', 'promo'], ['order:1', 'eu']]) {
      expect((await runCli(store, ['enqueue', 'mail', '{}', '--key', key!, '--tag', tag!])).code).toBe(0);
    }
    const ls = await runJson<{ jobs: { key: string }[] }>(store, ['jobs', 'ls', '--tag', 'promo']);
    expect(ls.jobs.map((j) => j.key)).toEqual(['user:2', 'user:1']);
    const prefix = await runJson<{ jobs: { key: string }[] }>(store, ['jobs', 'ls', '--queue', 'mail', '--key-prefix', 'order:']);
    expect(prefix.jobs.map((j) => j.key)).toEqual(['order:1']);
    expect(await runJson(store, ['jobs', 'cancel-many', '--tag', 'promo', '--batch-size', '1'])).toEqual({ cancelled: 2 });
    const states = await runJson<{ jobs: { key: string }[] }>(store, ['jobs', 'ls', '--state', 'cancelled,completed']);
    expect(states.jobs.map((j) => j.key)).toEqual(['user:2', 'user:1']);
    expect((await runCli(store, ['jobs', 'replay-many', '--queue', 'mail', '--state', 'cancelled'])).stdout).toContain('replayed 2 jobs');
    await runCli(store, ['jobs', 'cancel-many', '--queue', 'mail']);
    expect(await runJson(store, ['jobs', 'delete-many', '--queue', 'mail', '--created-from', '2000-01-01T00:00:00Z'])).toEqual({ deleted: 3 });
  });

  it('refuses a bulk action without a filter (exit 3) and an unknown state (exit 2)', async (ctx) => {
    const { store } = tempStore(ctx);
    const none = await runCli(store, ['jobs', 'delete-many', '--json']);
    expect(none.code).toBe(3);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'FILTER_INVALID', field: 'filter' } });
    expect((await runCli(store, ['jobs', 'ls', '--state', 'done'])).code).toBe(2);
  });

  it('jobs wait prints a finished job and exits 5 when the timeout passes first', async (ctx) => {
    const { store } = tempStore(ctx);
    const { id } = await runJson<{ id: number }>(store, ['enqueue', 'mail', '{}']);
    const late = await runCli(store, ['jobs', 'wait', String(id), '--timeout-ms', '100', '--json']);
    expect(late.code).toBe(5);
    expect(JSON.parse(late.stdout)).toMatchObject({ error: { code: 'WAIT_TIMEOUT' } });
    await runCli(store, ['jobs', 'cancel', String(id)]);
    expect(await runJson(store, ['jobs', 'wait', String(id)])).toMatchObject({ id, state: 'cancelled' });
  });
});
