/**
 * Type-level checks of typed queues: every `@ts-expect-error` below must be an error for `npm run typecheck` to pass
 * (an unused one is itself an error), and expectTypeOf pins the inferred types.
 */
import { expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineQueue, type Kairos, type RunningJob, type TypedQueue } from '../../src/index.js';

interface Push {
  userId: number;
  title: string;
}
interface PushResult {
  sent: boolean;
}

// Compiled, never run: the checks are the compiler's.
function typeChecks(kairos: Kairos): void {
  const push = defineQueue<Push, PushResult>('push');
  void kairos.enqueue(push, { userId: 1, title: 'hi' });
  // @ts-expect-error a payload missing a field
  void kairos.enqueue(push, { userId: 1 });
  // @ts-expect-error a field of the wrong type
  void kairos.enqueue(push, { userId: '1', title: 'hi' });
  kairos.handle(push, async (job) => {
    expectTypeOf(job.payload).toEqualTypeOf<Push>();
    return { sent: true };
  });
  // @ts-expect-error the result type is checked
  kairos.handle(push, async () => ({ sent: 'yes' }));
  // a handler may still skip or snooze
  kairos.handle(push, (_job, ctx) => ctx.skip('opted out'));

  const bound: TypedQueue<Push, PushResult> = kairos.queue<Push, PushResult>('push');
  void bound.enqueue({ userId: 2, title: 'x' });
  // @ts-expect-error an unknown field
  void bound.enqueue({ userId: 2, title: 'x', extra: 1 });
  bound.handle((job: RunningJob<Push>) => ({ sent: job.payload.userId > 0 }));
  void bound.get(1).then((job) => {
    expectTypeOf(job!.payload).toEqualTypeOf<Push>();
    expectTypeOf(job!.result).toEqualTypeOf<PushResult | null>();
  });

  // With a schema, the enqueue type is its input and the handler's its output.
  const mail = defineQueue('mail', { schema: z.object({ to: z.string(), cc: z.array(z.string()).default([]) }) });
  void kairos.enqueue(mail, { to: 'a@example.com' });
  kairos.handle(mail, (job) => {
    expectTypeOf(job.payload.cc).toEqualTypeOf<string[]>();
  });
  // @ts-expect-error the schema's input type
  void kairos.enqueue(mail, { to: 1 });

  // Plain string queues keep working with any payload.
  void kairos.enqueue('anything', { free: ['form'] });
  kairos.handle('anything', async (job) => job.payload);
}

it('type-level checks compile (see npm run typecheck)', () => {
  expectTypeOf(typeChecks).toBeFunction();
});
