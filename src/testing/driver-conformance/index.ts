/**
 * The driver conformance suite: the same tests for every store driver. A driver's test file calls
 * runDriverConformance({ name, create }) and gets one describe block per area of the Driver seam.
 */
import { describe } from 'vitest';
import { apiKeyConformance } from './api-keys.js';
import { claimConformance } from './claim.js';
import type { ConformanceTarget } from './context.js';
import { finishConformance } from './finish.js';
import { flowConformance } from './flows.js';
import { insertConformance } from './insert.js';
import { insightConformance } from './insights.js';
import { leaseConformance } from './leases.js';
import { limiterConformance } from './limiters.js';
import { manageConformance } from './manage.js';
import { modelConformance } from './model.js';
import { notificationConformance } from './notifications.js';
import { queueConformance } from './queues.js';
import { reportConformance } from './reports.js';
import { scheduleConformance } from './schedules.js';
import { storeConformance } from './store.js';

export type { ConformanceTarget } from './context.js';

export function runDriverConformance(target: ConformanceTarget): void {
  describe(`driver conformance: ${target.name}`, () => {
    insertConformance(target);
    claimConformance(target);
    finishConformance(target);
    leaseConformance(target);
    manageConformance(target);
    queueConformance(target);
    flowConformance(target);
    apiKeyConformance(target);
    limiterConformance(target);
    reportConformance(target);
    scheduleConformance(target);
    storeConformance(target);
    insightConformance(target);
    notificationConformance(target);
    modelConformance(target);
  });
}
