/**
 * Group commit for single-job creates: the requests of one queue that arrive in the same turn of the event loop are
 * stored in one transaction (kairos.enqueueMany) instead of one each. Under load that turns many small commits into
 * a few large ones; alone, a request waits only for the end of the current turn (setImmediate). If the shared
 * insert fails (one job's key is taken with dedupe 'reject', one job is invalid), every job of the group is stored
 * on its own, so each request gets exactly its own result or error.
 */
import type { EnqueuedJob } from '../core/job.js';
import type { EnqueueItem, Kairos } from '../engine/kairos.js';

interface Waiting {
  item: EnqueueItem;
  resolve: (job: EnqueuedJob) => void;
  reject: (error: unknown) => void;
}

/** Most jobs one shared insert takes. */
const MAX_GROUP = 1_000;

export class EnqueueBatcher {
  private pending = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(private readonly kairos: Kairos) {}

  enqueue(queue: string, item: EnqueueItem): Promise<EnqueuedJob> {
    return new Promise((resolve, reject) => {
      let group = this.pending.get(queue);
      if (group === undefined) this.pending.set(queue, (group = []));
      group.push({ item, resolve, reject });
      if (group.length >= MAX_GROUP) {
        this.pending.delete(queue);
        void this.store(queue, group);
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const groups = this.pending;
    this.pending = new Map();
    for (const [queue, group] of groups) void this.store(queue, group);
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
