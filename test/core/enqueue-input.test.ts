// Enqueue input in core: normalizeJob refuses bad instants, payloads, backoffs and options with a KairosError that
// names the field in details.field and in the message; errors never echo a huge input whole.
import { describe, expect, it } from 'vitest';
import { parseBackoff } from '../../src/core/backoff.js';
import { describeValue, isKairosError } from '../../src/core/errors.js';
import { assertQueueName, normalizeJob, parseInstant, type JobLimits } from '../../src/core/job-options.js';
import { readInstant } from '../../src/core/schedule/instant-input.js';
import { normalizeSchedule } from '../../src/core/schedule/schedule-definition.js';

const NOW = Date.UTC(2026, 2, 1, 9);
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const limits: JobLimits = { payloadMaxBytes: 262_144, defaultMaxAttempts: 5, backoffPolicies: new Map([['linear', () => 1_000]]) };
const MB = 1024 * 1024;

function refusal(run: () => unknown): { code: string; field: unknown; message: string } {
  try {
    run();
  } catch (error) {
    if (!isKairosError(error)) throw error;
    return { code: error.code, field: error.details.field, message: error.message };
  }
  throw new Error('accepted');
}

const enqueue = (payload: unknown, options?: unknown) => normalizeJob('q', payload, options as never, NOW, limits);

describe('normalizeJob instants', () => {
  it.each([
    [{ delayMs: 1e300 }, 'delayMs'],
    [{ delayMs: Number.MAX_SAFE_INTEGER }, 'delayMs'],
    [{ delayMs: LAST_MS - NOW + 1 }, 'delayMs'],
    [{ runAt: 1e300 }, 'runAt'],
    [{ runAt: -1e20 }, 'runAt'],
    [{ runAt: LAST_MS + 1 }, 'runAt'],
    [{ runAt: new Date(LAST_MS + 1) }, 'runAt'],
    [{ runAt: 1.5 }, 'runAt'],
    [{ deadline: -1e20 }, 'deadline'],
    [{ deadline: 1e300 }, 'deadline'],
    [{ runAt: '2026-03-01T09:00:00' }, 'runAt'],
    [{ deadline: '2026-03-01T09:00:00' }, 'deadline'],
    [{ runAt: '2026-03-01' }, 'runAt'],
    [{ runAt: 'next tuesday' }, 'runAt'],
    [{ runAt: '+010000-01-01T00:00:00Z' }, 'runAt'],
  ])('refuses %j naming %s', (options, field) => {
    const error = refusal(() => enqueue(1, options));
    expect(error).toMatchObject({ code: 'JOB_OPTION_INVALID', field });
    expect(error.message).toContain(field);
  });

  it('accepts instants up to the edges of years 0001–9999', () => {
    expect(enqueue(1, { delayMs: LAST_MS - NOW }).runAt).toBe(LAST_MS);
    expect(enqueue(1, { runAt: '9999-12-31T23:59:59.999Z' }).runAt).toBe(LAST_MS);
    expect(enqueue(1, { runAt: '0001-01-01T00:00:00Z' }).runAt).toBe(Date.parse('0001-01-01T00:00:00Z'));
    expect(() => enqueue(1, { runAt: Date.parse('0001-01-01T00:00:00Z') - 1 })).toThrow('runAt');
    expect(enqueue(1, { runAt: '2026-03-01T18:00:00+09:00', deadline: new Date('2026-03-01T09:30:00Z') })).toMatchObject({
      runAt: NOW,
      deadline: NOW + 1_800_000,
    });
  });

  it('reads runAt and deadline with the schedule parser', () => {
    const inputs: unknown[] = ['2026-03-01T09:00:00Z', '2026-03-01T09:00Z', '2026-03-01t09:00:00.123456z', '2026-03-01T09:00:00-05:30',
      '2026-03-01T09:00:00', '2026-02-30T09:00:00Z', '2026-03-01T09:00:00+19:00', 'Sun, 01 Mar 2026 09:00:00 GMT', '', NOW, NOW + 0.5, new Date(NaN)];
    const outcome = (read: () => number) => {
      try {
        return read();
      } catch (error) {
        return isKairosError(error) ? 'refused' : error;
      }
    };
    for (const input of inputs) {
      expect(outcome(() => parseInstant(input, 'runAt'))).toEqual(outcome(() => readInstant(input, 'startAt', 'SCHEDULE_OPTION_INVALID')));
    }
  });
});

