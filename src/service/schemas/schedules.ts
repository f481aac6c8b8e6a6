/** Schemas of schedules and calendars. Rules and policies are checked by the engine, which names the field at fault. */
import { Type } from 'typebox';
import { Instant, InstantInput, Nullable, NullableInstant } from './common.js';
import { JobState } from './jobs.js';

const Rule = Type.Unsafe<object>({
  type: 'object',
  additionalProperties: true,
  description: '{ cron, tz?, clampDayOfMonth?, calendar?, onHoliday?, businessDays? } | { everyMs, anchor? } | { at } (docs/schedules-rules.md)',
});
const ScheduleJobOptions = Type.Unsafe<object>({ type: 'object', additionalProperties: true, description: '{ priority?, maxAttempts?, backoff?, timeoutMs?, tags? }' });

export const ScheduleIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,200}$' }) });

/** A schedule definition without its id (the id is in the path). */
export const ScheduleBody = Type.Object({
  queue: Type.String(),
  rule: Rule,
  payload: Type.Optional(Type.Unknown()),
  jobOptions: Type.Optional(ScheduleJobOptions),
  misfire: Type.Optional(Type.Enum(['skip', 'once', 'all'])),
  catchUpLimit: Type.Optional(Type.Integer()),
  misfireGraceMs: Type.Optional(Type.Integer()),
  overlap: Type.Optional(Type.Enum(['allow', 'skip', 'buffer-one'])),
  deadlineMs: Type.Optional(Type.Integer()),
  spreadMs: Type.Optional(Type.Integer()),
  startAt: Type.Optional(InstantInput),
  endAt: Type.Optional(InstantInput),
  maxRuns: Type.Optional(Type.Integer()),
  paused: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const Schedule = Type.Object({
  id: Type.String(), queue: Type.String(), rule: Rule, payload: Type.Unknown(), jobOptions: Nullable(ScheduleJobOptions),
  misfire: Type.String(), catchUpLimit: Type.Integer(), misfireGraceMs: Type.Integer(), overlap: Type.String(), deadlineMs: Nullable(Type.Integer()),
  spreadMs: Type.Integer(), startAt: NullableInstant, endAt: NullableInstant, maxRuns: Nullable(Type.Integer()), runs: Type.Integer(), paused: Type.Boolean(),
  nextAt: NullableInstant, nextFireAt: NullableInstant, bufferedAt: NullableInstant, lastOccurrenceAt: NullableInstant, lastJobId: Nullable(Type.Integer()),
  lastJobState: Nullable(JobState), source: Type.String(), createdAt: Instant, updatedAt: Instant,
});

export const PreviewQuery = Type.Object({ count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false });
export const Preview = Type.Object({ occurrences: Type.Array(Type.Object({ at: Instant, fireAt: Instant, local: Type.String(), tz: Type.String() })) });

export const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  before: Type.Optional(Type.Integer({ description: 'epoch ms: entries with an occurrence before it (pagination)' })),
}, { additionalProperties: false });
export const History = Type.Object({
  occurrences: Type.Array(Type.Object({
    occurrenceAt: Instant, fireAt: Instant, status: Type.String(), reason: Nullable(Type.String()), jobId: Nullable(Type.Integer()), jobState: Nullable(JobState), recordedAt: Instant,
  })),
});

export const CalendarParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });
export const CalendarBody = Type.Object({ dates: Type.Array(Type.String(), { maxItems: 100_000 }) }, { additionalProperties: false });
export const Calendar = Type.Object({ name: Type.String(), dates: Type.Array(Type.String()), updatedAt: Type.Optional(Instant) });
