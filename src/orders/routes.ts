import { Type } from '@sinclair/typebox';
import { IdParam } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { getOperation } from './operations.js';
import { placeOrder } from './orders.js';
import { Operation, OrderBody, OrderCreated } from './schemas.js';

const ORDERS = 'Orders';

export const orderRoutes = [
  defineRoute({
    method: 'POST',
    path: '/orders',
    operationId: 'createOrder',
    category: ORDERS,
    summary: 'Order hosting',
    description:
      'Orders a product for a domain: creates the order, its invoice and a pending service. Pay the invoice (POST /invoices/{id}/payments) and the hosting account is set up within seconds of the payment.',
    auth: 'client',
    idempotent: true,
    body: OrderBody,
    errors: ['invalid_request', 'not_found'],
    response: { status: 201, description: 'The order, its invoice and its service', schema: OrderCreated },
    handler: async ({ body }, ctx) => {
      const created = await placeOrder(ctx.app, {
        clientId: ctx.principal.clientId,
        productId: body.product_id,
        billingCycle: body.billing_cycle,
        domain: body.domain,
      });
      ctx.setHeader('location', `/api/v1/invoices/${created.invoice_id}`);
      return created;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/operations/{id}',
    operationId: 'getOperation',
    category: ORDERS,
    summary: 'Follow an operation',
    description:
      'The progress of an asynchronous action on one of your services (setting up, suspending, changing a password…).',
    auth: 'client',
    params: Type.Object({ id: IdParam('job', 'Operation id') }, { additionalProperties: false }),
    response: { status: 200, description: 'The operation', schema: Operation },
    handler: async ({ params }, ctx) => getOperation(ctx.app, ctx.principal.clientId, params.id),
  }),
];
