import { Type } from '@sinclair/typebox';
import { adminActor, defineAdminRoute } from '../admin/route.js';
import { IdParam, StringEnum } from '../platform/http/schemas.js';
import { requestLifecycle } from './actions.js';
import { ADMIN_ACTIONS } from './registry.js';

const ServiceParam = Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false });

/** Lifecycle actions on a service in the Admin API, each carried out by a job. */
export const lifecycleAdminRoutes = [
  defineAdminRoute({
    method: 'POST',
    path: '/services/{id}/actions',
    operationId: 'adminRequestServiceAction',
    category: 'Services',
    summary: 'Act on a service',
    description:
      'Suspends, unsuspends, terminates, re-provisions a service, or changes its package or panel password, through a job.',
    auth: 'admin',
    permission: 'services.lifecycle',
    params: ServiceParam,
    body: Type.Object(
      {
        action: StringEnum(ADMIN_ACTIONS),
        product_id: Type.Optional(IdParam('product', 'The new product, for change_package')),
        reason: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 200,
            description:
              'For suspend: why (default "admin"). A payment lifts only the billing run\'s "overdue" suspensions.',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    response: {
      status: 202,
      description: 'The job that does it.',
      schema: Type.Object({ job_id: IdParam('job', 'Job id') }, { additionalProperties: false }),
    },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => {
      const jobId = await requestLifecycle(ctx.app, {
        serviceId: params.id,
        action: body.action,
        actor: adminActor(ctx),
        correlationId: ctx.requestId,
        ...(body.product_id ? { productId: body.product_id } : {}),
        ...(body.reason ? { reason: body.reason } : {}),
      });
      return { job_id: jobId };
    },
  }),
];
