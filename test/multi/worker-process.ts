/**
 * `kairos work` processes for the multi-instance tests: started on a store with the ledger handler module, ready
 * once they say so, killed or stopped by signal. Every wait is bounded.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const HANDLERS = fileURLToPath(new URL('./fixtures/ledger-handlers.mjs', import.meta.url));

export interface WorkerOptions {
  store: string;
  ledger: string;
  queues: string;
  leaseMs: number;
  concurrency?: number;
  env?: Record<string, string>;
}

export class WorkerProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(o: WorkerOptions) {
    const args = [MAIN, 'work', '--handlers', HANDLERS, '--queues', o.queues, '--lease-ms', String(o.leaseMs), '--concurrency', String(o.concurrency ?? 50)];
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, KAIROS_DATABASE_URL: o.store, KAIROS_TEST_LEDGER: o.ledger, KAIROS_LOG_LEVEL: 'error', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout.resume();
    this.child.stderr.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves once the worker said it is ready; rejects if it exits first or after `timeoutMs`. */
  async ready(timeoutMs = 20_000): Promise<this> {
    const until = Date.now() + timeoutMs;
    while (!this.stderr.includes('kairos work: ready')) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`worker exited before ready:\n${this.stderr}`);
      if (Date.now() > until) throw new Error(`worker not ready within ${timeoutMs} ms:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

/** Lines of the ledger, split into words. */
export function readLedger(file: string): string[][] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.length > 0).map((l) => l.split(' '));
}

/** Polls `pred` every 20 ms until it holds; rejects after `timeoutMs`. */
export async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Stops every worker with SIGTERM and waits until each has exited (the end of every multi-process test). */
export async function stopAll(workers: readonly WorkerProcess[]): Promise<void> {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}
