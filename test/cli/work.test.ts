/**
 * `kairos work`: runs a handler module's queues as a child process and shuts down gracefully on signals; a job still
 * running when the shutdown bound passes is handed back without counting its attempt.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runJson, startCli, tempStore } from './cli-process.js';

const HANDLERS = join(FIXTURES, 'handlers.mjs');

interface JobJson {
  id: number;
  state: string;
  attempt: number;
  result: unknown;
  attempts: { attempt: number; outcome: string; note: string | null; workerId: string }[];
}

describe.concurrent('kairos work', () => {
  it('processes jobs, exits 0 on SIGTERM and hands back the job still running', async (ctx) => {
    const { store } = tempStore(ctx);
    const echo = await runJson<{ id: number }>(store, ['enqueue', 'echo', '{"hello":"world"}']);
    const slow = await runJson<{ id: number }>(store, ['enqueue', 'slow', '{}']);

    const worker = startCli(store, ['work', '--handlers', HANDLERS, '--concurrency', '4', '--shutdown-timeout-ms', '200']);
    await worker.waitForStderr(/kairos work: ready; worker \S+ runs echo \(concurrency 4\), slow \(concurrency 1\), mail\.send \(concurrency 4\)/);
    expect(worker.stderr).toContain('skipped exports that are not valid queue names: $helper');
    await worker.waitForStderr(new RegExp(`fixture: done echo ${echo.id}\\b`));
    await worker.waitForStderr(new RegExp(`fixture: started slow ${slow.id}\\b`));
    // Work enqueued by another process while the worker runs (found by the worker's poll).
    const mail = await runJson<{ id: number }>(store, ['enqueue', 'mail.send', '{}']);
    await worker.waitForStderr(new RegExp(`fixture: done mail\\.send ${mail.id}\\b`));

    worker.kill('SIGTERM');
    const exit = await worker.wait();
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toContain('kairos work: stopped; 1 job(s) handed back');
    expect(exit.stdout).toBe('');

    const handedBack = await runJson<JobJson>(store, ['jobs', 'show', String(slow.id)]);
    expect(handedBack.state).toBe('scheduled');
    expect(handedBack.attempt).toBe(0);
    expect(handedBack.attempts).toHaveLength(1);
    expect(handedBack.attempts[0]).toMatchObject({ attempt: 1, outcome: 'handed-back' });
    expect((await runJson<JobJson>(store, ['jobs', 'show', String(echo.id)])).result).toEqual({ hello: 'world' });
    expect((await runJson<JobJson>(store, ['jobs', 'show', String(mail.id)])).state).toBe('completed');
  });

  it('a second signal during shutdown exits 130 at once', async (ctx) => {
    const { store } = tempStore(ctx);
    const slow = await runJson<{ id: number }>(store, ['enqueue', 'slow', '{}']);
    const worker = startCli(store, ['work', '--handlers', HANDLERS, '--queues', 'slow', '--shutdown-timeout-ms', '60000']);
    await worker.waitForStderr(new RegExp(`fixture: started slow ${slow.id}\\b`));
    worker.kill('SIGINT');
    await worker.waitForStderr(/kairos work: SIGINT; stopping/);
    worker.kill('SIGTERM');
    const exit = await worker.wait(5_000);
    expect(exit.code, exit.stderr).toBe(130);
    expect(exit.stderr).toContain('second signal');
  });

  it('a handler module that is missing or lacks a queue named by --queues is exit 3; no --handlers is exit 2', async (ctx) => {
    const { store } = tempStore(ctx);
    const missing = await runCli(store, ['work', '--handlers', './no/such/handlers.js']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error CONFIG_INVALID: handlers: no file at /m);
    const noQueue = await runCli(store, ['work', '--handlers', HANDLERS, '--queues', 'echo,nope']);
    expect(noQueue.code).toBe(3);
    expect(noQueue.stderr).toMatch(/^error HANDLER_NOT_FOUND: queues: .*nope/m);
    expect((await runCli(store, ['work'])).code).toBe(2);
  });
});
