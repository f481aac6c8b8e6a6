/** `kairos limiters ls|show|set|rm` as child processes on a temp SQLite store. */
import { describe, expect, it } from 'vitest';
import { runCli, runJson, tempStore } from './cli-process.js';

interface StatusJson {
  id: string;
  concurrency: number | null;
  running: number;
  waiting: number;
  lanes: { lane: string | null; reserved: number; running: number; waiting: number }[];
  rate: { limit: number; perMs: number; used: number } | null;
}

describe.concurrent('kairos CLI: limiters', () => {
  it('set defines a limiter; ls and show report its use per lane; rm removes it', async (ctx) => {
    const { store } = tempStore(ctx);
    const set = await runJson<{ id: string; concurrency: number; lanes: Record<string, { reserved: number }>; lend: boolean; rate: unknown; version: number }>(
      store, ['limiters', 'set', 'gateway', '--concurrency', '3', '--lane', 'signup=1', '--lend', '--rate', '100/60000'],
    );
    expect(set).toMatchObject({ id: 'gateway', concurrency: 3, lanes: { signup: { reserved: 1 } }, lend: true, rate: { limit: 100, perMs: 60000 }, version: 1 });
    // Jobs waiting behind it show up as waiting in their lane.
    expect((await runCli(store, ['enqueue', 'renewals', '{}', '--limiter', 'gateway', '--lane', 'renewal', '--partition-key', 'u1'])).code).toBe(0);
    const list = await runJson<{ limiters: StatusJson[] }>(store, ['limiters', 'ls']);
    expect(list.limiters).toMatchObject([{ id: 'gateway', concurrency: 3, running: 0, waiting: 1, rate: { limit: 100, perMs: 60000, used: 0 } }]);
    const show = await runJson<{ id: string; status: StatusJson }>(store, ['limiters', 'show', 'gateway']);
    expect(show.status.lanes).toEqual([
      expect.objectContaining({ lane: 'renewal', reserved: 0, running: 0, waiting: 1 }),
      expect.objectContaining({ lane: 'signup', reserved: 1, running: 0, waiting: 0 }),
    ]);
    const table = await runCli(store, ['limiters', 'ls']);
    expect(table.stdout).toMatch(/^ID\s+RUNNING\s+WAITING\s+RESERVED\s+RATE$/m);
    expect(table.stdout).toMatch(/^gateway\s+0\/3\s+1\s+signup:1\s+0\/100 per 1m 00s$/m);
    const text = await runCli(store, ['limiters', 'show', 'gateway']);
    expect(text.stdout).toMatch(/^signup\s+1\s+0\s+0\s+-$/m);
    expect(text.stdout).toMatch(/^renewal\s+0\s+0\s+1\s+[\d.]+ m?s$/m);
    expect((await runCli(store, ['limiters', 'rm', 'gateway'])).stdout).toContain('removed limiter gateway');
    expect((await runJson<{ limiters: unknown[] }>(store, ['limiters', 'ls'])).limiters).toEqual([]);
  });

  it('a bad definition exits 3 naming the field; an unknown limiter exits 4', async (ctx) => {
    const { store } = tempStore(ctx);
    const bad = await runCli(store, ['limiters', 'set', 'g', '--concurrency', '1', '--lane', 'a=2', '--json']);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'LIMITER_OPTION_INVALID', field: 'lanes' } });
    const missing = await runCli(store, ['limiters', 'show', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('LIMITER_NOT_FOUND');
    expect((await runCli(store, ['limiters', 'set', 'g', '--rate', 'fast'])).code).toBe(2);
  });
});
