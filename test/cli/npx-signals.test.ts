/**
 * `npx kairos work` as a real process: npm starts kairos through a shell, so a SIGTERM sent to npm alone does not reach
 * it. kairos work says so and names its pid; a SIGTERM to that pid, or to the process group, stops it gracefully.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { FIXTURES, tempStore } from './cli-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `npx kairos work` in its own process group; resolves once it is ready, with a way to wait for its end. */
async function startThroughNpx(store: string): Promise<{ pid: number; notice: RegExpMatchArray; stderr: () => string; closed: Promise<number | null> }> {
  const child = spawn('npx', ['--offline', 'kairos', 'work', '--handlers', join(FIXTURES, 'handlers.mjs'), '--store', store], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KAIROS_LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const bound = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 25_000);
  void closed.then(() => clearTimeout(bound));
  const notice = await new Promise<RegExpMatchArray>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      const match = /started through npm \(exec\).*signal pid (\d+)/.exec(stderr);
      if (match !== null) resolve(match);
    });
    void closed.then(() => reject(new Error(`npx kairos work ended before it was ready:\n${stderr}`)));
  });
  return { pid: child.pid!, notice, stderr: () => stderr, closed };
}

it('names the pid to signal; a SIGTERM to it shuts kairos work down gracefully and npx exits 0', async (ctx) => {
  const { store } = tempStore(ctx);
  const run = await startThroughNpx(store);
  const pid = Number(run.notice[1]);
  expect(pid).not.toBe(run.pid);
  process.kill(pid, 'SIGTERM');
  expect(await run.closed).toBe(0);
  expect(run.stderr()).toMatch(/kairos work: SIGTERM; stopping[^]*kairos work: stopped; 0 job\(s\) handed back/);
}, 40_000);

it('a SIGTERM to the process group (what a supervisor stopping the group sends) also stops it gracefully', async (ctx) => {
  const { store } = tempStore(ctx);
  const run = await startThroughNpx(store);
  process.kill(-run.pid, 'SIGTERM');
  await run.closed;
  expect(run.stderr()).toMatch(/kairos work: SIGTERM; stopping[^]*kairos work: stopped/);
}, 40_000);
