/**
 * `kairos work` on PostgreSQL when the database is not there yet (restarting, or a network blip at start-up): the
 * worker logs, waits with backoff and starts once the database answers, instead of exiting. The outage is real: the
 * worker's store URL points at a loopback port where nothing listens until the test opens a TCP forwarder to
 * PostgreSQL on it.
 */
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshPostgresStore, pgAvailable, TEST_DATABASE_URL } from '../../src/testing/postgres.js';
import { FIXTURES, runJson, startCli } from './cli-process.js';

const HANDLERS = join(FIXTURES, 'handlers.mjs');
const available = await pgAvailable();

/** A free loopback port: bound once, then released for the forwarder to take later. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.runIf(available)('kairos work on PostgreSQL', () => {
  it('waits for a database that is not answering yet, then works', async () => {
    const { store, cleanup } = freshPostgresStore();
    const target = new URL(TEST_DATABASE_URL);
    const port = await freePort();
    const via = new URL(store);
    via.port = String(port);
    let forwarder: Server | undefined;
    const worker = startCli(via.toString(), ['work', '--handlers', HANDLERS, '--queues', 'echo']);
    try {
      await worker.waitForStderr(/kairos work: the store is unreachable .*; trying again in \d+ ms/);
      forwarder = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        client.pipe(upstream).pipe(client);
        const end = () => (client.destroy(), upstream.destroy());
        client.on('error', end);
        upstream.on('error', end);
      });
      await new Promise<void>((resolve) => forwarder!.listen(port, '127.0.0.1', resolve));
      await worker.waitForStderr(/kairos work: ready/, 20_000);
      const job = await runJson<{ id: number }>(store, ['enqueue', 'echo', '{"hello":"later"}']);
      await worker.waitForStderr(new RegExp(`fixture: done echo ${job.id}\\b`));
      worker.kill('SIGTERM');
      expect((await worker.wait()).code).toBe(0);
    } finally {
      worker.kill('SIGKILL');
      await new Promise<void>((resolve) => (forwarder ? forwarder.close(() => resolve()) : resolve()));
      await cleanup(false);
    }
  }, 60_000);
});

describe.skipIf(available)('kairos work on PostgreSQL (no PostgreSQL; see the notice above)', () => {
  it('is skipped', () => undefined);
});
