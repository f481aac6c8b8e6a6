/**
 * Typed events of an instance. Instants are Dates, as in Job. Event objects are built only when someone listens, to
 * keep the hot path lean.
 */
import { EventEmitter } from 'node:events';
import type { ErrorInfo } from '../core/job.js';

interface JobEventBase {
  id: number;
  queue: string;
  attempt: number;
}

/** Every event name and its payload. */
export interface KairosEvents {
  /** `runAt` is when the job was due: startedAt − runAt is its lateness. */
  'job:started': JobEventBase & { startedAt: Date; runAt: Date };
  'job:completed': JobEventBase & { durationMs: number; result: unknown };
  /** The attempt failed and another is scheduled. */
  'job:retrying': JobEventBase & { error: ErrorInfo; runAt: Date };
  /** The job failed for good (attempts used up, unrecoverable, or lease lost on the last attempt). */
  'job:failed': JobEventBase & { error: ErrorInfo };
  'job:skipped': JobEventBase & { reason: string };
  'job:snoozed': JobEventBase & { runAt: Date };
  'job:cancelled': { id: number; queue: string; wasRunning: boolean };
  'job:expired': { id: number; queue: string; deadline: Date };
  /** The job was rescued after its worker's lease ended (worker died or stalled). */
  'job:rescued': JobEventBase & { state: 'scheduled' | 'failed'; workerId: string };
  /** This instance lost a running job (cancelled elsewhere or lease expired) and aborted its handler. */
  'job:lease-lost': JobEventBase;
  /** Shutdown aborted a running job and gave it back without counting the attempt. */
  'job:handed-back': JobEventBase;
  /** A schedule occurrence was handled: a job enqueued, or recorded as missed, skipped or buffered. */
  'schedule:occurrence': { scheduleId: string; occurrenceAt: Date; status: 'enqueued' | 'missed' | 'skipped' | 'buffered'; jobId: number | null };
  /** An error inside the engine (store unavailable, a failed flush); the engine keeps going. */
  error: { error: Error; where: string };
}

export type KairosEventName = keyof KairosEvents;

/** EventEmitter with the event map above. */
export class KairosEmitter {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  once<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): () => void {
    this.emitter.once(event, listener);
    return () => this.emitter.off(event, listener);
  }

  off<E extends KairosEventName>(event: E, listener: (payload: KairosEvents[E]) => void): void {
    this.emitter.off(event, listener);
  }

  /** True when `event` has listeners; callers skip building the payload otherwise. */
  wants(event: KairosEventName): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  emit<E extends KairosEventName>(event: E, payload: KairosEvents[E]): void {
    // Node's EventEmitter throws an 'error' event nobody listens to; engine errors are logged, so they are
    // events for whoever wants them, never a crash.
    if (event === 'error' && this.emitter.listenerCount('error') === 0) return;
    this.emitter.emit(event, payload);
  }
}
