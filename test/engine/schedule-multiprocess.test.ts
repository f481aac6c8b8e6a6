/**
 * Exactly once per occurrence across processes: two OS processes share one SQLite file and both materialize a
 * per-second schedule for 30 s. Every occurrence in the window becomes exactly one job, run exactly once.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../src/stores.js';
import { Kairos } from '../../src/engine/kairos.js';
import { makeTempDir } from '../../src/testing/temp-dir.js';

const CHILD = new URL('./fixtures/schedule-child.ts', import.meta.url).pathname;
const SECONDS = 30;

function run(file: string, ledger: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, ledger, String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(child.pid!);
      else reject(new Error(`schedule child exited with ${code}`));
    });
  });
}

describe('schedules across processes', () => {
  it(`two processes on one SQLite file produce each per-second occurrence exactly once over ${SECONDS} s`, async () => {
    const dir = makeTempDir();
    const file = dir.file('shared.db');
    const ledger = dir.file('ledger.txt');
    const setup = await Kairos.open({ store: `sqlite:${file}` });
    await setup.close();
    const pids = await Promise.all([run(file, ledger), run(file, ledger)]);

    const entries = readFileSync(ledger, 'utf8').trim().split('\n').map((l) => l.split(' '));
    const parse = (kind: string) => entries.filter((e) => e[0] === kind).map((e) => e.slice(1).map(Number) as [number, number, number]);
    const lines = parse('run');
    const made = parse('made');
    const occurrences = lines.map(([, at]) => at);
    // No occurrence ran twice, no job ran twice, and no occurrence was materialized twice.
    expect(new Set(occurrences).size).toBe(occurrences.length);
    expect(new Set(lines.map(([, , id]) => id)).size).toBe(lines.length);
    expect(new Set(made.map(([, at]) => at)).size).toBe(made.length);
    expect(made.map(([, at]) => at).sort((a, b) => a - b)).toEqual([...occurrences].sort((a, b) => a - b));
    // Both processes raced for the occurrences (each won some), so the guarantee was really exercised.
    expect(new Set(made.map(([pid]) => pid)).size).toBe(2);
    const sorted = [...occurrences].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBe(1000);
    expect(sorted.length).toBeGreaterThanOrEqual(SECONDS - 3);

    const check = await Kairos.open({ store: `sqlite:${file}` });
    const history = await check.schedules.history('every-second', { limit: 1000 });
    expect(history.every((h) => h.status === 'enqueued' && h.jobState === 'completed')).toBe(true);
    expect(history.map((h) => h.occurrenceAt.getTime()).sort((a, b) => a - b)).toEqual(sorted);
    const jobs = (await check.jobs.list({ queue: 'tick', limit: 1000 })).jobs;
    expect(jobs).toHaveLength(sorted.length);
    await check.close();
    expect(pids).toHaveLength(2);
    dir.cleanup(false);
  }, (SECONDS + 60) * 1000);
});
