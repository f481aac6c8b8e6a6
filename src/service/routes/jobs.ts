/** /v1/jobs: enqueue one or many, read one with its attempts, list with filters and a cursor, cancel, replay. */
import { Type } from 'typebox';
import type { Job, JobDetail } from '../../core/job.js';
import { KairosError } from '../../core/errors.js';
import { AUTH_ERRORS, ErrorBody, INPUT_ERRORS, isoDates } from '../schemas/common.js';
import { CancelByKeyBody, CreateJobBody, CreateJobsBody, EnqueuedJob, IdParams, Job as JobSchema, JobDetail as JobDetailSchema, JobListQuery, JobPage } from '../schemas/jobs.js';
import { EnqueueBatcher } from '../enqueue-batcher.js';
import type { RouteModule } from './context.js';

export const jobJson = (job: Job) => isoDates(job);
export const jobDetailJson = (job: JobDetail) => ({ ...isoDates(job), attempts: job.attempts.map((a) => isoDates(a)) });

const tags = ['jobs'];

export const jobRoutes: RouteModule = (app, { kairos }) => {
  const batcher = new EnqueueBatcher(kairos);
  app.post('/v1/jobs', {
    config: { scope: 'jobs:write' },
    schema: { tags, summary: 'Enqueue one job', body: CreateJobBody, response: { 202: EnqueuedJob, ...INPUT_ERRORS, ...AUTH_ERRORS, 409: ErrorBody, 429: ErrorBody } },
  }, async (request, reply) => {
    const { queue, payload, ...options } = request.body;
    const job = await batcher.enqueue(queue, { ...options, payload: payload ?? {} });
    return reply.status(202).send(isoDates(job));
  });

  app.post('/v1/jobs/batch', {
    config: { scope: 'jobs:write' },
    schema: {
      tags, summary: 'Enqueue up to 1,000 jobs of one queue in one transaction (all or none)', body: CreateJobsBody,
      response: { 202: Type.Object({ jobs: Type.Array(EnqueuedJob) }), ...INPUT_ERRORS, ...AUTH_ERRORS, 409: ErrorBody, 429: ErrorBody },
    },
  }, async (request, reply) => {
    const jobs = await kairos.enqueueMany(request.body.queue, request.body.jobs);
    return reply.status(202).send({ jobs: jobs.map((j) => isoDates(j)) });
  });

  app.get('/v1/jobs', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'List jobs, newest first; pass nextCursor back as cursor for the next page', querystring: JobListQuery, response: { 200: JobPage, 400: ErrorBody, ...AUTH_ERRORS } },
  }, async (request) => {
    const page = await kairos.jobs.list(request.query);
    return { jobs: page.jobs.map(jobJson), nextCursor: page.nextCursor };
  });

  app.get('/v1/jobs/:id', {
    config: { scope: 'jobs:read' },
    schema: { tags, summary: 'A job with every attempt', params: IdParams, response: { 200: JobDetailSchema, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody } },
  }, async (request) => {
    const job = await kairos.jobs.get(request.params.id);
    if (job === null) throw new KairosError('JOB_NOT_FOUND', `job ${request.params.id} not found`, { details: { field: 'id' } });
    return jobDetailJson(job);
  });

  app.post('/v1/jobs/:id/cancel', {
    config: { scope: 'jobs:write' },
    schema: {
      tags, summary: 'Cancel a scheduled or running job (a running one has its AbortSignal fired); 409 if it already ended otherwise', params: IdParams,
      response: { 200: Type.Object({ cancelled: Type.Boolean({ description: 'false when it was already cancelled' }), job: JobSchema }), 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const { id } = request.params;
    const cancelled = await kairos.cancel(id);
    const job = await kairos.jobs.get(id);
    if (job === null) throw new KairosError('JOB_NOT_FOUND', `job ${id} not found`, { details: { field: 'id' } });
    if (!cancelled && job.state !== 'cancelled') {
      throw new KairosError('JOB_STATE_CONFLICT', `job ${id} is ${job.state}; only a scheduled or running job can be cancelled`, { details: { field: 'id' } });
    }
    const { attempts: _attempts, ...plain } = job;
    return { cancelled, job: jobJson(plain) };
  });

  app.post('/v1/jobs/cancel-by-key', {
    config: { scope: 'jobs:write' },
    schema: {
      tags, summary: 'Cancel the scheduled or running job of a queue that holds a key', body: CancelByKeyBody,
      response: { 200: Type.Object({ id: Type.Integer(), cancelled: Type.Literal(true) }), ...INPUT_ERRORS, ...AUTH_ERRORS, 404: ErrorBody },
    },
  }, async (request) => {
    const id = await kairos.cancelByKey(request.body.queue, request.body.key);
    return { id, cancelled: true as const };
  });

  app.post('/v1/jobs/:id/replay', {
    config: { scope: 'jobs:write' },
    schema: { tags, summary: 'Replay a finished job: same id, due now', params: IdParams, response: { 200: JobSchema, 400: ErrorBody, ...AUTH_ERRORS, 404: ErrorBody, 409: ErrorBody } },
  }, async (request) => jobJson(await kairos.replay(request.params.id)));
};