describe('normalizeJob payload', () => {
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic.self = cyclic;
  const cyclicList: unknown[] = [1];
  cyclicList.push({ back: cyclicList });
  let deep: unknown = { leaf: () => 1 };
  let deepPath = 'payload.leaf';
  for (let i = 0; i < 100; i++) {
    deep = { d: deep };
    deepPath = `payload.d${deepPath.slice('payload'.length)}`;
  }

  it.each([
    ['a nested function', { user: { onClick: () => 1 } }, 'payload.user.onClick'],
    ['an undefined array element', { items: [0, 1, 2, undefined] }, 'payload.items[3]'],
    ['an array hole', [1, , 3], 'payload[1]'], // eslint-disable-line no-sparse-arrays -- the hole is the case under test
    ['an undefined property', { a: 1, note: undefined }, 'payload.note'],
    ['a symbol', { kind: Symbol('k') }, 'payload.kind'],
    ['NaN', { score: NaN }, 'payload.score'],
    ['Infinity', [[Infinity]], 'payload[0][0]'],
    ['-Infinity', { min: -Infinity }, 'payload.min'],
    ['a BigInt', { n: 10n }, 'payload.n'],
    ['a cycle', cyclic, 'payload.self'],
    ['a cycle through an array', cyclicList, 'payload[1].back'],
    ['a key that is not an identifier', { 'a b': { c: undefined } }, 'payload["a b"].c'],
    ['a bad value below the fast check depth', deep, deepPath],
    ['a bad value returned by toJSON', { money: { toJSON: () => ({ cents: NaN }) } }, 'payload.money.cents'],
    ['a top-level NaN', NaN, 'payload'],
    ['a top-level undefined', undefined, 'payload'],
    ['a top-level function', () => 1, 'payload'],
  ])('refuses %s naming its path', (_name, payload, field) => {
    const error = refusal(() => enqueue(payload));
    expect(error).toMatchObject({ code: 'PAYLOAD_INVALID', field });
    expect(error.message).toContain(field);
  });

  it('keeps what JSON keeps: Dates, toJSON objects, shared references, deep nesting', () => {
    const shared = { id: 1 };
    let nested: unknown = 'bottom';
    for (let i = 0; i < 200; i++) nested = [nested];
    const payloads: unknown[] = [
      { userId: 1, text: 'hi', tags: ['a'] },
      { at: new Date(NOW), list: [new Date(0)] },
      { a: shared, b: shared, c: [shared, shared] },
      { a: shared, b: shared, money: { toJSON: () => '1.00' } },
      { buffer: Buffer.from('hi') },
      nested,
      null,
      'text',
      0,
    ];
    for (const payload of payloads) expect(enqueue(payload).payload).toBe(JSON.stringify(payload));
  });
});

describe('normalizeJob backoff', () => {
  it('refuses a custom backoff naming no registered policy', () => {
    const error = refusal(() => enqueue(1, { backoff: { type: 'custom', name: 'lineer' } }));
    expect(error).toMatchObject({ code: 'JOB_OPTION_INVALID', field: 'backoff.name' });
    expect(error.message).toContain('backoff.name');
  });

  it('accepts a registered custom policy, from a map or a set of names', () => {
    expect(enqueue(1, { backoff: { type: 'custom', name: 'linear' } }).backoff).toBe('{"type":"custom","name":"linear"}');
    expect(parseBackoff({ type: 'custom', name: 'x' }, 'backoff', new Set(['x']))).toEqual({ type: 'custom', name: 'x' });
    expect(() => parseBackoff({ type: 'custom', name: 'x' }, 'backoff', new Set())).toThrow('backoff.name');
  });
});

describe('normalizeJob options', () => {
  it.each([[5], ['fast'], [[1]], [null], [true]])('refuses options %j as field options', (options) => {
    const error = refusal(() => enqueue({}, options));
    expect(error).toMatchObject({ code: 'JOB_OPTION_INVALID', field: 'options' });
    expect(error.message).toMatch(/^options: must be an object/);
  });

  it('names options, not an index, when an array or a string was spread into them', () => {
    expect(refusal(() => enqueue({}, { ...('fast' as unknown as object) }))).toMatchObject({ code: 'JOB_OPTION_INVALID', field: 'options' });
    expect(refusal(() => enqueue({}, { ...[1, 2] }))).toMatchObject({ code: 'JOB_OPTION_INVALID', field: 'options' });
  });
});

