/**
 * Runs the `kairos` CLI as a real child process (node dist/cli/main.js, built by test/setup/build-dist.ts) against a
 * temp SQLite file, with bounded waits on its output instead of sleeps.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';
import { makeTempDir } from '../../src/testing/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly listeners = new Set<() => void>();

  constructor(args: readonly string[], store: string, input?: string) {
    this.child = spawn(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, KAIROS_DATABASE_URL: store, KAIROS_LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8').on('data', (s: string) => this.append('stdout', s));
    this.child.stderr.setEncoding('utf8').on('data', (s: string) => this.append('stderr', s));
    this.child.stdin.end(input ?? '');
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Sends a signal (SIGTERM, SIGINT). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the first match of `pattern` in stderr; rejects after `timeoutMs` or when the process exits first. */
  waitForStderr(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = this.stderr.match(pattern);
        if (match !== null) return done(() => resolve(match));
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done(() => reject(new Error(`process exited before ${pattern} appeared; stderr:\n${this.stderr}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stderr:\n${this.stderr}`))), timeoutMs);
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for exit, killing the process if it takes longer than `timeoutMs`. */
  async wait(timeoutMs = 15_000): Promise<CliResult> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private append(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * A temp SQLite store for the test of `context`; its directory is removed after the test unless the test failed.
 * Takes the context because the global onTestFinished cannot tell concurrent tests apart.
 */
export function tempStore(context: TestContext): { store: string; dir: string } {
  const dir = makeTempDir('kairos-cli-');
  context.onTestFinished((ctx) => dir.cleanup(ctx.task.result?.state === 'fail'));
  return { store: `sqlite:${dir.file('kairos.db')}`, dir: dir.path };
}

/** Starts `kairos <args>` with KAIROS_DATABASE_URL set to `store`. */
export function startCli(store: string, args: readonly string[], input?: string): CliProcess {
  return new CliProcess(args, store, input);
}

/** Runs `kairos <args>` to completion. */
export function runCli(store: string, args: readonly string[], input?: string): Promise<CliResult> {
  return startCli(store, args, input).wait();
}

/** Runs a `--json` command that must succeed and returns its parsed stdout. */
export async function runJson<T>(store: string, args: readonly string[], input?: string): Promise<T> {
  const r = await runCli(store, [...args, '--json'], input);
  if (r.code !== 0) throw new Error(`kairos ${args.join(' ')} exited ${String(r.code)}; stderr:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
