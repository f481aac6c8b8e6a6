/**
 * Payload validation: a job's payload must survive JSON exactly. A fast check passes plain JSON without allocating;
 * anything else takes an exact walk that names the path of the first value JSON would drop, change or refuse.
 */
import { describeValue, KairosError } from './errors.js';

/** Payload nesting the fast check walks; deeper payloads take the exact walk, which also finds cycles. */
const FAST_CHECK_DEPTH = 64;
const IDENTIFIER = /^[A-Za-z_$][\w$]{0,63}$/;
const MAX_PATH = 256;

function payloadError(path: string, what: string, cause?: unknown): KairosError {
  // A path through thousands of levels would make a huge message; keep its start and its end.
  const field = path.length <= MAX_PATH ? path : `${path.slice(0, 7)}…${path.slice(8 - MAX_PATH)}`;
  return new KairosError('PAYLOAD_INVALID', `${field}: ${what}`, { details: { field }, cause });
}

/**
 * Serializes a payload as JSON, refusing what JSON would drop, turn into null or cannot carry (undefined, functions,
 * symbols, NaN, ±Infinity, BigInt, cycles) and naming its path; enforces the size limit.
 */
export function serializePayload(payload: unknown, maxBytes: number): string {
  let json: string | undefined;
  try {
    // The fast check allocates nothing and passes ordinary payloads; the exact walk runs only when it does not.
    if (!isPlainJson(payload, 0)) throwIfUnserializable(payload);
    json = JSON.stringify(payload);
  } catch (cause) {
    if (cause instanceof KairosError) throw cause;
    // A getter or toJSON threw, or the payload nests deeper than JSON.stringify's stack allows.
    throw payloadError('payload', `cannot be serialized as JSON (${describeValue((cause as Error).message, 200)})`, cause);
  }
  if (json === undefined) throw payloadError('payload', 'is not a JSON value');
  // A UTF-8 string takes at most 3 bytes per UTF-16 unit; only measure exactly when that bound is over the limit.
  if (json.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > maxBytes) {
      throw new KairosError('PAYLOAD_TOO_LARGE', `payload: ${bytes} bytes as JSON, over the limit of ${maxBytes} bytes (config payloadMaxBytes)`, {
        details: { field: 'payload', bytes, limit: maxBytes },
      });
    }
  }
  return json;
}

/**
 * True when JSON.stringify keeps `value` exactly. False means "look closer", not "invalid": objects with a toJSON
 * other than Date's and payloads nested deeper than FAST_CHECK_DEPTH also give false.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null || value instanceof Date) return true;
      if (depth === FAST_CHECK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') return false;
      // for…in also visits inherited enumerable keys, which JSON skips: at worst a false alarm for the exact walk.
      for (const key in record) if (!isPlainJson(record[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** An object or array the exact walk is inside, with the next key to visit. */
interface OpenContainer {
  value: Record<string, unknown>;
  path: string;
  /** Own enumerable keys of an object; undefined for an array. */
  keys: readonly string[] | undefined;
  length: number;
  next: number;
}

/**
 * Walks `payload` as JSON.stringify does (toJSON first, own enumerable keys) and throws at the first value it would
 * drop, change or refuse. Iterative, so a deep payload cannot overflow the stack here.
 */
function throwIfUnserializable(payload: unknown): void {
  const open: OpenContainer[] = [];
  const inside = new Set<unknown>();
  visit(payload, '', 'payload', open, inside);
  while (open.length > 0) {
    const top = open[open.length - 1]!;
    if (top.next === top.length) {
      open.pop();
      inside.delete(top.value);
      continue;
    }
    const index = top.next++;
    if (top.keys === undefined) {
      visit(top.value[index], String(index), `${top.path}[${index}]`, open, inside);
    } else {
      const key = top.keys[index]!;
      visit(top.value[key], key, `${top.path}${IDENTIFIER.test(key) ? `.${key}` : `[${describeValue(key)}]`}`, open, inside);
    }
  }
}

function visit(value: unknown, key: string, path: string, open: OpenContainer[], inside: Set<unknown>): void {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    try {
      value = (value as { toJSON(key: string): unknown }).toJSON(key);
    } catch (cause) {
      throw payloadError(path, `its toJSON() threw (${describeValue((cause as Error).message, 200)})`, cause);
    }
  }
  const problem = unserializable(value, open.length === 0);
  if (problem !== undefined) throw payloadError(path, problem);
  if (typeof value !== 'object' || value === null) return;
  if (inside.has(value)) {
    const target = open.find((container) => container.value === value)!;
    throw payloadError(path, `refers back to ${target.path}, a cycle JSON cannot carry`);
  }
  const record = value as Record<string, unknown>;
  const keys = Array.isArray(value) ? undefined : Object.keys(record);
  open.push({ value: record, path, keys, length: keys === undefined ? (value as unknown[]).length : keys.length, next: 0 });
  inside.add(value);
}

/** Why JSON.stringify would drop, change or refuse a non-container value; undefined when it keeps it. */
function unserializable(value: unknown, root: boolean): string | undefined {
  const fix = root ? '; pass an object, array, string, number, boolean or null' : '';
  switch (typeof value) {
    case 'undefined':
      return root ? `is undefined${fix}` : 'is undefined, which JSON drops; leave the property out or use null';
    case 'function':
      return `is a function, which JSON cannot carry${fix}`;
    case 'symbol':
      return `is a symbol, which JSON cannot carry${fix}`;
    case 'bigint':
      return `is a BigInt (${describeValue(value)}), which JSON cannot carry; pass it as a string or number`;
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${value}, which JSON turns into null`;
    default:
      return undefined;
  }
}
