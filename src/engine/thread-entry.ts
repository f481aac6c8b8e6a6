/**
 * The code each handler thread runs (as an eval'd CommonJS script, so the same string serves from src/ and dist/):
 * import the handler module once, then run one job per 'run' message and answer with 'done'. ctx.progress and
 * ctx.log are relayed to the main thread, which stores them; skip and snooze travel back with the outcome.
 */
export const THREAD_ENTRY = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.url).then((mod) => {
  const handler = mod.default;
  if (typeof handler !== 'function') {
    throw new TypeError(workerData.url + ' has no default export function (job, ctx) => result; export default async function …');
  }
  return handler;
});
loaded.catch(() => undefined);

function errorInfo(error) {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack, code: typeof error.code === 'string' ? error.code : undefined };
  }
  return { name: 'NonError', message: typeof error === 'string' ? error : String(error) };
}

function isSignal(value) {
  return value !== null && typeof value === 'object' && (value.kind === 'skip' || value.kind === 'snooze') && Object.keys(value).length === 2;
}

parentPort.on('message', async (message) => {
  if (message.type !== 'run') return;
  const controller = new AbortController();
  let signalled = null;
  const relay = (level) => (obj, msg) => {
    let sendable = obj;
    try {
      sendable = JSON.parse(JSON.stringify(obj instanceof Error ? { err: { name: obj.name, message: obj.message } } : obj));
    } catch {
      sendable = { value: String(obj) };
    }
    parentPort.postMessage({ type: 'logger', level, obj: sendable, msg: msg === undefined ? undefined : String(msg) });
  };
  const ctx = {
    signal: controller.signal,
    attempt: message.job.attempt,
    idempotencyKey: message.idempotencyKey,
    schedule: message.schedule,
    logger: { debug: relay('debug'), info: relay('info'), warn: relay('warn'), error: relay('error'), child: () => ctx.logger },
    skip(reason) {
      signalled = { kind: 'skip', reason: String(reason) };
      return signalled;
    },
    snooze(delayMs) {
      if (!Number.isInteger(delayMs) || delayMs < 0) throw new RangeError('snooze delayMs: must be an integer >= 0, got ' + String(delayMs));
      signalled = { kind: 'snooze', delayMs };
      return signalled;
    },
    progress(value) {
      const ok = (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'object' && value !== null);
      if (!ok) throw new TypeError('progress: must be a finite number or a JSON object, got ' + (value === null ? 'null' : typeof value));
      parentPort.postMessage({ type: 'progress', value });
    },
    log(line) {
      parentPort.postMessage({ type: 'log', line: typeof line === 'string' ? line : String(line) });
    },
  };
  try {
    const handler = await loaded;
    const value = await handler(message.job, ctx);
    try {
      parentPort.postMessage({ type: 'done', ok: true, value: isSignal(value) ? undefined : value, signalled });
    } catch (error) {
      parentPort.postMessage({ type: 'done', ok: false, error: { name: 'DataCloneError', message: 'the handler result cannot be sent back from its thread: ' + error.message }, signalled: null });
    }
  } catch (error) {
    parentPort.postMessage({ type: 'done', ok: false, error: errorInfo(error), signalled });
  }
});
`;
