import { Type } from '@sinclair/typebox';
import { IdParam, Page, PageQuery } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { Service, ServiceStatus } from './schemas.js';
import { getService, pageServices } from './services.js';

const CATEGORY = 'Services';

export const serviceRoutes = [
  defineRoute({
    method: 'GET',
    path: '/services',
    operationId: 'listServices',
    category: CATEGORY,
    summary: 'List your services',
    description: 'Your hosting services, newest first. Page with `limit` and `cursor`; filter by `status`.',
    auth: 'client',
    query: Type.Object({ ...PageQuery, status: Type.Optional(ServiceStatus) }, { additionalProperties: false }),
    response: { status: 200, description: 'A page of services', schema: Page(Service, 'Services, newest first') },
    handler: async ({ query }, ctx) =>
      pageServices(ctx.app.db.kysely, {
        clientId: ctx.principal.clientId,
        limit: query.limit ?? 20,
        cursor: query.cursor,
        status: query.status,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/services/{id}',
    operationId: 'getService',
    category: CATEGORY,
    summary: 'Get a service',
    description: 'One of your services. Another client’s service id answers 404.',
    auth: 'client',
    params: Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false }),
    response: { status: 200, description: 'The service', schema: Service },
    handler: async ({ params }, ctx) => getService(ctx.app.db.kysely, ctx.principal.clientId, params.id),
  }),
];
