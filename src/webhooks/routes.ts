import { Type } from '@sinclair/typebox';
import { IdParam, Page, PageQuery } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookEndpoint,
} from './schemas.js';
import {
  changeEndpoint,
  createEndpoint,
  deleteEndpoint,
  endpointView,
  getEndpoint,
  listEndpoints,
  pageDeliveries,
  redeliver,
  sendTest,
} from './webhooks.js';

const CATEGORY = 'Webhooks';
const Params = Type.Object({ id: IdParam('webhook', 'Webhook id') }, { additionalProperties: false });

export const webhookRoutes = [
  defineRoute({
    method: 'GET',
    path: '/webhooks',
    operationId: 'listWebhooks',
    category: CATEGORY,
    summary: 'List your webhooks',
    description: 'The URLs your events are sent to (never their signing secrets).',
    auth: 'client',
    response: {
      status: 200,
      description: 'Your webhooks',
      schema: Type.Object({ items: Type.Array(WebhookEndpoint) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: await listEndpoints(ctx.app, ctx.principal.clientId) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks',
    operationId: 'createWebhook',
    category: CATEGORY,
    summary: 'Add a webhook',
    description:
      'Your systems learn of your invoices and services as they change: each event of the chosen types is POSTed to the URL as JSON (`{"type", "timestamp", "data"}`), signed per the Standard Webhooks specification with the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers. The signing secret is in this response only (and in its replay: send an `Idempotency-Key` to retry safely). A delivery without a 2xx answer is retried for about a day, then the webhook is disabled and you are emailed.',
    auth: 'client',
    idempotent: true,
    body: CreateWebhookBody,
    response: { status: 201, description: 'The new webhook, with its signing secret', schema: CreatedWebhookEndpoint },
    handler: async ({ body }, ctx) => createEndpoint(ctx.app, ctx.principal.clientId, body),
  }),
  defineRoute({
    method: 'GET',
    path: '/webhooks/{id}',
    operationId: 'getWebhook',
    category: CATEGORY,
    summary: 'Get a webhook',
    description: 'One of your webhooks. Another client’s id answers 404.',
    auth: 'client',
    params: Params,
    response: { status: 200, description: 'The webhook', schema: WebhookEndpoint },
    handler: async ({ params }, ctx) => endpointView(await getEndpoint(ctx.app, ctx.principal.clientId, params.id)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/webhooks/{id}',
    operationId: 'updateWebhook',
    category: CATEGORY,
    summary: 'Change a webhook',
    description:
      'Change its URL, event types or note, or enable it again after it was disabled (`{"enabled": true}`). Disabling it gives up the deliveries still waiting.',
    auth: 'client',
    params: Params,
    body: UpdateWebhookBody,
    response: { status: 200, description: 'The webhook as it is now', schema: WebhookEndpoint },
    handler: async ({ params, body }, ctx) => changeEndpoint(ctx.app, ctx.principal.clientId, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/webhooks/{id}',
    operationId: 'deleteWebhook',
    category: CATEGORY,
    summary: 'Delete a webhook',
    description: 'Nothing more is sent to it; deliveries still waiting are given up.',
    auth: 'client',
    params: Params,
    response: { status: 204, description: 'Deleted' },
    handler: async ({ params }, ctx) => {
      await deleteEndpoint(ctx.app, ctx.principal.clientId, params.id);
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/{id}/test',
    operationId: 'testWebhook',
    category: CATEGORY,
    summary: 'Send a test delivery',
    description:
      'Queues a `webhook.test` event to the URL, signed like any other, sent within a second or so and not retried. Its outcome is in the delivery log.',
    auth: 'client',
    params: Params,
    response: { status: 202, description: 'The test delivery, queued', schema: WebhookDelivery },
    handler: async ({ params }, ctx) => sendTest(ctx.app, ctx.principal.clientId, params.id),
  }),
  defineRoute({
    method: 'GET',
    path: '/webhooks/{id}/deliveries',
    operationId: 'listWebhookDeliveries',
    category: CATEGORY,
    summary: 'The delivery log',
    description:
      'What was sent to this webhook, newest first: each delivery with its body, state and every attempt (HTTP status, error, duration). Page with `limit` and `cursor`.',
    auth: 'client',
    params: Params,
    query: Type.Object(PageQuery, { additionalProperties: false }),
    response: {
      status: 200,
      description: 'A page of deliveries',
      schema: Page(WebhookDelivery, 'Deliveries, newest first'),
    },
    handler: async ({ params, query }, ctx) =>
      pageDeliveries(ctx.app, ctx.principal.clientId, params.id, { limit: query.limit ?? 20, cursor: query.cursor }),
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/{id}/deliveries/{delivery_id}/retry',
    operationId: 'redeliverWebhook',
    category: CATEGORY,
    summary: 'Send a failed delivery again',
    description:
      'One more attempt, now, with the same `webhook-id` and body. Only a failed delivery can be sent again.',
    auth: 'client',
    params: Type.Object(
      { id: IdParam('webhook', 'Webhook id'), delivery_id: IdParam('webhookDelivery', 'Delivery id') },
      { additionalProperties: false },
    ),
    response: { status: 202, description: 'The delivery, queued', schema: WebhookDelivery },
    handler: async ({ params }, ctx) => redeliver(ctx.app, ctx.principal.clientId, params.id, params.delivery_id),
  }),
];
