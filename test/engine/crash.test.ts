/**
 * Crash safety with real processes: SIGKILL a worker mid-run, open the same file in a new process, and check that
 * every job ends final, none is lost, only jobs running at the kill ran twice, and they came back within the lease.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { Kairos } from '../../src/engine/kairos.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

const CHILD = new URL('./fixtures/crash-child.ts', import.meta.url).pathname;
const LEASE_MS = 1_500;

function startChild(args: string[]): { child: ChildProcess; lines: string[]; waitFor(pred: (l: string[]) => boolean, ms: number): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (pred: (l: string[]) => boolean, ms: number) => new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`child did not reach the expected point within ${ms} ms; last lines: ${lines.slice(-3).join(' | ')}`)), ms);
    const check = () => {
      if (pred(lines)) {
        clearTimeout(deadline);
        resolve();
      } else waiters.push(check);
    };
    child.on('exit', () => {
      if (!pred(lines)) {
        clearTimeout(deadline);
        reject(new Error(`child exited early; last lines: ${lines.slice(-3).join(' | ')}`));
      }
    });
    check();
  });
  return { child, lines, waitFor };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('crash safety', () => {
  it('recovers every job after SIGKILL mid-run; only jobs running at the kill run twice', async () => {
    const dir = makeTempDir();
    const file = dir.file('crash.db');
    const ledger = dir.file('ledger.txt');
    const N = 600;
    const setup = await Kairos.open({ store: `sqlite:${file}` });
    await setup.enqueueMany('crash', Array.from({ length: N }, (_, i) => ({ payload: { i } })));
    await setup.close();

    const first = startChild(['work', file, ledger]);
    await first.waitFor((l) => l.includes('ready'), 20_000);
    // Kill once a good share of the jobs has started, while others are running.
    for (let i = 0; i < 400; i++) {
      const started = readFileSync(ledger, { encoding: 'utf8', flag: 'a+' }).split('\n').filter((l) => l.startsWith('start')).length;
      if (started >= N / 3) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    await exited(first.child);
    const killedAt = Date.now();

    const inspect = await Kairos.open({ store: `sqlite:${file}` });
    const runningAtKill = new Set((await inspect.jobs.list({ queue: 'crash', state: 'running', limit: 1000 })).jobs.map((j) => j.id));
    await inspect.close();
    expect(runningAtKill.size).toBeGreaterThan(0);

    const second = startChild(['work', file, ledger]);
    await second.waitFor((l) => l.includes('ready'), 30_000);
    const readyAt = Date.now();
    await second.waitFor((l) => l.includes('finished'), 60_000);
    await exited(second.child);

    const check = await Kairos.open({ store: `sqlite:${file}` });
    const all = (await check.jobs.list({ queue: 'crash', limit: 1000 })).jobs;
    expect(all).toHaveLength(N);
    expect(all.filter((j) => j.state !== 'completed')).toEqual([]);
    // Jobs started more than once are exactly among those the kill interrupted.
    const starts = new Map<number, number>();
    for (const line of readFileSync(ledger, 'utf8').split('\n')) {
      const m = /^start (\d+) (\d+)$/.exec(line);
      if (m) starts.set(Number(m[1]), (starts.get(Number(m[1])) ?? 0) + 1);
    }
    expect(starts.size).toBe(N);
    const twice = [...starts].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of twice) expect(runningAtKill.has(id)).toBe(true);
    // Each interrupted job records its lost attempt and ran again as attempt 2.
    const sample = (await check.jobs.get([...runningAtKill][0]!))!;
    expect(sample.attempts.map((a) => a.outcome)).toEqual(['lease-expired', 'completed']);
    await check.close();
    // Recovery within the lease: a live instance rescues the dead worker's jobs as their lease ends, or at once when
    // it starts after that (starting a process is not the engine's time); 500 ms of slack for a loaded machine.
    const rescuedAt = second.lines.filter((l) => l.startsWith('rescued')).map((l) => Number(l.split(' ')[2]));
    expect(rescuedAt.length).toBe(runningAtKill.size);
    expect(Math.max(...rescuedAt)).toBeLessThanOrEqual(Math.max(killedAt + LEASE_MS, readyAt) + 500);
    dir.cleanup(false);
  });

  it('acknowledged enqueues survive a SIGKILL of the enqueuing process', async () => {
    const dir = makeTempDir();
    const file = dir.file('acks.db');
    const producer = startChild(['enqueue', file]);
    await producer.waitFor((l) => l.filter((x) => x.startsWith('ack')).length >= 300, 30_000);
    producer.child.kill('SIGKILL');
    await exited(producer.child);
    const acked = producer.lines.filter((l) => l.startsWith('ack')).map((l) => Number(l.slice(4)));
    const check = await Kairos.open({ store: `sqlite:${file}` });
    for (const id of acked) expect((await check.jobs.get(id))?.state).toBe('scheduled');
    await check.close();
    dir.cleanup(false);
  });
});
