/** Builds valid NewJob rows for driver tests, with overrides. */
import type { NewJob } from '../core/job-options.js';

export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    queue: 'q', payload: '{}', runAt: 0, key: null, dedupe: 'keep', priority: 0, maxAttempts: 5, backoff: null, timeoutMs: null,
    deadline: null, tags: null, ...overrides,
  };
}
