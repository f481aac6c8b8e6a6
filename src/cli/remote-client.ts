/**
 * The job and schedule commands against a running server instead of a store: `--url` (KAIROS_URL) and `--key`
 * (KAIROS_API_KEY). RemoteKairos offers the part of the instance API those commands use, over the HTTP API, with
 * instants turned back into Dates and the server's error codes back into KairosErrors (so exit codes are the same).
 */
import { ERROR_CATALOG, KairosError, type ErrorCode } from '../core/errors.js';
import type { Job, JobDetail, EnqueuedJob } from '../core/job.js';
import type { ScheduleDefinition } from '../core/schedule/schedule-definition.js';
import type { EnqueueCallOptions, JobListQuery, Kairos } from '../engine/kairos.js';
import type { OccurrenceRecord, PreviewEntry, Schedule } from '../engine/schedules.js';

/** What the job and schedule commands need of an instance: a local Kairos or a RemoteKairos. */
export interface CliKairos {
  /** The CLI enqueues to queues by name (Kairos's typed-queue overload is not needed here). */
  enqueue(queue: string, payload: unknown, options?: EnqueueCallOptions): Promise<EnqueuedJob>;
  cancel: Kairos['cancel'];
  cancelByKey: Kairos['cancelByKey'];
  replay: Kairos['replay'];
  jobs: Pick<Kairos['jobs'], 'get' | 'list'>;
  schedules: Pick<Kairos['schedules'], 'list' | 'get' | 'upsert' | 'remove' | 'pause' | 'resume' | 'preview' | 'history'>;
}

const DATE_KEYS = new Set([
  'runAt', 'deadline', 'leaseUntil', 'createdAt', 'startedAt', 'finishedAt', 'occurrenceAt', 'updatedAt', 'nextAt', 'nextFireAt', 'bufferedAt',
  'lastOccurrenceAt', 'startAt', 'endAt', 'at', 'fireAt', 'recordedAt',
]);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function revive(_key: string, value: unknown): unknown {
  return DATE_KEYS.has(_key) && typeof value === 'string' && ISO.test(value) ? new Date(value) : value;
}

/** HTTP-only error codes of the API, as the nearest catalog code. */
const HTTP_CODES: Record<string, ErrorCode> = { BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE', ROUTE_NOT_FOUND: 'CAPABILITY_MISSING', INTERNAL: 'STORE_ERROR' };

export class RemoteKairos implements CliKairos {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string | undefined,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.key !== undefined) headers.authorization = `Bearer ${this.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw new KairosError('STORE_ERROR', `cannot reach the server at ${this.baseUrl}: ${(cause as Error).message}`, { details: { field: 'url' }, cause });
    }
    const text = await res.text();
    if (res.status === 204) return undefined as T;
    let doc: unknown;
    try {
      doc = JSON.parse(text, revive);
    } catch {
      throw new KairosError('STORE_ERROR', `the server at ${this.baseUrl} answered ${res.status} with a body that is not JSON`, { details: { field: 'url' } });
    }
    if (res.ok) return doc as T;
    const error = (doc as { error?: { code?: string; message?: string; field?: string | null } }).error ?? {};
    const code = (error.code !== undefined && error.code in ERROR_CATALOG ? error.code : HTTP_CODES[error.code ?? ''] ?? 'STORE_ERROR') as ErrorCode;
    throw new KairosError(code, error.message ?? `HTTP ${res.status}`, { details: { field: error.field ?? undefined, status: res.status } });
  }

  enqueue = async (queue: string, payload: unknown, options: EnqueueCallOptions = {}): Promise<EnqueuedJob> => {
    const { tx: _tx, ...rest } = options;
    return this.call('POST', '/v1/jobs', { queue, payload, ...rest, runAt: rest.runAt instanceof Date ? rest.runAt.toISOString() : rest.runAt, deadline: rest.deadline instanceof Date ? rest.deadline.toISOString() : rest.deadline });
  };

  cancel = async (id: number): Promise<boolean> => (await this.call<{ cancelled: boolean }>('POST', `/v1/jobs/${id}/cancel`)).cancelled;

  cancelByKey = async (queue: string, key: string): Promise<number> => (await this.call<{ id: number }>('POST', '/v1/jobs/cancel-by-key', { queue, key })).id;

  replay = (id: number): Promise<Job> => this.call('POST', `/v1/jobs/${id}/replay`);

  jobs = {
    get: async (id: number): Promise<JobDetail | null> => {
      try {
        return await this.call<JobDetail>('GET', `/v1/jobs/${id}`);
      } catch (error) {
        if (error instanceof KairosError && error.code === 'JOB_NOT_FOUND') return null;
        throw error;
      }
    },
    list: (query: JobListQuery = {}): Promise<{ jobs: Job[]; nextCursor: number | null }> => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      return this.call('GET', `/v1/jobs?${params.toString()}`);
    },
  };

  schedules = {
    list: async (): Promise<Schedule[]> => (await this.call<{ schedules: Schedule[] }>('GET', '/v1/schedules')).schedules,
    get: async (id: string): Promise<Schedule | null> => {
      try {
        return await this.call<Schedule>('GET', `/v1/schedules/${encodeURIComponent(id)}`);
      } catch (error) {
        if (error instanceof KairosError && error.code === 'SCHEDULE_NOT_FOUND') return null;
        throw error;
      }
    },
    upsert: (definition: ScheduleDefinition): Promise<Schedule> => {
      const { id, ...rest } = definition;
      return this.call('PUT', `/v1/schedules/${encodeURIComponent(id)}`, rest);
    },
    remove: async (id: string): Promise<void> => this.call('DELETE', `/v1/schedules/${encodeURIComponent(id)}`),
    pause: (id: string): Promise<Schedule> => this.call('POST', `/v1/schedules/${encodeURIComponent(id)}/pause`),
    resume: (id: string): Promise<Schedule> => this.call('POST', `/v1/schedules/${encodeURIComponent(id)}/resume`),
    preview: async (idOrDefinition: string | ScheduleDefinition, count = 10): Promise<PreviewEntry[]> => {
      const doc = typeof idOrDefinition === 'string'
        ? await this.call<{ occurrences: PreviewEntry[] }>('GET', `/v1/schedules/${encodeURIComponent(idOrDefinition)}/preview?count=${count}`)
        : await this.call<{ occurrences: PreviewEntry[] }>('POST', `/v1/schedules/preview?count=${count}`, idOrDefinition);
      return doc.occurrences;
    },
    history: async (id: string, options: { limit?: number; before?: Date | number } = {}): Promise<OccurrenceRecord[]> => {
      const params = new URLSearchParams();
      if (options.limit !== undefined) params.set('limit', String(options.limit));
      if (options.before !== undefined) params.set('before', String(new Date(options.before).getTime()));
      return (await this.call<{ occurrences: OccurrenceRecord[] }>('GET', `/v1/schedules/${encodeURIComponent(id)}/history?${params.toString()}`)).occurrences;
    },
  };
}
