/** The CLI shows an attempt's progress and log lines (jobs show), takes --store before the command, names tsx for .ts handlers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Kairos } from '../../src/index.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { runCli, tempStore } from './cli-process.js';

it('kairos jobs show prints the progress and the log lines of each attempt', async (ctx) => {
  const { store } = tempStore(ctx);
  const kairos = await Kairos.open({ store });
  kairos.handle('import', async (_job, c) => {
    c.log('reading rows');
    c.progress({ rows: 3 });
    c.log('done');
  });
  await kairos.start();
  const done = waitForEvent(kairos, 'job:completed');
  const { id } = await kairos.enqueue('import', {});
  await done;
  await kairos.close();
  const shown = await runCli('sqlite::memory:', ['jobs', 'show', String(id), '--store', store]);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/^progress +\{"rows":3\}$/m);
  expect(shown.stdout).toMatch(/logs \(attempt, time, line\):\n +1 +\S+Z +reading rows\n +1 +\S+Z +done/);
});

it('kairos --store <url> <command> uses that store, as the command\'s own --store does', async (ctx) => {
  const { store } = tempStore(ctx);
  // The environment names another store: the global option must win over it.
  const enqueued = await runCli('sqlite::memory:', ['--store', store, 'enqueue', 'mail', '{"to":"a"}']);
  expect(enqueued.code).toBe(0);
  const listed = await runCli('sqlite::memory:', ['--store', store, 'jobs', 'ls', '--json']);
  expect(listed.code).toBe(0);
  expect((JSON.parse(listed.stdout) as { jobs: { queue: string }[] }).jobs.map((j) => j.queue)).toEqual(['mail']);
  const own = await runCli('sqlite::memory:', ['jobs', 'ls', '--store', store, '--json']);
  expect((JSON.parse(own.stdout) as { jobs: unknown[] }).jobs).toHaveLength(1);
});

it('kairos work --handlers <file.ts> without a loader is exit 3 naming the tsx loader', async (ctx) => {
  const { store, dir } = tempStore(ctx);
  const file = join(dir, 'handlers.ts');
  writeFileSync(file, 'export async function mail(job: { payload: unknown }): Promise<unknown> { return job.payload; }\n');
  const run = await runCli(store, ['work', '--handlers', file]);
  expect(run.code).toBe(3);
  expect(run.stderr).toMatch(/^error CONFIG_INVALID: handlers: .*handlers\.ts is TypeScript.*NODE_OPTIONS="--import tsx" npx kairos work --handlers/m);
});