describe('bounded error messages', () => {
  const huge = 'a'.repeat(MB);

  it.each([
    ['key', () => enqueue(1, { key: huge }), 'key'],
    ['dedupe', () => enqueue(1, { key: 'k', dedupe: huge }), 'dedupe'],
    ['runAt', () => enqueue(1, { runAt: huge }), 'runAt'],
    ['deadline', () => enqueue(1, { deadline: [huge] }), 'deadline'],
    ['a tag', () => enqueue(1, { tags: [huge] }), 'tags[0]'],
    ['tags', () => enqueue(1, { tags: huge }), 'tags'],
    ['an unknown option name', () => enqueue(1, { [huge]: 1 }), 'options'],
    ['a custom backoff name', () => enqueue(1, { backoff: { type: 'custom', name: huge } }), 'backoff.name'],
    ['a backoff option name', () => enqueue(1, { backoff: { type: 'fixed', delayMs: 1, [huge]: 1 } }), 'backoff'],
    ['a backoff delay', () => enqueue(1, { backoff: { type: 'fixed', delayMs: huge } }), 'backoff.delayMs'],
    ['a payload key', () => enqueue({ [huge]: undefined }), `payload[${describeValue(huge)}]`],
    ['a queue name', () => assertQueueName(huge), 'queue'],
    ['a schedule id', () => normalizeSchedule({ id: huge, queue: 'q', rule: { everyMs: 1000 } }, 1024), 'id'],
    ['a schedule queue', () => normalizeSchedule({ id: 's', queue: huge, rule: { everyMs: 1000 } }, 1024), 'queue'],
    ['a schedule startAt', () => normalizeSchedule({ id: 's', queue: 'q', rule: { everyMs: 1000 }, startAt: huge }, 1024), 'startAt'],
    ['a schedule misfire', () => normalizeSchedule({ id: 's', queue: 'q', rule: { everyMs: 1000 }, misfire: huge }, 1024), 'misfire'],
    ['a schedule option name', () => normalizeSchedule({ id: 's', queue: 'q', rule: { everyMs: 1000 }, [huge]: 1 }, 1024), 'schedule'],
  ])('a 1 MB %s gives a short message', (_name, run, field) => {
    const error = refusal(run);
    expect(error.message.length).toBeLessThan(300);
    expect(error.field).toBe(field);
    expect(String(error.field).length).toBeLessThan(100);
  });

  it('a path through 5 000 levels keeps its start and end', () => {
    let deep: unknown = { leaf: undefined };
    for (let i = 0; i < 5_000; i++) deep = { d: deep };
    const { field, message } = refusal(() => enqueue(deep));
    expect(field).toMatch(/^payload….*\.d\.d\.leaf$/);
    expect(String(field).length).toBe(256);
    expect(message.length).toBeLessThan(400);
  });

  it('the 1 MB key message is under 200 characters and shows a preview with the length', () => {
    const { message } = refusal(() => enqueue(1, { key: huge }));
    expect(message.length).toBeLessThan(200);
    expect(message).toContain(`"${'a'.repeat(64)}…" (1048576 characters)`);
  });
});

describe('describeValue', () => {
  it('shows short values as JSON and caps long ones with their length', () => {
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue(42)).toBe('42');
    expect(describeValue({ a: [1, null] })).toBe('{"a":[1,null]}');
    expect(describeValue('a'.repeat(MB))).toBe(`"${'a'.repeat(64)}…" (1048576 characters)`);
    expect(describeValue('abcdef', 3)).toBe('"abc…" (6 characters)');
    expect(describeValue(Array.from({ length: 100 }, () => 1), 10)).toBe('[1,1,1,1,1… (201 characters)');
  });

  it('stays short when the preview needs escapes', () => {
    expect(describeValue('\u0000'.repeat(MB)).length).toBeLessThan(100);
    expect(describeValue('\n'.repeat(100))).toMatch(/^"(\\n)+…" \(100 characters\)$/);
  });

  it('names values JSON cannot show', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
    expect(describeValue(10n)).toBe('10n (BigInt)');
    expect(describeValue(new Date(NaN))).toBe('an invalid Date');
    expect(describeValue(cyclic)).toBe('a value that cannot be shown as JSON');
  });
});
