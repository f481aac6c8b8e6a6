/**
 * Group commit for single-job creates: the requests of one queue that arrive together are stored in one transaction
 * (kairos.enqueueMany) instead of one each. A queue has at most MAX_IN_FLIGHT inserts under way; requests that arrive
 * meanwhile wait for the next one, so the slower the store's commit (a PostgreSQL round trip, an fsync), the larger
 * the groups. Alone, a request waits only for the end of the current turn of the event loop. If a shared insert
 * fails (one job's key is taken with dedupe 'reject', one job is invalid), every job of that group is stored on its
 * own, so each request gets exactly its own result or error.
 */
import type { EnqueuedJob } from '../core/job.js';
import type { EnqueueItem, Kairos } from '../engine/kairos.js';

interface Waiting {
  item: EnqueueItem;
  resolve: (job: EnqueuedJob) => void;
  reject: (error: unknown) => void;
}

interface QueueState {
  waiting: Waiting[];
  inFlight: number;
}

/** Most jobs one shared insert takes. */
const MAX_GROUP = 1_000;
/** Inserts of one queue under way at once. */
const MAX_IN_FLIGHT = 2;

export class EnqueueBatcher {
  private readonly queues = new Map<string, QueueState>();
  private scheduled = false;

  constructor(private readonly kairos: Kairos) {}

  enqueue(queue: string, item: EnqueueItem): Promise<EnqueuedJob> {
    return new Promise((resolve, reject) => {
      let state = this.queues.get(queue);
      if (state === undefined) this.queues.set(queue, (state = { waiting: [], inFlight: 0 }));
      state.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const [queue, state] of this.queues) this.start(queue, state);
    });
  }

  /** Starts inserts for `queue` while it has waiting requests and room for another insert. */
  private start(queue: string, state: QueueState): void {
    while (state.waiting.length > 0 && state.inFlight < MAX_IN_FLIGHT) {
      const group = state.waiting.splice(0, MAX_GROUP);
      state.inFlight++;
      void this.store(queue, group).finally(() => {
        state.inFlight--;
        if (state.waiting.length > 0) this.schedule();
        else if (state.inFlight === 0) this.queues.delete(queue);
      });
    }
  }

  private async store(queue: string, group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      let jobs: EnqueuedJob[] | null = null;
      try {
        jobs = await this.kairos.enqueueMany(queue, group.map((w) => w.item));
      } catch {
        jobs = null;
      }
      if (jobs !== null) {
        for (let i = 0; i < group.length; i++) group[i]!.resolve(jobs[i]!);
        return;
      }
    }
    await Promise.all(group.map(async (w) => {
      try {
        const { payload, ...options } = w.item;
        w.resolve(await this.kairos.enqueue(queue, payload, options));
      } catch (error) {
        w.reject(error);
      }
    }));
  }
}
