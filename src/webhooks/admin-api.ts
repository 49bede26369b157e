import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { IdParam, Page, PageQuery, StringEnum } from '../platform/http/schemas.js';
import { adminListWebhooks, adminWebhookDeliveries } from './admin.js';
import { WebhookDelivery, WebhookEndpoint } from './schemas.js';

const CATEGORY = 'Webhooks';

const AdminWebhook = Type.Object(
  {
    ...WebhookEndpoint.properties,
    client_id: IdParam('client', 'The client who registered it'),
    client_email: Type.String({ examples: ['ada@example.com'] }),
  },
  { additionalProperties: false },
);

/** Clients' webhooks for support staff: read only (clients change theirs through the User API). */
export const webhookAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/webhooks',
    operationId: 'adminListWebhooks',
    permission: 'clients',
    category: CATEGORY,
    summary: 'List clients’ webhooks',
    description:
      'The URLs clients registered for their events, newest first, with whether each is enabled and why not; filter by client (id or email) or state.',
    auth: 'admin',
    query: Type.Object(
      {
        client: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'A client id or email' })),
        state: Type.Optional(StringEnum(['enabled', 'disabled'] as const)),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
      },
      { additionalProperties: false },
    ),
    errors: ['not_found'],
    response: {
      status: 200,
      description: 'The webhooks',
      schema: Type.Object({ items: Type.Array(AdminWebhook) }, { additionalProperties: false }),
    },
    handler: async ({ query }, ctx) => ({ items: await adminListWebhooks(ctx.app, query) }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    operationId: 'adminListWebhookDeliveries',
    permission: 'clients',
    category: CATEGORY,
    summary: 'A webhook’s delivery log',
    description:
      'What was sent to a client’s webhook, newest first: each body, its state and every attempt (HTTP status, error, duration) — what support needs when a client says nothing arrives.',
    auth: 'admin',
    params: Type.Object({ id: IdParam('webhook', 'Webhook id') }, { additionalProperties: false }),
    query: Type.Object(PageQuery, { additionalProperties: false }),
    errors: ['not_found'],
    response: {
      status: 200,
      description: 'A page of deliveries',
      schema: Page(WebhookDelivery, 'Deliveries, newest first'),
    },
    handler: async ({ params, query }, ctx) =>
      adminWebhookDeliveries(ctx.app, params.id, { limit: query.limit ?? 20, cursor: query.cursor }),
  }),
];
