/** Typed queues through the public API: schema checked at enqueue (nothing stored on refusal), types flow to handlers. */
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineQueue, isKairosError } from '../../src/index.js';
import { waitForEvent } from '../../src/testing/wait-for-event.js';
import { describeEachStore } from './helpers.js';

const pushSchema = z.object({
  userId: z.number().int().positive(),
  message: z.object({ title: z.string().min(1), body: z.string() }),
  channel: z.enum(['apns', 'fcm']).default('fcm'),
});

describeEachStore('typed queues', ({ openKairos }) => {
  it('stores the schema output and hands it, typed, to the handler; the result is read back typed', async () => {
    const { kairos } = await openKairos({ fake: false });
    const push = kairos.queue<z.output<typeof pushSchema>, { delivered: boolean; channel: string }, z.input<typeof pushSchema>>('push', { schema: pushSchema });
    push.handle(async (job) => ({ delivered: true, channel: job.payload.channel }));
    await kairos.start();
    const done = waitForEvent(kairos, 'job:completed');
    const job = await push.enqueue({ userId: 7, message: { title: 'Hi', body: '…' } });
    await done;
    const stored = await push.get(job.id);
    expect(stored?.payload).toEqual({ userId: 7, message: { title: 'Hi', body: '…' }, channel: 'fcm' });
    expect(stored?.result).toEqual({ delivered: true, channel: 'fcm' });
  });

  it('refuses a payload the schema rejects with PAYLOAD_REJECTED naming the path, and stores nothing', async () => {
    const { kairos } = await openKairos();
    const push = defineQueue('push', { schema: pushSchema });
    const error = await kairos.enqueue(push, { userId: 7, message: { title: 3, body: '' } } as never).catch((e: unknown) => e);
    expect(isKairosError(error, 'PAYLOAD_REJECTED')).toBe(true);
    expect((error as Error).message).toMatch(/queue "push" refused the payload: payload\.message\.title: /);
    expect((error as { details: { field: string } }).details.field).toBe('payload.message.title');
    expect(await kairos.jobs.counts()).toEqual([]);
  });

  it('checks every item of enqueueMany before storing any, naming the item', async () => {
    const { kairos } = await openKairos();
    const push = kairos.queue('push', { schema: pushSchema });
    const good = { userId: 1, message: { title: 'a', body: 'b' } };
    const error = await push.enqueueMany([{ payload: good }, { payload: { ...good, userId: -1 } }]).catch((e: unknown) => e);
    expect(isKairosError(error, 'PAYLOAD_REJECTED')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe('items[1].payload.userId');
    expect(await kairos.jobs.counts()).toEqual([]);
    expect(await push.enqueueMany([{ payload: good }, { payload: good, priority: 1 }])).toHaveLength(2);
  });

  it('once defined on the instance, an enqueue by the plain name is checked too; plain string queues are unchanged', async () => {
    const { kairos } = await openKairos();
    kairos.queue('push', { schema: pushSchema });
    await expect(kairos.enqueue('push', { userId: 'x' })).rejects.toMatchObject({ code: 'PAYLOAD_REJECTED' });
    await expect(kairos.enqueue('mail', { anything: true })).resolves.toMatchObject({ queue: 'mail', outcome: 'created' });
    expect(() => kairos.queue('push', { schema: z.object({}) })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses a schema that is not a Standard Schema, and unknown definition options', async () => {
    const { kairos } = await openKairos();
    expect(() => defineQueue('push', { schema: { parse: () => 1 } as never })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { field: 'schema' } }));
    expect(() => kairos.queue('push', { shape: 1 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { field: 'shape' } }));
    expect(() => defineQueue('bad name')).toThrow(expect.objectContaining({ code: 'QUEUE_NAME_INVALID' }));
  });

  it('enqueueSync checks the schema on SQLite, and refuses an asynchronous schema with a clear error', async (ctx) => {
    const { kairos } = await openKairos();
    if (!kairos.driver.capabilities.syncTransactions) return ctx.skip();
    const push = kairos.queue('push', { schema: pushSchema });
    expect(() => push.enqueueSync({ userId: 0, message: { title: 'a', body: '' } })).toThrow(expect.objectContaining({ code: 'PAYLOAD_REJECTED' }));
    const slow = defineQueue('slow', { schema: z.string().refine(async (s) => s.length > 0) });
    expect(() => kairos.enqueueSync(slow, 'x')).toThrow(expect.objectContaining({ code: 'CAPABILITY_MISSING' }));
    expect(push.enqueueSync({ userId: 1, message: { title: 'a', body: '' } }).outcome).toBe('created');
  });
});
