/**
 * Loads the handler module of `kairos work --handlers <file>`: every exported function whose export name is a valid
 * queue name handles that queue; `export default { queue: handler }` and `export const options = { queue: {…} }` too.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configError } from '../core/config.js';
import { KairosError } from '../core/errors.js';
import { assertQueueName } from '../core/job-options.js';
import type { Handler } from '../engine/job-context.js';
import type { HandlerOptions } from '../engine/queue-worker.js';

/** Export names with a meaning of their own, never taken as queue names. */
const RESERVED = new Set(['default', 'options']);

/** The queues a module handles, with their options. */
export interface HandlerModule {
  /** The absolute path imported. */
  path: string;
  handlers: Map<string, Handler>;
  options: Map<string, HandlerOptions>;
  /** Exported functions left out because their names are not valid queue names. */
  skipped: string[];
}

/** Imports `file` (relative to `cwd`) and collects its handlers. Errors name the field `handlers`. */
export async function loadHandlerModule(file: string, cwd: string = process.cwd()): Promise<HandlerModule> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw configError('handlers', `no file at ${path}`);
  const mod = await importModule(path);
  const found: HandlerModule = { path, handlers: new Map(), options: new Map(), skipped: [] };
  for (const [name, value] of Object.entries(mod)) {
    if (RESERVED.has(name) || typeof value !== 'function') continue;
    if (isQueueName(name)) found.handlers.set(name, value as Handler);
    else found.skipped.push(name);
  }
  addDefaultExport(found, mod.default);
  addOptions(found, mod.options);
  if (found.handlers.size === 0) {
    throw configError('handlers', `${path} exports no handler; export async functions named after their queues, or export default { queue: handler }`);
  }
  return found;
}

/** Imports the module; a TypeScript file Node cannot load by itself gets an error naming the loader to use. */
async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(path)) {
      throw configError('handlers', `${path} is TypeScript, which Node cannot import by itself: run the CLI with the tsx loader (NODE_OPTIONS="--import tsx" npx kairos work --handlers ${file(path)}, with tsx installed in the project) or compile the module to .js`);
    }
    throw cause;
  }
}

function file(path: string): string {
  return path.startsWith(process.cwd()) ? `.${path.slice(process.cwd().length)}` : path;
}

function addDefaultExport(found: HandlerModule, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'function') {
    throw configError('handlers', 'the default export is a function; export it under its queue name, or export default { queue: handler }');
  }
  if (typeof value !== 'object' || value === null) throw configError('handlers', 'the default export must be an object { queue: handler }');
  for (const [queue, handler] of Object.entries(value)) {
    if (typeof handler !== 'function') throw configError(`handlers.default.${queue}`, 'must be a handler function (job, ctx) => result');
    if (!isQueueName(queue)) throw configError(`handlers.default.${queue}`, 'is not a valid queue name (1–128 characters of A-Z a-z 0-9 _ . : -)');
    if (found.handlers.has(queue)) throw configError(`handlers.default.${queue}`, 'is also a named export; export each queue once');
    found.handlers.set(queue, handler as Handler);
  }
}

function addOptions(found: HandlerModule, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw configError('handlers.options', 'must be an object { queue: { concurrency } }');
  for (const [queue, options] of Object.entries(value)) {
    if (!found.handlers.has(queue)) throw configError(`handlers.options.${queue}`, 'names a queue the module has no handler for');
    if (typeof options !== 'object' || options === null) throw configError(`handlers.options.${queue}`, 'must be an object such as { concurrency: 5 }');
    found.options.set(queue, options as HandlerOptions);
  }
}

/** One queue to work: its handler and options. */
export interface QueueBinding {
  queue: string;
  handler: Handler;
  options: HandlerOptions | undefined;
}

/** The queues to work: `queues` (all of the module's when undefined); one named there without a handler is an error. */
export function selectQueues(found: HandlerModule, queues: readonly string[] | undefined): QueueBinding[] {
  const names = queues === undefined ? [...found.handlers.keys()] : [...new Set(queues)];
  return names.map((queue) => {
    const handler = found.handlers.get(queue);
    if (handler === undefined) {
      throw new KairosError('HANDLER_NOT_FOUND', `queues: ${found.path} has no handler for ${queue} (it has ${[...found.handlers.keys()].join(', ')})`, {
        details: { field: 'queues' },
      });
    }
    return { queue, handler, options: found.options.get(queue) };
  });
}

function isQueueName(name: string): boolean {
  try {
    assertQueueName(name);
    return true;
  } catch {
    return false;
  }
}
