/**
 * `kairos work --handlers <file>`: runs the handlers of a module as a worker until SIGTERM or SIGINT, then shuts
 * down gracefully: no new claims, running jobs finish within the bound, the rest are handed back uncounted.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { KairosConfig } from '../../core/config.js';
import { isKairosError } from '../../core/errors.js';
import { Kairos } from '../../engine/kairos.js';
import { EXIT } from '../exit-codes.js';
import { loadHandlerModule, selectQueues, type QueueBinding } from '../handler-module.js';
import type { Output } from '../output.js';
import { parseInteger, withStore } from '../options.js';

interface WorkFlags {
  store: string;
  handlers: string;
  queues?: string[];
  concurrency?: number;
  shutdownTimeoutMs?: number;
  leaseMs?: number;
}

export function registerWork(program: Command, out: Output): void {
  withStore(program.command('work'))
    .description('run the handlers of a module until SIGTERM/SIGINT, then shut down gracefully')
    .requiredOption('--handlers <file>', 'module whose exported functions are handlers, each named after its queue')
    .option('--queues <list>', 'comma-separated queues to work (default: every queue of the module)', parseList)
    .option('--concurrency <n>', 'jobs run at once per queue, unless the module options set it (default 100)', parseInteger)
    .option('--shutdown-timeout-ms <n>', 'how long running jobs may finish after a signal before they are handed back (default 30000)', parseInteger)
    .option('--lease-ms <n>', 'how long a claim holds a job without a heartbeat; a dead worker\'s jobs return after it (default 30000)', parseInteger)
    .action((flags: WorkFlags) => runWorker(flags, out));
}

function parseList(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidArgumentError('a comma-separated list of queue names.');
  return items;
}

async function runWorker(flags: WorkFlags, out: Output): Promise<void> {
  const mod = await loadHandlerModule(flags.handlers);
  const bindings = selectQueues(mod, flags.queues);
  if (mod.skipped.length > 0) out.log(`kairos work: skipped exports that are not valid queue names: ${mod.skipped.join(', ')}`);
  const config: KairosConfig = {};
  if (flags.concurrency !== undefined) config.defaultConcurrency = flags.concurrency;
  if (flags.shutdownTimeoutMs !== undefined) config.shutdownTimeoutMs = flags.shutdownTimeoutMs;
  if (flags.leaseMs !== undefined) config.leaseMs = flags.leaseMs;
  // Until the store answers, a signal ends the process at once (nothing runs yet); the retry timers keep it alive.
  const kairos = await whileUnreachable(() => Kairos.open({ ...config, store: flags.store }), out);
  // Engine timers are unref'd; this keeps the process alive until shutdown.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    for (const b of bindings) kairos.handle(b.queue, b.handler, b.options);
    await workUntilSignal(kairos, bindings, flags.store, out);
  } finally {
    await kairos.close();
    clearInterval(keepAlive);
  }
}

/** Starts the instance, waits for the first signal, then stops it within the shutdown bound. */
async function workUntilSignal(kairos: Kairos, bindings: readonly QueueBinding[], store: string, out: Output): Promise<void> {
  let handedBack = 0;
  kairos.on('job:handed-back', () => void handedBack++);
  const signal = waitForSignal(() => {
    out.log('kairos work: second signal; exiting now without waiting for running jobs');
    process.exit(EXIT.interrupted);
  });
  await whileUnreachable(() => kairos.start(), out);
  const described = bindings.map((b) => `${b.queue} (concurrency ${b.options?.concurrency ?? kairos.config.defaultConcurrency})`);
  out.log(`kairos work: ready; worker ${kairos.workerId} runs ${described.join(', ')} on ${store}`);
  const launcher = npmLauncher();
  if (launcher !== null) out.log(launcher);
  const received = await signal;
  const timeoutMs = kairos.config.shutdownTimeoutMs;
  out.log(`kairos work: ${received}; stopping, running jobs have ${timeoutMs} ms to finish before they are handed back`);
  await kairos.stop({ timeoutMs });
  out.log(`kairos work: stopped; ${handedBack} job(s) handed back`);
}

/**
 * Runs `fn` again while it fails because the store cannot be reached for now (a database restarting, a network
 * blip): a worker started meanwhile waits for it, with backoff from 0.5 s to 10 s, instead of exiting. Any other
 * error (a bad URL, a missing SQLite directory, a failed migration) ends the command as before.
 */
async function whileUnreachable<T>(fn: () => Promise<T>, out: Output): Promise<T> {
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 10_000)) {
    try {
      return await fn();
    } catch (error) {
      const transient = isKairosError(error, 'STORE_BUSY') || (isKairosError(error, 'STORE_ERROR') && error.details.transient === true);
      if (!transient) throw error;
      out.log(`kairos work: the store is unreachable (${(error as Error).message}); trying again in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * Under `npx kairos work` or `npm run`, npm starts this process through a shell and a SIGTERM sent to npm alone does
 * not reach it (docs/cli.md, "Signals through npx"). Say so once, with the pid to signal.
 */
function npmLauncher(): string | null {
  const command = process.env.npm_command;
  if (command === undefined) return null;
  return `kairos work: started through npm (${command}); a SIGTERM sent to npm alone does not reach this process: signal pid ${process.pid} or the whole process group (kill -TERM -- -<pgid>), or start node_modules/.bin/kairos directly`;
}

/** Resolves on the first SIGTERM or SIGINT; calls `onSecond` on any later one. */
function waitForSignal(onSecond: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const handler = (signal: NodeJS.Signals): void => {
      if (seen) return onSecond();
      seen = true;
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}
