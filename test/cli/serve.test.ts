/**
 * `kairos serve` as a real process: the first admin key printed once, `kairos keys` and `kairos queues` from other
 * processes on the same store, a job created over HTTP delivered to a receiver, and SIGTERM while a delivery is in
 * flight: the server stops accepting, the delivery finishes, the process exits 0.
 */
import { describe, expect, it } from 'vitest';
import { startReceiver } from '../service/targets/receiver.js';
import { runCli, runJson, startCli, tempStore } from './cli-process.js';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

async function call(url: string, key: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('kairos serve', () => {
  it('prints the first key once, serves keys made by the CLI, delivers, and exits 0 on SIGTERM after the delivery in flight', async (ctx) => {
    const { store } = tempStore(ctx);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const receiver = await startReceiver(async () => {
      arrived();
      await held;
      return { status: 200 };
    });
    ctx.onTestFinished(() => receiver.close());

    const server = startCli(store, ['serve', '--port', '0', '--allow-hosts', '127.0.0.1', '--shutdown-timeout-ms', '10000']);
    const [, firstKey] = await server.waitForStderr(/\n {2}(kairos_[0-9a-f]{12}_[A-Za-z0-9_-]{43})\n/);
    const [, url] = await server.waitForStderr(/kairos serve: listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await call(url!, null, 'GET', '/v1/jobs')).status).toBe(401);

    const made = await runJson<{ key: string; id: string; scopes: string[] }>(store, ['keys', 'create', 'producer', '--scopes', 'jobs:write']);
    expect(made.scopes).toEqual(['jobs:write']);
    const listed = await runJson<{ keys: { id: string; name: string }[] }>(store, ['keys', 'ls']);
    expect(listed.keys.map((k) => k.name)).toEqual(['first admin key', 'producer']);
    expect(JSON.stringify(listed)).not.toContain(made.key);
    expect((await call(url!, made.key, 'GET', '/v1/jobs')).status).toBe(403);

    expect((await call(url!, firstKey!, 'PUT', '/v1/queues/hooks', { target: { kind: 'http', url: `${receiver.url}/hook`, secrets: [SECRET] } })).status).toBe(200);
    const job = await call(url!, made.key, 'POST', '/v1/jobs', { queue: 'hooks', payload: { n: 1 } });
    expect(job.status).toBe(202);
    await arrival;

    server.kill('SIGTERM');
    await server.waitForStderr(/kairos serve: SIGTERM; no new requests/);
    setTimeout(release, 300);
    const exit = await server.wait(20_000);
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toContain('kairos serve: stopped');
    const shown = await runJson<{ state: string; attempts: { outcome: string }[] }>(store, ['jobs', 'show', String(job.body.id)]);
    expect(shown.state).toBe('completed');

    // A second start on the same store makes no key.
    const again = startCli(store, ['serve', '--port', '0']);
    await again.waitForStderr(/kairos serve: listening on/);
    again.kill('SIGINT');
    const second = await again.wait();
    expect(second.code, `${String(second.signal)} ${second.stderr}`).toBe(0);
    expect(second.stderr).not.toMatch(/kairos_[0-9a-f]{12}_/);

    expect((await runCli(store, ['keys', 'revoke', made.id])).code).toBe(0);
    expect((await runCli(store, ['keys', 'revoke', made.id])).code).toBe(4);
    expect((await runCli(store, ['keys', 'create', 'bad', '--scopes', 'root'])).code).toBe(3);
  }, 60_000);

  it('manages queues from the CLI: add with a target, ls, pause, resume, rm', async (ctx) => {
    const { store } = tempStore(ctx);
    const added = await runJson<{ name: string; concurrency: number; fallback: string }>(store, [
      'queues', 'add', 'push', '--target', JSON.stringify({ kind: 'http', url: 'https://93.184.215.14/send', secrets: [SECRET] }), '--concurrency', '5', '--fallback', 'sms',
    ]);
    expect(added).toMatchObject({ name: 'push', concurrency: 5, fallback: 'sms' });
    expect((await runCli(store, ['queues', 'add', 'evil', '--target', JSON.stringify({ kind: 'http', url: 'http://10.0.0.1/x', secrets: [SECRET] })])).code).toBe(3);
    expect((await runCli(store, ['queues', 'add', 'bad', '--target', '{nope'])).code).toBe(3);
    expect((await runJson<{ paused: boolean }>(store, ['queues', 'pause', 'push'])).paused).toBe(true);
    const ls = await runCli(store, ['queues', 'ls']);
    expect(ls.stdout).toMatch(/push\s+yes\s+0\s+0\s+0\s+5\s+sms\s+http https:\/\/93\.184\.215\.14\/send/);
    expect((await runJson<{ paused: boolean }>(store, ['queues', 'resume', 'push'])).paused).toBe(false);
    await runJson(store, ['enqueue', 'push', '{}', '--delay-ms', '3600000']);
    expect(await runJson(store, ['queues', 'drain', 'push'])).toEqual({ queue: 'push', cancelled: 1 });
    expect((await runCli(store, ['queues', 'rm', 'push'])).code).toBe(0);
    expect((await runCli(store, ['queues', 'rm', 'push'])).code).toBe(4);
  }, 30_000);
});
