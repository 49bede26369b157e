import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { cancelJob, jobDetail, listJobs, retryJob } from '../jobs/admin.js';
import { requestLifecycle } from '../provisioning/actions.js';
import { jobTypes } from '../provisioning/index.js';
import { payInvoice } from './orders.js';

/** Billing and provisioning in the Admin API: mark invoices paid, watch and steer jobs, act on services. */
const Id = (prefix: string) =>
  Type.Object({ id: Type.String({ pattern: `^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$` }) }, { additionalProperties: false });
const ACTIONS = ['suspend', 'unsuspend', 'terminate', 'reprovision', 'change_package', 'change_password'] as const;

export function registerBillingAdminRoutes(server: FastifyInstance, app: AppContext): void {
  server.post<{ Params: Static<ReturnType<typeof Id>> }>(
    '/invoices/:id/mark-paid',
    { schema: { params: Id('inv') } },
    async (request, reply) => {
      const result = await payInvoice(app, {
        invoiceId: request.params.id,
        method: 'admin',
        actor: { type: 'admin', id: request.admin?.adminId ?? null, ip: request.ip },
        correlationId: request.id,
      });
      return reply.code(201).send(result);
    },
  );

  server.get<{ Querystring: { state?: string; limit?: number } }>(
    '/jobs',
    {
      schema: {
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.Union(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s))),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ items: await listJobs(app, request.query) }),
  );
  server.get<{ Params: Static<ReturnType<typeof Id>> }>(
    '/jobs/:id',
    { schema: { params: Id('job') } },
    async (request) => jobDetail(app, request.params.id),
  );
  server.post<{ Params: Static<ReturnType<typeof Id>> }>(
    '/jobs/:id/retry',
    { schema: { params: Id('job') } },
    async (request, reply) => {
      await retryJob(app, request.params.id);
      return reply.code(202).send({ id: request.params.id, state: 'queued' });
    },
  );
  server.post<{ Params: Static<ReturnType<typeof Id>> }>(
    '/jobs/:id/cancel',
    { schema: { params: Id('job') } },
    async (request, reply) => {
      const { leftBehind } = await cancelJob(app, jobTypes(), request.params.id);
      return reply.code(200).send({ id: request.params.id, state: 'cancelled', left_behind: leftBehind });
    },
  );

  server.post<{
    Params: Static<ReturnType<typeof Id>>;
    Body: { action: (typeof ACTIONS)[number]; product_id?: string };
  }>(
    '/services/:id/actions',
    {
      schema: {
        params: Id('svc'),
        body: Type.Object(
          {
            action: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
            product_id: Type.Optional(Type.String({ pattern: '^prd_[0-9A-HJKMNP-TV-Z]{26}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const jobId = await requestLifecycle(app, {
        serviceId: request.params.id,
        action: request.body.action,
        actor: { type: 'admin', id: request.admin?.adminId ?? null, ip: request.ip },
        correlationId: request.id,
        ...(request.body.product_id ? { productId: request.body.product_id } : {}),
      });
      return reply.code(202).send({ job_id: jobId });
    },
  );
}
