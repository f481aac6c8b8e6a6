/** The public library API of Kairos. Re-exports only (stores.ts registers the concrete drivers as it loads). */
import './stores.js';

export { Kairos } from './engine/kairos.js';
export type { KairosOptions, EnqueueCallOptions, EnqueueItem, JobListQuery } from './engine/kairos.js';
export type { HandlerOptions } from './engine/queue-worker.js';
export type { Queues, QueueInfo, QueueSettings } from './engine/queues.js';
export type { Limiters, LimiterInfo, LimiterStatus, LaneStatus } from './engine/limiters.js';
export type { LimiterDefinition } from './core/limiter.js';
export type { Handler, JobContext, RunningJob, SkipSignal, SnoozeSignal } from './engine/job-context.js';
export type { KairosEvents, KairosEventName } from './engine/events.js';
export { registerStore } from './engine/store-registry.js';
export { postgresStore, sqliteStore } from './stores.js';
export { KairosError, isKairosError, ERROR_CATALOG } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export { UnrecoverableError, JobTimeoutError, JobAbortedError } from './core/job.js';
export type { Job, JobDetail, Attempt, EnqueuedJob, ErrorInfo } from './core/job.js';
export type { EnqueueOptions, DedupePolicy, PartitionMode } from './core/job-options.js';
export type { BackoffSpec, BackoffFunction } from './core/backoff.js';
export type { KairosConfig, Logger } from './core/config.js';
export type { Clock, TimerHandle } from './core/clock.js';
export { JOB_STATES, FINAL_STATES, TRANSITIONS } from './core/job-state.js';
export type { JobState, AttemptOutcome, Transition } from './core/job-state.js';
export type * from './driver/driver.js';
export { toJobId, MAX_JOB_ID } from './driver/ids.js';
export type { Schedules, Calendars, Schedule, PreviewEntry, OccurrenceRecord } from './engine/schedules.js';
export type { ScheduleDefinition, ScheduleJobOptions, MisfirePolicy, OverlapPolicy } from './core/schedule/schedule-definition.js';
export type { ScheduleRule, CronRule, IntervalRule, AtRule, OnHoliday } from './core/schedule/index.js';
