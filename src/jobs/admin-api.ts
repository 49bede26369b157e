import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { JOB_STATES } from '../platform/db/schema.js';
import { IdParam, NullableString, NullableTimestamp, StringEnum, Timestamp } from '../platform/http/schemas.js';
import { jobTypes } from '../provisioning/index.js';
import { cancelJob, jobDetail, listJobs, retryJob } from './admin.js';

const JobParam = Type.Object({ id: IdParam('job', 'Job id') }, { additionalProperties: false });

const JobError = Type.Union(
  [Type.Object({ code: Type.String(), message: NullableString() }, { additionalProperties: false }), Type.Null()],
  { description: 'An error code and message, or null.' },
);
const jobFields = {
  id: IdParam('job', 'Job id'),
  type: Type.String({ examples: ['service.create'] }),
  state: StringEnum(JOB_STATES),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  service_id: NullableString(),
  server_id: NullableString(),
  correlation_id: Type.String({ description: 'The request id that started the job.' }),
  last_error: JobError,
  failure: JobError,
  rollback: Type.Union([
    Type.Object(
      {
        state: StringEnum(['running', 'done', 'incomplete']),
        attempts: Type.Integer(),
        last_error: JobError,
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ]),
  left_behind: Type.Array(Type.String(), { description: 'What the job made on a panel and did not undo.' }),
  run_after: Timestamp,
  created_at: Timestamp,
  finished_at: NullableTimestamp,
};
const Job = Type.Object(jobFields, { additionalProperties: false });
const JobDetail = Type.Object(
  {
    ...jobFields,
    steps: Type.Array(
      Type.Object(
        { name: Type.String(), finished_at: Timestamp, undone: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    panel_calls: Type.Array(
      Type.Object(
        {
          command: Type.String(),
          server: Type.String({ description: 'The server the call went to' }),
          correlation_id: Type.String({ description: 'The request id the panel call carried' }),
          http_status: Type.Union([Type.Integer(), Type.Null()]),
          exit_code: Type.Union([Type.Integer(), Type.Null()]),
          code: NullableString(),
          duration_ms: Type.Integer(),
          at: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The provisioning queue in the Admin API: list jobs, read one with its steps and panel calls, retry, cancel. */
export const jobAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/jobs',
    operationId: 'adminListJobs',
    category: 'Jobs',
    summary: 'List jobs',
    description: 'Provisioning jobs, newest first, optionally in one state or of one service (its timeline).',
    auth: 'admin',
    query: Type.Object(
      {
        state: Type.Optional(StringEnum(JOB_STATES)),
        service_id: Type.Optional(IdParam('service', 'Only this service’s jobs')),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'The jobs.',
      schema: Type.Object({ items: Type.Array(Job) }, { additionalProperties: false }),
    },
    handler: async ({ query }, ctx) => ({ items: await listJobs(ctx.app, query) }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/jobs/{id}',
    operationId: 'adminGetJob',
    category: 'Jobs',
    summary: 'Get a job',
    description: 'A job with its finished steps and the panel calls it made.',
    auth: 'admin',
    params: JobParam,
    response: { status: 200, description: 'The job.', schema: JobDetail },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => jobDetail(ctx.app, params.id),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/jobs/{id}/retry',
    operationId: 'adminRetryJob',
    category: 'Jobs',
    summary: 'Retry a failed job',
    description: 'Queues a failed job again; after a rollback it starts from its first step.',
    auth: 'admin',
    permission: 'jobs',
    params: JobParam,
    response: {
      status: 202,
      description: 'Queued.',
      schema: Type.Object(
        { id: IdParam('job', 'Job id'), state: StringEnum(['queued']) },
        { additionalProperties: false },
      ),
    },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => {
      await retryJob(ctx.app, params.id);
      return { id: params.id, state: 'queued' as const };
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/jobs/{id}/cancel',
    operationId: 'adminCancelJob',
    category: 'Jobs',
    summary: 'Cancel a queued job',
    description: 'Nothing is undone: what its finished steps made on a panel stays, and is listed in `left_behind`.',
    auth: 'admin',
    permission: 'jobs',
    params: JobParam,
    response: {
      status: 200,
      description: 'Cancelled.',
      schema: Type.Object(
        {
          id: IdParam('job', 'Job id'),
          state: StringEnum(['cancelled']),
          left_behind: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => {
      const { leftBehind } = await cancelJob(ctx.app, jobTypes(), params.id);
      return { id: params.id, state: 'cancelled' as const, left_behind: leftBehind };
    },
  }),
];
